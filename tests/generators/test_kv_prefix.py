"""The prompt's fixed part is decoded once and re-used, and no question depends on the chunk before it."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedforge.corpus.record import Chunk
from embedforge.generators import GenerationSettings, generate_questions, load_prompt
from embedforge.generators.backends import llamacpp
from embedforge.generators.backends.kv_prefix import FixedPrefix

# One greedy question per chunk (the default recipe samples 5 and adds a greedy one).
ONE_GREEDY: dict = {"questions_per_chunk": 1, "temperature": 0.0, "greedy_prompt": None}

pytestmark = pytest.mark.slow


def _prompt_and_block(chunk: Chunk) -> tuple[str, str]:
    prompt = load_prompt("default")
    return (prompt.completion_text(chunk.text, chunk.title, chunk.section or "", 1),
            prompt.block(chunk.text, chunk.title, chunk.section or "", 1))


def test_fixed_part_is_decoded_once_and_kept(sample_chunks: list[Chunk], bundled_gguf: str) -> None:
    first, second = (_prompt_and_block(c) for c in sample_chunks[:2])
    prefix = FixedPrefix()
    with llamacpp._LOCK:
        client = llamacpp._model(bundled_gguf, 1024, 0).client
        kept = prefix.prepare(client, *first)
        assert kept >= 100 and client.n_tokens == kept  # the instructions and examples, decoded
        decoded = prefix.tokens
        client.create_completion(first[0], max_tokens=8, temperature=0.0)
        assert client.n_tokens > kept
        assert prefix.prepare(client, *second) == kept
        assert prefix.tokens is decoded and client.n_tokens == kept  # cut back, not decoded again
        assert prefix.prepare(client, "short prompt", "prompt") == 0 and client.n_tokens == 0


def test_questions_do_not_depend_on_the_order_of_chunks(sample_chunks: list[Chunk], tmp_path: Path) -> None:
    def run(chunks: list[Chunk], name: str) -> dict[str, tuple[str, str | None, str | None]]:
        settings = GenerationSettings(**ONE_GREEDY, cache=str(tmp_path / name), progress=False, resample=0)
        return {r.chunk_id: (r.status, r.question, r.reason) for r in generate_questions(chunks, settings).records}

    forward = run(sample_chunks, "forward.sqlite")
    assert run(list(reversed(sample_chunks)), "backward.sqlite") == forward
    assert sum(status == "kept" for status, _, _ in forward.values()) >= 2
