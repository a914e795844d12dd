"""What generation produces: one :class:`QuestionRecord` per (chunk, question slot), and counts.

Every record says what became of its slot: ``kept`` (a question), ``filtered``
(the LLM answered, a filter said no: ``reason``) or ``failed`` (the call failed:
``reason``). The counts feed the progress bar, the summary and the dataset manifest.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from embedforge.counts import KEPT, Counts


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
class GenerationResult:
    """All records, in chunk order, and the counts."""

    records: list[QuestionRecord]
    counts: Counts

    @property
    def kept(self) -> list[QuestionRecord]:
        return [r for r in self.records if r.status == KEPT]

    def summary(self) -> str:
        """One line for logs and the CLI."""
        c = self.counts
        return (
            f"{c.kept} kept, {c.n_filtered} filtered {c.filtered}, "
            f"{c.n_failed} failed {c.failed}; {c.llm_calls} LLM calls, {c.cached} cached"
        )
