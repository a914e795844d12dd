"""``ndcg_by_dim.png``: ndcg@10 against dimension for every question set scored, one line per model.

One column per question set (the eval split, then each extra set such as the hand-written
questions), each titled with its name and size. Top panel: each model's ndcg@10 at each dim
(log2 axis, so 64..768 are evenly spaced), its value printed beside each point (the axis leaves
room, so no label is clipped); a dimension-free BM25 row is a dashed horizontal line. Bottom
panel, when intervals were computed: each model's difference from the baseline with its paired
95% bootstrap interval as a band, against a zero line: a band crossing 0 may be noise. The
interval is of the difference, so it is drawn only there, where its label means what it says.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import Any

from embedforge.evaluation.section import SectionResult
from embedforge.evaluation.settings import BM25_NAME, PRIMARY_METRIC

SECTION_TITLES = {"eval": "eval split", "handwritten": "hand-written questions"}


def plot_ndcg_by_dim(sections: SectionResult | Sequence[SectionResult], path: str | os.PathLike[str],
                     title: str = "") -> None:
    """Draw the figure for every section in ``sections`` and save it as PNG to ``path`` (atomically)."""
    import matplotlib.pyplot as plt

    from embedforge.files import atomic_write_bytes

    fig = ndcg_figure(sections, title)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())


def ndcg_figure(sections: SectionResult | Sequence[SectionResult], title: str = "") -> Any:
    """The matplotlib figure: one column per section, rows ndcg@10 and (with intervals) Δ vs the baseline."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sections = [sections] if isinstance(sections, SectionResult) else list(sections)
    show_delta = any(s.intervals for s in sections)
    fig, axes = plt.subplots(
        2 if show_delta else 1, len(sections), figsize=(7 * len(sections), 7.5 if show_delta else 4.8),
        sharex="col", squeeze=False, gridspec_kw={"height_ratios": [3, 2] if show_delta else [1]},
    )
    for column, section in enumerate(sections):
        _top_panel(axes[0][column], section)
        if show_delta:
            _delta_panel(axes[1][column], section)
        _dim_axis(axes[-1][column], section)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _colors() -> list[Any]:
    import matplotlib.pyplot as plt

    return list(plt.rcParams["axes.prop_cycle"].by_key()["color"])


def _top_panel(top: Any, section: SectionResult) -> None:
    metrics, baseline, colors = section.metrics(), section.models[0], _colors()
    values = []
    for index, model in enumerate(section.models):
        color = colors[index % len(colors)]
        xs = sorted(metrics[model])
        ys = [metrics[model][d][PRIMARY_METRIC] for d in xs]
        values += ys
        if _is_flat(section, model):
            top.axhline(ys[0], color=color, linestyle="--", linewidth=1.5, label=f"{model} ({ys[0]:.3f})")
            continue
        top.plot(xs, ys, marker="o", color=color, linewidth=2,
                 label=f"{model} (baseline)" if model == baseline else model)
        offset = -13 if model == baseline else 7  # baseline labels below its line, others above
        for x, y in zip(xs, ys, strict=True):
            top.annotate(f"{y:.3f}", (x, y), textcoords="offset points", xytext=(0, offset), ha="center",
                         fontsize=8, color=color, annotation_clip=False)
    low, high = min(values), max(values)
    margin = max(0.05, (high - low) * 0.15)  # room above and below for the value labels
    top.set_ylim(max(0.0, low - margin), high + margin)
    top.set_ylabel(PRIMARY_METRIC)
    name = SECTION_TITLES.get(section.name, section.name)
    top.set_title(f"{PRIMARY_METRIC} by embedding dimension: {name} ({len(section.queries)} questions)",
                  fontsize=10)
    top.grid(True, alpha=0.3)
    top.legend(loc="best", fontsize=9)


def _delta_panel(axis: Any, section: SectionResult) -> None:
    baseline, colors = section.models[0], _colors()
    axis.axhline(0.0, color="black", linewidth=1)
    for index, model in enumerate(section.models):
        items = sorted((i for i in section.intervals if i.model == model), key=lambda i: i.dim)
        if not items:
            continue
        color = colors[index % len(colors)]
        xs = [i.dim for i in items]  # BM25 too: its one score minus the baseline's at each dim
        axis.plot(xs, [i.diff for i in items], marker="o", color=color, linewidth=2, label=f"{model} − {baseline}")
        axis.fill_between(xs, [i.low for i in items], [i.high for i in items], color=color, alpha=0.2,
                          linewidth=0, label=f"95% paired-bootstrap interval of {model} − {baseline}")
    axis.set_ylabel(f"Δ {PRIMARY_METRIC} vs {baseline}")
    axis.set_title("a band crossing 0 may be noise", fontsize=9)
    axis.grid(True, alpha=0.3)
    axis.legend(loc="best", fontsize=8)


def _dim_axis(axis: Any, section: SectionResult) -> None:
    metrics = section.metrics()
    dims = sorted({d for m in section.models if not _is_flat(section, m) for d in metrics[m]})
    if dims:
        axis.set_xscale("log", base=2)
        axis.set_xticks(dims)
        axis.set_xticklabels([str(d) for d in dims])
        axis.minorticks_off()
    axis.set_xlabel("embedding dimension")


def _is_flat(section: SectionResult, model: str) -> bool:
    """True for a dimension-free row (BM25): the same values stored under every dim."""
    return model == BM25_NAME and model != section.models[0]
