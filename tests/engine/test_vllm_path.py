"""``vllm:MODEL``: the rows the vLLM engines get, and the GPU run itself where vLLM and a GPU are present."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from embedforge.corpus.record import Chunk
from embedforge.engine import EngineSettings
from embedforge.generators import GenerationSettings, parse_spec
from embedforge.generators.backends import make_backend
from embedforge.generators.cache import cache_key
from embedforge.generators.generate import _jobs
from embedforge.generators.prompt import load_prompt
from embedforge.generators.ray_vllm import processor_config, vllm_rows

CHUNK = Chunk(id="c1", text="Riluzole was approved in 1995 as the first drug for ALS.", source="s", title="ALS",
              section="Treatment", page=None)


def test_vllm_rows_carry_the_same_prompt_stops_and_sampling_as_the_gguf_backends() -> None:
    spec = parse_spec("vllm:google/gemma-3-270m")
    assert (spec.kind, spec.model) == ("vllm", "google/gemma-3-270m")
    backend = make_backend(spec)
    settings = GenerationSettings(questions_per_chunk=1, temperature=0.0, greedy_prompt=None)
    prompt = load_prompt("default")
    job = _jobs([CHUNK], prompt, backend, settings, 0)["c1"]
    [row] = vllm_rows([job], backend)
    sent = backend.render(job.request)
    assert row["key"] == job.key == cache_key(sent.digest(), "vllm:google/gemma-3-270m", job.params)
    # The same completion text as the bundled model receives (instruction included), and the same stops.
    assert row["prompt"] == make_backend("bundled").render(job.request).text == sent.text
    assert prompt.instruction_text(1) in row["prompt"]
    assert row["sampling_params"] == {"temperature": 0.0, "max_tokens": 64, "seed": 0, "stop": prompt.stops(1), "n": 1}
    config = processor_config(backend, EngineSettings(kind="ray", llm_workers=2, gpus_per_llm_worker=1))
    assert config["model_source"] == "google/gemma-3-270m" and config["concurrency"] == 2
    assert config["chat_template_stage"] is False


def _gpu() -> bool:
    if importlib.util.find_spec("vllm") is None:
        return False
    import torch

    return bool(torch.cuda.is_available())


@pytest.mark.slow
@pytest.mark.skipif(not _gpu(), reason="the vLLM path needs vllm and a CUDA GPU (pip install 'embedforge[vllm]' "
                                       "on a GPU node); the project's GPU machine has no vLLM in its image, no "
                                       "network to install it and a 64 MiB carry (docs/scale.md)")
def test_vllm_questions_on_the_gpu(als_corpus: Path, tmp_path: Path) -> None:  # pragma: no cover - GPU only
    from embedforge.corpus import chunk_documents, read_chunks
    from embedforge.generators import generate_questions

    chunk_documents([als_corpus], tmp_path)
    chunks = read_chunks(tmp_path / "chunks.jsonl")
    settings = GenerationSettings(llm="vllm:google/gemma-3-270m", questions_per_chunk=1, temperature=0.0,
                                  greedy_prompt=None, cache=str(tmp_path / "llm.sqlite"), progress=False)
    result = generate_questions(chunks, settings)
    assert result.counts.generated == len({c.text for c in chunks})
    assert len({r.chunk_id for r in result.kept}) >= 0.5 * len(chunks)
