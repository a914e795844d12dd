"""Over 200 requests through a fault-injecting proxy in front of a real llama.cpp server.

A seeded schedule mixes latency, client timeouts, 429 with Retry-After, 500,
connection resets, truncated bodies and invalid JSON. The run must complete; every
chunk must end kept, filtered or failed, each with its reason; every request after a
429 for the same chunk must wait the Retry-After; and a re-run (the proxy now
healthy) must ask the LLM about exactly the failed chunks and take the rest from the cache.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path

import pytest
from faults import ReliabilityProxy

from embedforge.corpus.record import Chunk
from embedforge.generators import GenerationSettings, generate_questions

# One greedy question per chunk (the default recipe samples 5 and adds a greedy one).
ONE_GREEDY: dict = {"questions_per_chunk": 1, "temperature": 0.0, "greedy_prompt": None}

pytestmark = pytest.mark.slow

SEED = 8
RETRY_AFTER = 0.5
RATES = {"latency": 0.08, "timeout": 0.03, "429": 0.2, "500": 0.15, "reset": 0.15, "truncated": 0.12,
         "invalid_json": 0.03}
RETRYABLE = {"timeout", "http_429", "http_500", "connection_error"}
ANIMALS = ("otter", "heron", "lynx", "tapir", "ibis", "okapi", "marmot", "gecko", "puffin", "bison")
FOODS = ("fish", "berries", "clover", "crickets", "apples", "kelp", "oats")


def _chunks(n: int) -> list[Chunk]:
    """Short, distinct chunks; ``Record N:`` lets the proxy tell which chunk a request is about."""
    chunks = []
    for i in range(n):
        animal, food = ANIMALS[i % len(ANIMALS)], FOODS[i % len(FOODS)]
        text = (f"Record {i}: the {animal} in enclosure {i + 3} eats {i % 5 + 2} kilograms of {food} each "
                f"morning, and keepers weigh it every {i % 4 + 2} weeks to track its health.")
        chunks.append(Chunk.create(text, source="zoo.txt", title="Zoo records"))
    return chunks


def test_faults_through_a_real_server(tmp_path: Path, llama_server_url: str) -> None:
    chunks = _chunks(80)
    with ReliabilityProxy(llama_server_url, SEED, RATES, n=400, retry_after=str(RETRY_AFTER),
                          hang_s=8.5) as proxy:
        settings = GenerationSettings(
            llm=f"openai-compatible:gemma@{proxy.url}/v1", completions=True, **ONE_GREEDY,
            cache=str(tmp_path / "llm.sqlite"), concurrency=1, timeout=8.0, max_retries=5, backoff=0.05,
            max_tokens=16, resample=0, progress=False)
        result = generate_questions(chunks, settings)
        first = list(proxy.requests)
        faults = Counter(fault for _, fault, _ in first)

        assert len(first) >= 200, faults
        # A call can die on a connection the proxy had already closed, before the proxy sees it.
        assert result.counts.llm_calls >= len(first)
        assert set(faults) == {"ok", *RATES}, faults
        by_chunk = {r.chunk_id: r for r in result.records}
        assert set(by_chunk) == {c.id for c in chunks} and len(result.records) == len(chunks)
        for record in result.records:
            assert record.status in ("kept", "filtered", "failed")
            assert (record.status == "kept") == (record.reason is None) == (record.question is not None)
        failed = {r.chunk_id for r in result.records if r.status == "failed"}
        assert {r.reason for r in result.records if r.status == "failed"} <= RETRYABLE | {"invalid_response"}
        _assert_retry_after_honoured(first)

        proxy.reset(["ok"])
        # The timeout is not part of the cache key; a generous one keeps a slow (loaded) server from
        # turning a healthy call into a timeout and a retry.
        rerun = generate_questions(chunks, dataclasses.replace(settings, timeout=120.0))
        asked = Counter(number for _, _, number in proxy.requests)
        # Guaranteed whatever the machine's load: exactly the chunks recorded as failed go to the LLM,
        # one job each (a call the client gave up on is retried, so requests may exceed jobs); the rest
        # come from the cache, and none fails against a healthy server.
        assert set(asked) == {i for i, c in enumerate(chunks) if c.id in failed}
        assert rerun.counts.cached == len(chunks) - len(failed) and not rerun.counts.failed
        assert len(failed) <= len(proxy.requests) <= rerun.counts.llm_calls
    (tmp_path / "figures.json").write_text(json.dumps({"requests": len(first), "faults": faults,
                                                       "failed": len(failed)}), encoding="utf-8")


def _assert_retry_after_honoured(requests: list[tuple[float, str, int | None]]) -> None:
    """After a 429 for chunk N, N's next request comes no sooner than Retry-After."""
    checked = 0
    for index, (when, fault, number) in enumerate(requests):
        if fault != "429":
            continue
        later = [t for t, _, n in requests[index + 1:] if n == number]
        if later:
            assert later[0] - when >= RETRY_AFTER - 0.02, (number, later[0] - when)
            checked += 1
    assert checked >= 10
