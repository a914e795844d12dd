"""A prompt too long for an in-process model's context is refused before the first call, with both numbers.

The bundled model's context once grew to fit a 10 MB few-shot example (75 s, 13.8 GB) and then
failed with "EmbedforgeError". Now the prompt's fixed part, rendered as for a chunk, is counted
against the context length in the GGUF header when the run is checked, before chunking.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hostile_llm import embedforge_cli

from embedforge.corpus.record import Chunk
from embedforge.errors import EmbedforgeError
from embedforge.generators import GenerationSettings
from embedforge.generators.backends import Request, make_backend
from embedforge.generators.context import gguf_context_length
from embedforge.generators.preflight import check_generation
from embedforge.generators.prompt import load_prompt
from embedforge.generators.retry import CallFailed

EXAMPLE = "Glaciers form where more snow falls in winter than melts in summer. " * 3000  # 200 KB: ~40k tokens


def _long_prompt(path: Path) -> Path:
    path.write_text('name = "long"\ntemplate = "Passage: {context}\\nQuestion:"\nfence = ["<<", ">>"]\n'
                    f'[[examples]]\ncontext = "{EXAMPLE}"\nquestions = ["How do glaciers form?"]\n', "utf-8")
    return path


def test_the_bundled_models_context_length_is_read_from_its_header(tmp_path: Path, bundled_gguf: str) -> None:
    assert gguf_context_length(bundled_gguf) == 32768
    (tmp_path / "x.gguf").write_bytes(b"GGUF" + b"\xff" * 64)  # a header that lies about its size
    assert gguf_context_length(tmp_path / "x.gguf") is None


def test_a_prompt_over_the_context_is_refused_with_its_length_and_the_limit(tmp_path: Path, bundled_gguf: str) -> None:
    prompt = _long_prompt(tmp_path / "long.toml")
    with pytest.raises(EmbedforgeError, match=r"the prompt is \d+ tokens .* holds 32768 tokens"):
        check_generation(GenerationSettings(prompt=str(prompt), questions_per_chunk=1, greedy_prompt=None))
    check_generation(GenerationSettings(questions_per_chunk=1))  # the packaged prompts fit


def test_the_cli_refuses_it_before_chunking(tmp_path: Path, bundled_gguf: str) -> None:
    prompt = _long_prompt(tmp_path / "long.toml")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("Respite care gives family caregivers a planned break.", "utf-8")
    done = embedforge_cli("dataset", "build", "docs", "--out", "out", "--prompt", str(prompt), "--embedder",
                          "bundled-minilm", "--questions-per-chunk", "1", "--greedy-prompt", "", cwd=tmp_path,
                          timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    [line] = done.stderr.strip().splitlines()
    assert "long.toml: the prompt is" in line and "32768 tokens" in line
    assert not (tmp_path / "out").exists()


def test_a_call_that_cannot_fit_fails_instead_of_growing_the_context(bundled_gguf: str) -> None:
    request = Request(load_prompt("default"), Chunk.create(EXAMPLE, source="long.txt"), 1, 0.0, 64, 0)
    with pytest.raises(CallFailed, match="context holds 32768") as info:
        asyncio.run(make_backend("bundled").complete(request))
    assert info.value.reason == "prompt_too_long"
