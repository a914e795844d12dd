"""The closing lines of ``compare`` and ``run``: the headline of a comparison, and what to try next.

A comparison ends with the one thing its user ran it for: did the models beat the baseline,
at which dims, by how much and how sure, and which retriever to use; then where the report is
and the ``embedforge search`` command that tries the recommended retriever. Read back from
``metrics.json`` (written by ``compare``), so a run whose stages were all up to date says the same.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from embedforge.evaluation.report_files import METRICS_FILE, REPORT_FILE
from embedforge.next_steps import arg, next_lines

log = logging.getLogger(__name__)

METRIC = "ndcg@10"
_FUSED = re.compile(r"^(hybrid|rrf)\(bm25\+(.+)\)$")


def closing_lines(report_dir: Path) -> list[str]:
    """The headline, the report's path and the next command; [] without a report."""
    metrics = _read(report_dir / METRICS_FILE)
    if metrics is None:
        return []
    lines = headline(metrics)
    report = report_dir / REPORT_FILE
    if report.is_file():
        lines.append(f"report: {report}")
    return lines + next_lines(*_try(metrics))


def headline(metrics: dict[str, Any]) -> list[str]:
    """Δ ndcg@10 of every compared model against the baseline per dim, and the recommendation."""
    lines = _deltas(metrics, "eval split")
    if isinstance(metrics.get("handwritten"), dict):
        lines += _deltas({**metrics["handwritten"], "runs": metrics.get("runs")}, "hand-written questions")
    recommendation = metrics.get("recommendation")
    if isinstance(recommendation, dict) and recommendation.get("sentence"):
        lines.append(f"recommended: {' '.join(str(recommendation['sentence']).split())}")
    return lines


def _read(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("%s: unreadable (%s); see report.md", path, exc)
        return None
    return metrics if isinstance(metrics, dict) else None


def _deltas(section: dict[str, Any], label: str) -> list[str]:
    """``768: 0.783 -> 0.886 (+0.104 [+0.049, +0.159])`` per dim and model of one section, under a title line."""
    models = section.get("models", {})
    bootstrap = section.get("bootstrap", {})
    baseline = bootstrap.get("baseline") or next(iter(section.get("order") or models), None)
    lines: list[str] = []
    for name in section.get("runs") or models:  # the embedders compared, not BM25 or the fused rows
        if name in (baseline, "bm25") or _FUSED.match(name) or name not in models or baseline not in models:
            continue
        lines.append(f"Δ {METRIC}, {name} vs {baseline} ({label}, {section.get('queries', '?')} questions):")
        intervals = bootstrap.get("intervals", {}).get(name, {})
        for dim in sorted(models[name], key=int, reverse=True):
            base, tuned = models[baseline].get(dim, {}).get(METRIC), models[name][dim].get(METRIC)
            if base is None or tuned is None:
                continue
            row = intervals.get(dim)
            spread = f" [{row['low']:+.3f}, {row['high']:+.3f}]" if isinstance(row, dict) else ""
            lines.append(f"  {dim:>5}: {base:.3f} -> {tuned:.3f} ({tuned - base:+.3f}{spread})")
    return lines


def _try(metrics: dict[str, Any]) -> list[str]:
    """``embedforge search`` with the recommended retriever: its model, dim and fusion weight."""
    best, runs = metrics.get("recommendation"), metrics.get("runs") or {}
    dataset = (metrics.get("dataset") or {}).get("path")
    if not isinstance(best, dict) or not dataset or not runs:
        return []
    name, flags, why = str(best.get("model")), [], "the recommended retriever"
    fused = _FUSED.match(name)
    if fused:
        name = fused.group(2)
        weight = best.get("fusion_weight")
        flags.append(f"--hybrid {weight:g}" if fused.group(1) == "hybrid" and weight is not None else "--hybrid auto")
        if fused.group(1) == "rrf":
            why = "search fuses by a weight chosen on dev, not by RRF"
    elif name not in runs:  # BM25 alone: no dense part
        name, why = next(iter(runs)), "BM25 alone: --hybrid 0"
        flags.append("--hybrid 0")
    spec = runs.get(name, {}).get("spec")
    if not spec:
        return []
    if best.get("dim") and best.get("dim") != runs[name].get("full_dim") and "--hybrid 0" not in flags:
        flags.insert(0, f"--dim {best['dim']}")
    return [f"embedforge search {arg(dataset)} --model {arg(spec)} {' '.join([*flags, '--interactive'])}   ({why})"]
