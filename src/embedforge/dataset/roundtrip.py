"""Round-trip filter: keep a question only if its own chunk can find it.

A generated question is embedded with the base embedder and ranked against every
chunk of the corpus; if its own chunk is not among the top K, the question is
generic, off-topic or garbled, and training on it teaches noise. This lives in the
dataset stage, not in generators, because it needs the embedder and the whole
corpus; generators stay independent of both.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from embedforge import progress
from embedforge.corpus.record import Chunk

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

ROUNDTRIP_REASON = "roundtrip"
R = TypeVar("R")


def own_chunk_ranks(
    questions: Sequence[str], own_ids: Sequence[str], chunks: Sequence[Chunk], embedder: SentenceTransformer
) -> list[int]:
    """1-based rank of each question's own chunk among all chunks, by cosine similarity.

    Ties count against the question (rank = 1 + chunks scoring at least as high, other
    than its own), so a question that matches many chunks equally is not rewarded.
    Queries use the model's query prompt and chunks its document prompt, where the
    model defines them.
    """
    if not questions:
        return []
    index = {chunk.id: i for i, chunk in enumerate(chunks)}
    show = progress.shown(len(chunks) + len(questions) > 256)
    docs = embedder.encode_document(
        [c.text for c in chunks], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=show
    )
    queries = embedder.encode_query(
        list(questions), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=show
    )
    scores = np.asarray(queries) @ np.asarray(docs).T
    return ranks_of_own(scores, np.array([index[cid] for cid in own_ids]))


def ranks_of_own(scores: np.ndarray, own: np.ndarray) -> list[int]:
    """1-based rank of each row's own column ``own[i]`` in ``scores``; ties count against it."""
    own_scores = scores[np.arange(len(own)), own]
    at_least = (scores >= own_scores[:, None]).sum(axis=1)  # includes the own chunk itself
    return [int(r) for r in at_least]


def roundtrip_filter(
    records: Sequence[R], chunks: Sequence[Chunk], k: int, embedder: SentenceTransformer | Any
) -> list[R]:
    """Mark kept questions whose own chunk ranks below ``k`` as filtered (reason ``roundtrip``).

    Args:
        records: question records (``chunk_id``, ``question``, ``status``, ``reason``),
            dataclasses as ``generate_questions`` returns them; only ``status == "kept"`` is ranked.
        chunks: the whole corpus (retrieval is over every chunk).
        k: the rank cut-off; 0 returns the records unchanged.
        embedder: a loaded ``SentenceTransformer``.

    Returns:
        The records in the same order, the failing ones replaced by filtered copies.

    Raises:
        KeyError: a kept record names a chunk that is not in ``chunks`` (a bug upstream).
    """
    if k <= 0:
        return list(records)
    kept = [i for i, r in enumerate(records) if getattr(r, "status", None) == "kept"]
    ranks = own_chunk_ranks(
        [records[i].question for i in kept],  # type: ignore[attr-defined]
        [records[i].chunk_id for i in kept],  # type: ignore[attr-defined]
        chunks,
        embedder,
    )
    out = list(records)
    dropped = 0
    for i, rank in zip(kept, ranks, strict=True):
        if rank > k:
            out[i] = dataclasses.replace(out[i], status="filtered", reason=ROUNDTRIP_REASON)  # type: ignore[type-var]
            dropped += 1
    log.info("round-trip filter (top %d of %d chunks): %d of %d dropped", k, len(chunks), dropped, len(kept))
    return out
