"""The default recipe through ``build`` and ``regenerate``: several sampled questions plus the greedy one per
chunk, and a regenerate with the same settings answered entirely from the LLM cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from embedforge.corpus.record import Chunk
from embedforge.dataset import DatasetSettings, build_dataset_from_chunks, load_dataset_dir, regenerate
from embedforge.generators import GenerationSettings

TEXTS = (
    "Riluzole was the first drug the FDA approved for ALS, in 1995. It reduces damage to motor neurons by "
    "lowering levels of glutamate, and in clinical trials it prolonged survival by a few months.",
    "Respite care gives family caregivers a planned break. Adult day programs, in-home aides and short stays "
    "in a care facility let the caregiver rest, run errands or see friends while the person is looked after.",
    "Speech therapists help people with ALS keep communicating as speech weakens: they teach strategies such as "
    "speaking slowly, and later introduce alphabet boards and computer-based speech synthesizers.",
    "A feeding tube placed in the stomach lets a person with ALS get enough nutrition and fluids when "
    "swallowing becomes difficult, and lowers the risk of food entering the lungs.",
)


def test_several_questions_per_chunk_build_and_regenerate_from_the_cache(tmp_path: Path,
                                                                         bundled_embedder: Any) -> None:
    pytest.importorskip("llama_cpp", reason="the bundled LLM needs llama-cpp-python (make setup installs it)")
    chunks = [Chunk.create(text, source="als-notes.txt", title="ALS notes") for text in TEXTS]
    settings = GenerationSettings(questions_per_chunk=2, cache=str(tmp_path / "llm.sqlite"), progress=False)
    assert (settings.temperature, settings.greedy_prompt, settings.prompt_name()) == (0.8, "default", "multi")
    data = DatasetSettings(roundtrip_k=0)
    first = build_dataset_from_chunks(chunks, tmp_path / "a", generation_settings=settings, dataset_settings=data,
                                      embedder=bundled_embedder)
    assert first.llm_calls >= 2 * len(chunks)  # a sampled call and a greedy call per chunk
    assert first.questions > len(chunks), first.format()
    prompts = {row["prompt_name"] for row in load_dataset_dir(tmp_path / "a").queries.values()}
    assert prompts == {"multi", "default"}

    again = regenerate(tmp_path / "a", tmp_path / "b", generation_settings=settings, dataset_settings=data,
                       embedder=bundled_embedder)
    assert (again.llm_calls, again.cached) == (0, first.llm_calls)
    a, b = load_dataset_dir(tmp_path / "a"), load_dataset_dir(tmp_path / "b")
    assert a.queries.keys() == b.queries.keys() and a.qrels == b.qrels
