"""One record of what a stage did: LLM calls, cache hits, tokens, cost, and items by outcome.

Every stage that counts reports into a :class:`Counts`: the LLM runner per call, the
generator per question slot (kept, or filtered / failed *by reason*), the dataset stage
after its own filters; two passes (the sampled questions and the greedy one) add up with
:meth:`Counts.merge`, and the dataset manifest stores :meth:`Counts.to_dict`. "failed" and
"filtered" are always dicts by reason; their totals are :attr:`Counts.n_failed` and
:attr:`Counts.n_filtered`.

Example:
    >>> counts = Counts(llm_calls=2, kept=3)
    >>> counts.add("filtered", "too_short")
    >>> counts.merge(Counts(llm_calls=1, failed={"timeout": 2})).to_dict()["llm_calls"]
    3
    >>> counts.n_filtered
    1
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

KEPT, FILTERED, FAILED = "kept", "filtered", "failed"
# How this run got its answers (a re-run from the cache differs in these); the other fields say what it kept.
CALL_FIELDS = ("llm_calls", "cached", "generated", "tokens_in", "tokens_out", "cost_usd", "uncached")


@dataclass
class Counts:
    """Tallies of one run of a stage.

    Attributes:
        llm_calls: calls sent to the LLM (retries included); ``cached``: answers served from the cache.
        generated: new answers; ``kept``: question slots kept.
        filtered, failed: question slots dropped by a filter, or lost to a failed call, by reason.
        tokens_in, tokens_out: tokens sent and received; ``cost_usd``: their price where known.
        uncached: new answers the LLM cache could not store (kept all the same), by the cache's own
            line (its file, the error, what to do); written to a manifest only when not empty.
    """

    llm_calls: int = 0
    cached: int = 0
    generated: int = 0
    kept: int = 0
    filtered: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float | None = None
    uncached: dict[str, int] = field(default_factory=dict)

    def add(self, status: str, reason: str | None = None, n: int = 1) -> None:
        """Count ``n`` items of ``status`` (``kept``, ``filtered`` or ``failed``, the last two by ``reason``)."""
        if status == KEPT:
            self.kept += n
            return
        if status not in (FILTERED, FAILED):
            raise ValueError(f"status {status!r}: expected one of {KEPT}, {FILTERED}, {FAILED}")
        bucket = self.filtered if status == FILTERED else self.failed
        bucket[reason or "unknown"] = bucket.get(reason or "unknown", 0) + n

    @property
    def n_filtered(self) -> int:
        return sum(self.filtered.values())

    @property
    def n_failed(self) -> int:
        return sum(self.failed.values())

    def merge(self, other: Counts) -> Counts:
        """A new record with both tallies added up (a cost is known when either is)."""
        merged = Counts()
        for item in fields(Counts):
            mine, theirs = getattr(self, item.name), getattr(other, item.name)
            if isinstance(mine, dict):
                value: Any = {k: mine.get(k, 0) + theirs.get(k, 0) for k in sorted({*mine, *theirs})}
            elif item.name == "cost_usd":
                value = None if mine is None and theirs is None else round((mine or 0) + (theirs or 0), 6)
            else:
                value = mine + theirs
            setattr(merged, item.name, value)
        return merged

    def calls_only(self) -> Counts:
        """A new record with this one's :data:`CALL_FIELDS` and no item tallies."""
        return Counts(**{name: getattr(self, name) for name in CALL_FIELDS})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, reasons sorted."""
        row = asdict(self)
        row["filtered"], row["failed"] = dict(sorted(self.filtered.items())), dict(sorted(self.failed.items()))
        if not self.uncached:
            del row["uncached"]
        return row
