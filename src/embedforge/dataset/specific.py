"""Keep each chunk's most specific questions, by query likelihood under the bundled LLM.

About half of the bundled 270M model's sampled questions are generic ("What can you do with
your solution?"): true of any chunk, so training on them teaches nothing about this one.
``generators/likelihood.py`` scores a question by how much more likely the LLM finds it after
reading its chunk; here, per chunk, a kept question scoring at most 0 is dropped as ``generic``,
and of the rest only the ``keep`` highest stay (the others: ``less_specific``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from typing import Any, TypeVar

from embedforge.corpus.record import Chunk
from embedforge.progress import bar

log = logging.getLogger(__name__)
R = TypeVar("R")
GENERIC, LESS_SPECIFIC = "generic", "less_specific"


def keep_most_specific(records: Sequence[R], chunks: Sequence[Chunk], keep: int, scorer: Any) -> list[R]:
    """The records with each chunk's kept questions cut to its ``keep`` most specific ones.

    Args:
        records: question records (``chunk_id``, ``question``, ``status``, ``reason``); only kept ones are scored.
        chunks: the corpus.
        keep: questions kept per chunk at most (> 0).
        scorer: a :class:`~embedforge.generators.likelihood.QueryLikelihood` (``specificity(text, questions)``).

    Returns:
        The records in order, dropped ones replaced by filtered copies.
    """
    texts = {chunk.id: chunk.text for chunk in chunks}
    by_chunk: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        row: Any = record
        if row.status == "kept" and row.question:
            by_chunk.setdefault(row.chunk_id, []).append(index)
    out = list(records)
    for chunk_id, indices in bar(by_chunk.items(), desc="query likelihood", unit="chunk"):
        scores = scorer.specificity(texts[chunk_id], [out[i].question for i in indices])  # type: ignore[attr-defined]
        ranked = sorted(zip(scores, indices, strict=True), key=lambda pair: -pair[0])
        for place, (score, index) in enumerate(ranked):
            reason = GENERIC if score <= 0 else LESS_SPECIFIC if place >= keep else None
            if reason:
                out[index] = dataclasses.replace(out[index], status="filtered", reason=reason)  # type: ignore[type-var]
    dropped = sum(1 for a, b in zip(records, out, strict=True) if a is not b)
    log.info("query-likelihood filter (%d a chunk): %d questions dropped", keep, dropped)
    return out
