"""The closing lines of ``embedforge run``: the headline of the comparison it made.

A run ends with the one thing its user ran it for: did fine-tuning help, at which dims, by
how much and how sure, and which retriever to use. Read back from ``report/metrics.json``
(written by ``compare``), so a run whose stages were all up to date says the same.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from embedforge.evaluation.report_files import METRICS_FILE

log = logging.getLogger(__name__)

TUNED, BASE, METRIC = "fine-tuned", "base", "ndcg@10"


def headline(report_dir: Path) -> list[str]:
    """Δ ndcg@10 of the fine-tuned model against the base per dim, and the recommendation; [] without a report."""
    path = report_dir / METRICS_FILE
    if not path.is_file():
        return []
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("%s: unreadable (%s); see report.md", path, exc)
        return []
    lines = _deltas(metrics, "eval split")
    if isinstance(metrics.get("handwritten"), dict):
        lines += _deltas(metrics["handwritten"], "hand-written questions")
    recommendation = metrics.get("recommendation")
    if isinstance(recommendation, dict) and recommendation.get("sentence"):
        lines.append(f"recommended: {' '.join(str(recommendation['sentence']).split())}")
    return lines


def _deltas(section: dict[str, Any], label: str) -> list[str]:
    """``768: 0.783 -> 0.886 (+0.104 [+0.049, +0.159])`` per dim of one section, under a title line."""
    models = section.get("models", {})
    intervals = section.get("bootstrap", {}).get("intervals", {}).get(TUNED, {})
    if TUNED not in models or BASE not in models:
        return []
    lines = [f"Δ {METRIC}, {TUNED} vs {BASE} ({label}, {section.get('queries', '?')} questions):"]
    for dim in sorted(models[TUNED], key=int, reverse=True):
        base = models[BASE].get(dim, {}).get(METRIC)
        tuned = models[TUNED][dim].get(METRIC)
        if base is None or tuned is None:
            continue
        row = intervals.get(dim)
        spread = f" [{row['low']:+.3f}, {row['high']:+.3f}]" if isinstance(row, dict) else ""
        lines.append(f"  {dim:>5}: {base:.3f} -> {tuned:.3f} ({tuned - base:+.3f}{spread})")
    return lines
