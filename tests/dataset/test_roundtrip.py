"""Round-trip filter: ranks checked against sentence-transformers' own semantic_search."""

from __future__ import annotations

import pytest
from sentence_transformers import util

from embedforge.corpus.record import Chunk
from embedforge.dataset.roundtrip import ROUNDTRIP_REASON, own_chunk_ranks, roundtrip_filter
from embedforge.generators import QuestionRecord


@pytest.fixture(scope="module")
def corpus(samples) -> tuple[list[Chunk], list[list[str]]]:  # type: ignore[no-untyped-def]
    passages, questions = samples
    return [Chunk.create(text, source="als.html") for text in passages], questions


def _record(chunk: Chunk, question: str, status: str = "kept") -> QuestionRecord:
    return QuestionRecord(
        chunk_id=chunk.id, slot=0, question=question if status == "kept" else None, status=status,
        reason=None if status == "kept" else "too_short", prompt_name="default", prompt_hash="p" * 16,
        llm="bundled", raw=question, candidate=question, created_at="2026-01-01T00:00:00+00:00", cached=False,
    )


def test_ranks_match_semantic_search(bundled_embedder, corpus) -> None:  # type: ignore[no-untyped-def]
    chunks, questions_per = corpus
    questions = [q for qs in questions_per for q in qs] + ["What is the capital of France?"]
    owners = [chunks[i].id for i, qs in enumerate(questions_per) for _ in qs] + [chunks[0].id]
    ranks = own_chunk_ranks(questions, owners, chunks, bundled_embedder)

    docs = bundled_embedder.encode([c.text for c in chunks], convert_to_tensor=True)
    queries = bundled_embedder.encode(questions, convert_to_tensor=True)
    hits = util.semantic_search(queries, docs, top_k=len(chunks))
    index = {c.id: i for i, c in enumerate(chunks)}
    order = [[h["corpus_id"] for h in hit] for hit in hits]
    expected = [1 + ids.index(index[own]) for ids, own in zip(order, owners, strict=True)]
    assert ranks == expected
    assert sum(r == 1 for r in ranks) >= len(ranks) // 2  # sanity: hand-written questions mostly hit


def test_filter_marks_only_kept_questions_below_k(bundled_embedder, corpus) -> None:  # type: ignore[no-untyped-def]
    chunks = corpus[0]
    records = [
        _record(chunks[2], "Which gene was first linked to inherited ALS?"),
        _record(chunks[2], "What is the capital of France?"),  # unrelated to its chunk
        _record(chunks[3], "", status="filtered"),
    ]
    out = roundtrip_filter(records, chunks, k=1, embedder=bundled_embedder)
    assert out[0] == records[0]
    assert (out[1].status, out[1].reason) == ("filtered", ROUNDTRIP_REASON)
    assert out[1].question == records[1].question  # kept for inspection, not written as a query
    assert out[2] == records[2]
    assert roundtrip_filter(records, chunks, k=0, embedder=None) == records  # K=0: off, no model needed
    everything = roundtrip_filter(records, chunks, k=len(chunks), embedder=bundled_embedder)
    assert everything == records  # every chunk is within the top len(corpus)
