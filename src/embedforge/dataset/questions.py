"""Several questions per chunk: a greedy anchor question beside the sampled ones, near-duplicates dropped.

The default recipe asks each chunk for several distinct questions (the ``multi`` prompt,
sampled) and, when ``greedy_prompt`` is set, for one more with that prompt at
temperature 0. A prompt that asks for one question is asked once per sampled question.
Measured on the ALS documents with questions nobody wrote for the
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


def sampled_passes(settings: Any) -> list[Any]:
    """The sampled questions as calls, one settings object a pass.

    A prompt that asks for several questions (its text uses ``{n}``, as ``multi`` does) gets one call
    a chunk for all of them. A prompt that asks for one (``default``, or a copy of it) gets one call a
    question, each pass with its own seed; resampling seeds (seed + round) never reach the next pass's.
    """
    from embedforge.generators.packaged import asks_several
    from embedforge.generators.prompt import load_prompt

    n = settings.questions_per_chunk
    if n == 1 or asks_several(load_prompt(settings.prompt_name())):
        return [settings]
    step = settings.resample + 1
    return [replace(settings, questions_per_chunk=1, seed=settings.seed + k * step) for k in range(n)]


def dataset_passes(settings: Any) -> list[Any]:
    """Every pass of a dataset's questions: the sampled ones, then the greedy one when ``greedy_prompt`` is set."""
    passes = sampled_passes(settings)
    return [*passes, greedy_settings(settings)] if settings.greedy_prompt else passes


def ask_every_pass(chunks: Sequence[Any], settings: Any, engine: Any) -> tuple[list[Any], Any]:
    """Every pass of :func:`dataset_passes` over ``chunks``: (question records, slots numbered on; call counts).

    Raises:
        FailedItems: every call of the first pass failed (the LLM is down or the key is wrong).
    """
    from collections import Counter

    from embedforge.errors import FailedItems
    from embedforge.generators import generate_questions

    records: list[Any] = []
    calls = None
    for i, one in enumerate(dataset_passes(settings)):
        result = generate_questions(list(chunks), one, engine=engine)
        if i == 0 and result.records and all(r.status == "failed" for r in result.records):
            failed = Counter(str(r.reason) for r in result.records if r.slot == 0)  # count each call once
            reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(failed.items()))
            raise FailedItems(f"--llm {settings.llm}: every LLM call failed ({reasons}); "
                              "no dataset written; check the LLM server (or key) and rerun")
        first_slot = max((r.slot for r in records), default=-1) + 1
        records = append_pass(records, result.records, first_slot)
        calls = result.counts if calls is None else calls.merge(result.counts)
    return records, calls


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
