"""Several questions per chunk: a greedy anchor question beside the sampled ones, near-duplicates dropped.

The default recipe asks each chunk for several distinct questions (the ``multi`` prompt,
sampled) and, when ``greedy_prompt`` is set, for one more with that prompt at
temperature 0. Measured on the ALS documents with questions nobody wrote for the
pipeline, more distinct questions per chunk taught the embedder more than one careful
question did. Questions of one chunk that say nearly the same thing add nothing, so a
question whose words mostly repeat an earlier kept question of the same chunk is
filtered ``near_duplicate``. (They could never be each other's in-batch negatives
anyway: they share their chunk, and the no-duplicates batch sampler never puts one
chunk twice in a batch.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from embedforge.generators.filters import normalize

# Word-set Jaccard at or above which two questions of one chunk count as the same question.
NEAR_DUPLICATE = 0.8


def greedy_settings(settings: Any) -> Any:
    """The settings of the extra greedy pass: ``greedy_prompt``, one question, temperature 0."""
    return replace(settings, prompt=settings.greedy_prompt, questions_per_chunk=1, temperature=0.0,
                   greedy_prompt=None)


def append_pass(records: Sequence[Any], extra: Sequence[Any], first_slot: int) -> list[Any]:
    """``records`` then ``extra`` (renumbered from ``first_slot``); a kept extra already asked is filtered."""
    seen = {(r.chunk_id, normalize(r.question)) for r in records if r.status == "kept" and r.question}
    out = list(records)
    for record in extra:
        record = replace(record, slot=first_slot + record.slot)
        if record.status == "kept" and (record.chunk_id, normalize(record.question or "")) in seen:
            record = replace(record, question=None, status="filtered", reason="duplicate")
        out.append(record)
    return out


def drop_near_duplicates(records: Sequence[Any], threshold: float = NEAR_DUPLICATE) -> list[Any]:
    """Filter (reason ``near_duplicate``) each kept question too close to an earlier kept one of its chunk.

    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class R:
    ...     chunk_id: str
    ...     status: str
    ...     question: str | None
    ...     reason: str | None
    >>> rows = [R("c", "kept", q, None)
    ...         for q in ("What causes ALS?", "What causes ALS disease?", "How is ALS treated?")]
    >>> [r.status for r in drop_near_duplicates(rows, 0.7)]
    ['kept', 'filtered', 'kept']
    """
    kept: dict[str, list[set[str]]] = {}
    out = []
    for record in records:
        if record.status == "kept" and record.question:
            words = set(normalize(record.question).split())
            earlier = kept.setdefault(record.chunk_id, [])
            if any(_jaccard(words, other) >= threshold for other in earlier):
                record = replace(record, question=None, status="filtered", reason="near_duplicate")
            else:
                earlier.append(words)
        out.append(record)
    return out


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0
