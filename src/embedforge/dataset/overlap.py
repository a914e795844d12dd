"""Lexical overlap: how much of a question's wording it copied from the chunk that answers it.

A question that reuses its chunk's words is easy for word matching (BM25) and teaches an
embedder to match words; people's own questions mostly do not (about a quarter of their
content words occur in the answering chunk, against two thirds for a small LLM's). So every
dataset reports this share, and the copy filter can drop questions above a threshold.

The share is over the question's distinct *content words*: the tokens bm25s indexes
(lower-cased runs of two or more word characters) minus its English stop words, so "copied"
means exactly what BM25 can match.

    >>> content_overlap("bees find flowers?", "Forager bees find a rich patch of flowers.")
    1.0
    >>> content_overlap("How do bees find the hive?", "Forager bees find flowers.")
    0.4
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from embedforge.corpus.record import Chunk

log = logging.getLogger(__name__)
R = TypeVar("R")
COPY_REASON = "copies_words"

# bm25s' default token pattern (scikit-learn's): two or more word characters.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
# The share's distribution is reported in these bins (upper bounds, the last is 1.0).
BIN_EDGES = (0.2, 0.4, 0.6, 0.8, 1.0)


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def content_words(text: str) -> set[str]:
    """The distinct content words of ``text``: bm25s' tokens, lower-cased, English stop words removed."""
    stop = _stopwords()
    return {token for token in _TOKEN.findall(text.lower()) if token not in stop}


def content_overlap(question: str, passage: str) -> float | None:
    """Share of the question's distinct content words that occur among the passage's words.

    Returns:
        A number in [0, 1], or None for a question with no content word (nothing to copy).
    """
    asked = content_words(question)
    if not asked:
        return None
    return len(asked & set(_TOKEN.findall(passage.lower()))) / len(asked)


def drop_copied_words(records: Sequence[R], chunks: Sequence[Chunk], max_overlap: float) -> list[R]:
    """Mark kept questions sharing more than ``max_overlap`` of their content words with their chunk as
    filtered (reason ``copies_words``): the copy filter. Records are the generator's question records.
    """
    texts = {chunk.id: chunk.text for chunk in chunks}
    out: list[R] = []
    for record in records:
        row: Any = record
        share = content_overlap(row.question or "", texts[row.chunk_id]) if row.status == "kept" else None
        if share is not None and share > max_overlap:
            row = dataclasses.replace(row, status="filtered", reason=COPY_REASON)
        out.append(row)
    dropped = sum(1 for a, b in zip(records, out, strict=True) if a is not b)
    log.info("copy filter (overlap > %.2f): %d questions dropped", max_overlap, dropped)
    return out


def overlap_profile(shares: Iterable[float | None]) -> dict[str, object]:
    """Mean, median, quartiles and a histogram of overlap shares (None values are left out).

    Returns:
        ``{"questions", "mean", "median", "q1", "q3", "bins": {"<=0.2": n, ...}}``; every number
        rounded to 4 places; ``{"questions": 0}`` when no share was given.
    """
    values = sorted(s for s in shares if s is not None)
    if not values:
        return {"questions": 0}
    bins = {f"<={edge:.1f}": 0 for edge in BIN_EDGES}
    for value in values:
        edge = next(e for e in BIN_EDGES if value <= e + 1e-12)
        bins[f"<={edge:.1f}"] += 1
    return {"questions": len(values), "mean": round(sum(values) / len(values), 4),
            "median": round(_quantile(values, 0.5), 4), "q1": round(_quantile(values, 0.25), 4),
            "q3": round(_quantile(values, 0.75), 4), "bins": bins}


def _quantile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated quantile of sorted ``values`` (numpy's default rule)."""
    position = q * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)
