"""The terminal table of a comparison: ndcg@10 per model and dim, and each model's difference.

Kept apart from ``report.py`` (the markdown report) so :class:`~embedforge.evaluation.result.CompareResult`
can print itself without importing the report, which reads results.
"""

from __future__ import annotations

from embedforge.evaluation.section import SectionResult
from embedforge.evaluation.settings import PRIMARY_METRIC


def all_dims(section: SectionResult) -> list[int]:
    """Every dim any model was scored at, largest first."""
    return sorted({d for m in section.models for d in section.dims(m)}, reverse=True)


def terminal_table(section: SectionResult, *, split: str, corpus_size: int) -> str:
    """ndcg@10 per model (rows) and dim (columns), with each model's difference from the baseline.

    Args:
        section: the scored eval section; split, corpus_size: named in the heading. The report's path
            and the recommendation follow it in ``compare``'s closing lines (``embedforge.pipeline.report``).
    """
    dims = all_dims(section)
    metrics = section.metrics()
    width = max(12, *(len(m) + 2 for m in section.models))
    lines = [
        f"{PRIMARY_METRIC} on {len(section.queries)} {split} questions, "
        f"{corpus_size} chunks".ljust(width)
    ]
    lines.append("".ljust(width) + "".join(f"{d:>11}" for d in dims))
    baseline = section.models[0]
    for model in section.models:
        cells = [
            f"{metrics[model][d][PRIMARY_METRIC]:11.4f}" if d in metrics[model] else f"{'-':>11}"
            for d in dims
        ]
        lines.append(model.ljust(width) + "".join(cells))
        if model != baseline and section.intervals:
            lines.append(
                f"  Δ vs {baseline}".ljust(width) + "".join(_delta_cell(section, model, d) for d in dims)
            )
    if section.intervals:
        lines.append("* 95% paired-bootstrap interval excludes 0; ? it spans 0 (could be noise)")
    return "\n".join(lines)


def _delta_cell(section: SectionResult, model: str, dim: int) -> str:
    item = section.interval(model, dim)
    if item is None:
        return f"{'-':>11}"
    return f"{item.diff:+10.4f}{'?' if item.spans_zero else '*'}"
