"""What a run over documents did, shared by ``chunk`` (:class:`~embedforge.corpus.stage.CorpusSummary`)
and ``extract`` (:class:`~embedforge.corpus.extract.ExtractSummary`): documents read, the
failures with their one-line reasons, warnings, and the file written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class DocumentRun:
    """Documents read, failures (source, reason), warnings and the output of one run over documents."""

    documents_read: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    output: Path | None = None

    @property
    def ok(self) -> bool:
        """True when no document failed (the CLI exits 1 otherwise)."""
        return not self.failures

    def outcome_lines(self) -> list[str]:
        """The closing lines every summary prints: failures, warnings, and what was written."""
        lines = [f"documents failed: {len(self.failures)}"]
        lines += [f"  failed: {reason}" for _, reason in self.failures]
        lines += [f"  warning: {warning}" for warning in self.warnings]
        if self.output is not None:
            lines.append(f"wrote {self.output}")
        return lines
