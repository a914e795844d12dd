"""What ``compare`` returns: the models, the scored sections, and where the report went.

Kept apart from ``compare.py`` so the report and plot modules can read a result
without importing the code that produces it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from embedforge.evaluation.model_info import ModelInfo  # re-exported: callers import it from here
from embedforge.evaluation.section import SectionResult
from embedforge.evaluation.settings import CompareSettings
from embedforge.evaluation.table import terminal_table

if TYPE_CHECKING:
    from embedforge.evaluation.hybrid import Fusion
    from embedforge.evaluation.recommend import Recommendation


@dataclass
class CompareResult:
    """The outcome of ``compare``.

    Attributes:
        out_dir: the report folder (metrics.json, report.md, per_query.csv, ndcg_by_dim.png).
        dataset_dir: the dataset scored.
        corpus_size: chunks every question was ranked against.
        models: one entry per row, baseline first (BM25 last when asked for).
        sections: the eval split first, then the hand-written questions when given.
        settings: the settings used.
        seconds: wall time of the whole comparison.
        fusion: the BM25 fusion (weights chosen, and by which questions), or None without BM25.
        recommendation: the best retriever and its interval against the runner-up.
    """

    out_dir: Path
    dataset_dir: Path
    corpus_size: int
    models: list[ModelInfo]
    sections: list[SectionResult]
    settings: CompareSettings
    seconds: float = 0.0
    files: list[Path] = field(default_factory=list)
    fusion: Fusion | None = None
    recommendation: Recommendation | None = None

    @property
    def eval(self) -> SectionResult:
        return self.sections[0]

    @property
    def handwritten(self) -> SectionResult | None:
        return next((s for s in self.sections if s.name == "handwritten"), None)

    def metrics(self) -> dict[str, dict[int, dict[str, float]]]:
        """Eval-split metrics: model -> dim -> metric -> mean."""
        return self.eval.metrics()

    def format_table(self) -> str:
        """The compact ndcg@10 table for the terminal."""
        return terminal_table(self.eval, split=self.settings.split, corpus_size=self.corpus_size)


__all__ = ["CompareResult", "ModelInfo"]
