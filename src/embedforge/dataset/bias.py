"""How much a dataset rewards word matching: its questions' overlap, and BM25 against the base model on dev.

Questions that copy their chunk's words make a dataset on which BM25 looks strong and on
which training teaches an embedder to match words; people's own questions mostly do not
copy (BENCHMARKS.md §8). Every dataset therefore states, in its manifest, its card and the
``dataset build`` summary:

- the lexical overlap of its questions with their own chunk (``overlap.content_overlap``), per
  split and in all: mean, quartiles and a histogram;
- on the dev split (the questions that choose the epoch and the interpolation weight), the
  ndcg@10 of BM25 and of the base embedder. Both rank every chunk; a question's one relevant
  chunk is its own, ties count against it (as in the round-trip filter). Dev questions passed
  the round-trip filter, which kept only those whose own chunk the base model ranks in its top K,
  so the dense figure is an upper bound on what the base model does on unfiltered questions.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from embedforge.corpus.record import Chunk
from embedforge.dataset.bm25 import bm25_scores
from embedforge.dataset.layout import RetrievalDataset
from embedforge.dataset.overlap import content_overlap, overlap_profile
from embedforge.dataset.roundtrip import own_chunk_ranks, ranks_of_own

log = logging.getLogger(__name__)


def lexical_bias(dataset: RetrievalDataset, chunks: Sequence[Chunk], embedder: Any | None) -> dict[str, Any]:
    """The overlap profile per split and BM25 vs the base embedder on dev.

    Args:
        dataset: the assembled dataset (queries carry ``chunk_id``).
        chunks: the whole corpus, in corpus order.
        embedder: a loaded SentenceTransformer (the base model), or None to leave the dense figure out.

    Returns:
        ``{"overlap": {"all": profile, "train": ..., "dev": ..., "eval": ...}, "dev_retrieval": {...}}``;
        ``dev_retrieval`` is ``{}`` when there is no dev split.
    """
    texts = {chunk.id: chunk.text for chunk in chunks}
    overlap: dict[str, Any] = {}
    every: list[float | None] = []
    for split, table in dataset.qrels.items():
        shares = [content_overlap(str(dataset.queries[qid]["text"]), texts[cid])
                  for qid, relevant in table.items() for cid in sorted(relevant)[:1]]
        every += shares
        overlap[split] = overlap_profile(shares)
    overlap["all"] = overlap_profile(every)
    return {"overlap": overlap, "dev_retrieval": _dev_retrieval(dataset, chunks, embedder)}


def _dev_retrieval(dataset: RetrievalDataset, chunks: Sequence[Chunk], embedder: Any | None) -> dict[str, Any]:
    """ndcg@10 of BM25 and of the base embedder on the dev split's questions."""
    dev = [(qid, sorted(relevant)[0]) for qid, relevant in dataset.qrels.get("dev", {}).items() if relevant]
    if not dev:
        return {}
    questions = [str(dataset.queries[qid]["text"]) for qid, _ in dev]
    index = {chunk.id: i for i, chunk in enumerate(chunks)}
    own = np.array([index[cid] for _, cid in dev])
    lexical = bm25_scores([c.text for c in chunks], questions)
    row: dict[str, Any] = {"questions": len(dev), "bm25_ndcg@10": ndcg_at_10(ranks_of_own(lexical, own))}
    if embedder is not None:
        ranks = own_chunk_ranks(questions, [cid for _, cid in dev], chunks, embedder)
        row["dense_ndcg@10"] = ndcg_at_10(ranks)
    log.info("dev split: %s", row)
    return row


def ndcg_at_10(ranks: Sequence[int]) -> float:
    """Mean ndcg@10 of questions with one relevant item each, given its 1-based ranks."""
    if not ranks:
        return 0.0
    gains = [1.0 / math.log2(rank + 1) if rank <= 10 else 0.0 for rank in ranks]
    return round(sum(gains) / len(gains), 4)
