"""Turn chunks, kept questions and a split into a :class:`RetrievalDataset`.

This is where ids and provenance are fixed: a query id is the hash of its chunk
id and its text (so it is the same on every run), each query record carries the
chunk, source, prompt, LLM and time it came from, and the eval split searches the
whole corpus. Both ``build`` and ``regenerate`` go through here, so both write
the same shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from embedforge.corpus.record import Chunk
from embedforge.dataset.layout import RetrievalDataset
from embedforge.fingerprint import text_hash

PROVENANCE = ("prompt_name", "prompt_hash", "llm", "created_at")


def query_id(chunk_id: str, question: str) -> str:
    """Stable id of a question about a chunk: content hash, never a position."""
    return text_hash(f"{chunk_id}\n{question.strip()}")


def corpus_records(chunks: Iterable[Chunk]) -> dict[str, dict[str, Any]]:
    """chunk id -> BEIR corpus record, in chunk order: ``title`` empty (BEIR/MTEB would embed it; embedforge
    embeds ``text`` alone, see ``layout``), ``text``, ``document_title`` and where it came from.

    No value is null (MTEB's batching refuses None): no section is ``""``, no page is ``0`` (pages count from 1).
    """
    return {
        c.id: {"title": "", "text": c.text, "document_title": c.title or "", "source": c.source,
               "section": c.section or "", "page": c.page if c.page is not None else 0}
        for c in chunks
    }


def assemble(chunks: Sequence[Chunk], kept: Iterable[Any], split: dict[str, str]) -> RetrievalDataset:
    """Build the in-memory dataset.

    Args:
        chunks: the whole corpus, in document order.
        kept: kept question records (``chunk_id``, ``question`` and the ``PROVENANCE``
            attributes); a question repeated for the same chunk is written once, with its
            earliest ``created_at``.
        split: chunk id -> ``"train"`` / ``"dev"`` / ``"eval"`` for every chunk that has questions.

    Returns:
        A dataset with queries sorted by id (order-independent output) and qrels per split.

    Raises:
        KeyError: a question names a chunk missing from ``chunks`` or from ``split`` (a bug upstream).
    """
    by_id = {c.id: c for c in chunks}
    queries: dict[str, dict[str, Any]] = {}
    for record in kept:
        chunk = by_id[record.chunk_id]
        text = record.question.strip()
        qid = query_id(chunk.id, text)
        row = {"text": text, "chunk_id": chunk.id, "source": chunk.source}
        row.update({name: getattr(record, name, None) or "" for name in PROVENANCE})
        previous = queries.get(qid)
        if previous is None or str(row["created_at"] or "") < str(previous["created_at"] or ""):
            queries[qid] = row
    ordered = dict(sorted(queries.items()))
    qrels: dict[str, dict[str, set[str]]] = {"train": {}, "dev": {}, "eval": {}}
    for qid, row in ordered.items():
        qrels[split[row["chunk_id"]]][qid] = {row["chunk_id"]}
    return RetrievalDataset(corpus=corpus_records(chunks), queries=ordered, qrels=qrels)


def split_sizes(dataset: RetrievalDataset) -> dict[str, int]:
    """Queries and distinct relevant chunks of each split: ``train_queries``, ``train_chunks``, ``dev_...``."""
    sizes = {}
    for split in ("train", "dev", "eval"):
        qrels = dataset.qrels.get(split, {})
        sizes[f"{split}_queries"] = len(qrels)
        sizes[f"{split}_chunks"] = len({cid for relevant in qrels.values() for cid in relevant})
    return sizes
