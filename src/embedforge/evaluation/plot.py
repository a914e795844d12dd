"""``ndcg_by_dim.png``: ndcg@10 against dimension, one line per model, the bootstrap interval as a band.

Top panel: each model's ndcg@10 at each dim (log2 axis, so 64..768 are evenly
spaced); a dimension-free BM25 row is a dashed horizontal line. Around each
non-baseline line a band shows the paired 95% interval of its difference from the
baseline, drawn on the model's own scale (baseline + interval): where the band
reaches the baseline's line, the difference may be noise. Bottom panel: the same
differences against a zero line, which makes "does it cross 0?" readable at a glance.
"""

from __future__ import annotations

import os
from typing import Any

from embedforge.evaluation.section import SectionResult
from embedforge.evaluation.settings import BM25_NAME, PRIMARY_METRIC


def plot_ndcg_by_dim(section: SectionResult, path: str | os.PathLike[str], title: str = "") -> None:
    """Draw the figure for ``section`` and save it as PNG to ``path`` (atomically)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from embedforge.files import atomic_write_bytes

    metrics = section.metrics()
    baseline = section.models[0]
    dense = [m for m in section.models if not _is_flat(section, m)]
    dims = sorted({d for m in dense for d in metrics[m]})
    show_delta = bool(section.intervals)
    fig, axes = plt.subplots(
        2 if show_delta else 1,
        1,
        figsize=(8, 7.5 if show_delta else 4.8),
        sharex=True,
        squeeze=False,
        gridspec_kw={"height_ratios": [3, 2] if show_delta else [1]},
    )
    top = axes[0][0]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, model in enumerate(section.models):
        color = colors[index % len(colors)]
        xs = sorted(metrics[model])
        ys = [metrics[model][d][PRIMARY_METRIC] for d in xs]
        if _is_flat(section, model):
            top.axhline(ys[0], color=color, linestyle="--", linewidth=1.5, label=f"{model} ({ys[0]:.3f})")
            continue
        label = f"{model} (baseline)" if model == baseline else model
        top.plot(xs, ys, marker="o", color=color, linewidth=2, label=label)
        offset = -13 if model == baseline else 7  # baseline labels below its line, others above
        for x, y in zip(xs, ys, strict=True):
            top.annotate(
                f"{y:.3f}",
                (x, y),
                textcoords="offset points",
                xytext=(0, offset),
                ha="center",
                fontsize=8,
                color=color,
            )
        band = _band(section, model, baseline, metrics)
        if band:
            top.fill_between(
                band[0],
                band[1],
                band[2],
                color=color,
                alpha=0.15,
                linewidth=0,
                label=f"{model}: 95% interval vs {baseline}",
            )
            if show_delta:
                _delta_panel(axes[1][0], section, model, color)
    low, high = top.get_ylim()
    top.set_ylim(max(low, 0.0), min(high, 1.02))  # ndcg lies in [0, 1]; bands are clipped there
    top.set_ylabel(PRIMARY_METRIC)
    top.set_title(title or f"{PRIMARY_METRIC} by embedding dimension ({len(section.queries)} questions)")
    top.grid(True, alpha=0.3)
    top.legend(loc="best", fontsize=9)
    if show_delta:
        bottom = axes[1][0]
        bottom.axhline(0.0, color="black", linewidth=1)
        bottom.set_ylabel(f"Δ {PRIMARY_METRIC} vs {baseline}")
        bottom.set_title("bands: 95% paired-bootstrap interval; a band crossing 0 may be noise", fontsize=9)
        bottom.grid(True, alpha=0.3)
    axis = axes[-1][0]
    if dims:
        axis.set_xscale("log", base=2)
        axis.set_xticks(dims)
        axis.set_xticklabels([str(d) for d in dims])
        axis.minorticks_off()
    axis.set_xlabel("embedding dimension")
    fig.tight_layout()
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())


def _is_flat(section: SectionResult, model: str) -> bool:
    """True for a dimension-free row (BM25): the same values stored under every dim."""
    return model == BM25_NAME and model != section.models[0]


Band = tuple[list[int], list[float], list[float]]


def _band(
    section: SectionResult, model: str, baseline: str, metrics: dict[str, dict[int, dict[str, float]]]
) -> Band | None:
    items = sorted((i for i in section.intervals if i.model == model), key=lambda i: i.dim)
    if not items:
        return None
    base = [metrics[baseline][i.dim][PRIMARY_METRIC] for i in items]
    lows = [min(1.0, max(0.0, b + i.low)) for b, i in zip(base, items, strict=True)]
    highs = [min(1.0, max(0.0, b + i.high)) for b, i in zip(base, items, strict=True)]
    return [i.dim for i in items], lows, highs


def _delta_panel(axis: Any, section: SectionResult, model: str, color: Any) -> None:
    items = sorted((i for i in section.intervals if i.model == model), key=lambda i: i.dim)
    xs = [i.dim for i in items]
    axis.plot(xs, [i.diff for i in items], marker="o", color=color, linewidth=2, label=model)
    axis.fill_between(
        xs, [i.low for i in items], [i.high for i in items], color=color, alpha=0.2, linewidth=0
    )
