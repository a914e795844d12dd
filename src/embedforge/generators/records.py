"""What generation produces: one :class:`QuestionRecord` per (chunk, question slot), and counts.

Every record says what became of its slot: ``kept`` (a question), ``filtered``
(the LLM answered, a filter said no: ``reason``) or ``failed`` (the call failed:
``reason``). The counts feed the progress bar, the summary and the dataset manifest.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

KEPT, FILTERED, FAILED = "kept", "filtered", "failed"


@dataclass(frozen=True)
class QuestionRecord:
    """One question slot of one chunk.

    Attributes:
        chunk_id: the chunk's id.
        slot: 0-based index among the chunk's questions.
        question: the kept question, else None.
        status: ``kept``, ``filtered`` or ``failed``.
        reason: why filtered or failed; None when kept.
        prompt_name, prompt_hash: the prompt that asked.
        llm: the LLM spec (never a key).
        raw: the LLM's raw output ("" when the call failed).
        candidate: the parsed text a filter judged (None when there was none).
        created_at: when the generation was made (UTC ISO), or this run's time for failures.
        cached: True when the output came from the cache.
    """

    chunk_id: str
    slot: int
    question: str | None
    status: str
    reason: str | None
    prompt_name: str
    prompt_hash: str
    llm: str
    raw: str
    candidate: str | None
    created_at: str
    cached: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class GenerationCounts:
    """Tallies of one run. Calls and tokens count LLM calls; kept/filtered/failed count question slots."""

    llm_calls: int = 0
    cached: int = 0
    generated: int = 0
    kept: int = 0
    filtered: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float | None = None

    def add(self, record: QuestionRecord) -> None:
        if record.status == KEPT:
            self.kept += 1
        else:
            bucket = self.filtered if record.status == FILTERED else self.failed
            bucket[record.reason or "unknown"] = bucket.get(record.reason or "unknown", 0) + 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class GenerationResult:
    """All records, in chunk order, and the counts."""

    records: list[QuestionRecord]
    counts: GenerationCounts

    @property
    def kept(self) -> list[QuestionRecord]:
        return [r for r in self.records if r.status == KEPT]

    def summary(self) -> str:
        """One line for logs and the CLI."""
        c = self.counts
        return (
            f"{c.kept} kept, {sum(c.filtered.values())} filtered {c.filtered}, "
            f"{sum(c.failed.values())} failed {c.failed}; {c.llm_calls} LLM calls, {c.cached} cached"
        )
