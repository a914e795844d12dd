"""``report.md`` and the terminal table: the comparison in words a user can act on.

The report leads with the answer (ndcg@10 per model and dim, the bootstrap
intervals with a plain verdict each), then the model-card-style metric tables, one
per dim, then the questions that moved most. Intervals that span 0 are called out:
a small eval set cannot separate close models, and saying so is the point.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from embedforge.evaluation.per_query import movers
from embedforge.evaluation.section import SectionResult
from embedforge.evaluation.settings import METRIC_NAMES, PRIMARY_METRIC
from embedforge.evaluation.table import all_dims

if TYPE_CHECKING:
    from embedforge.evaluation.result import CompareResult


def markdown_report(result: CompareResult) -> str:
    """The whole ``report.md``."""
    parts = [_header(result), _section_markdown(result.eval, result, level=2)]
    if result.handwritten is not None:
        parts.append(
            "## Hand-written questions\n\nQuestions written by hand, not generated, scored against the "
            "same corpus: a check on questions nobody tuned for.\n"
        )
        parts.append(_section_markdown(result.handwritten, result, level=3))
    return "\n".join(parts).rstrip() + "\n"


def _header(result: CompareResult) -> str:
    rows = [
        "| Model | Spec | Full dim | Dims scored | Similarity | Query prompt | Encode s |",
        "|:--|:--|--:|:--|:--|:--|--:|",
    ]
    for info in result.models:
        prompt = f"`{info.query_prompt!r}`" if info.query_prompt else "none"
        full = str(info.full_dim) if info.full_dim else "-"
        dims = ", ".join(map(str, info.dims)) if info.full_dim else "all (dimension-free)"
        rows.append(
            f"| {info.name} | `{info.spec}` | {full} | {dims} | "
            f"{info.similarity} | {prompt} | {info.encode_seconds:.1f} |"
        )
    recommendation = result.recommendation
    return (
        "# Retrieval comparison\n\n"
        + (f"**Recommendation.** {recommendation.sentence}\n\n" if recommendation else "")
        + f"Dataset `{result.dataset_dir}`: {len(result.eval.queries)} `{result.settings.split}` questions, "
        f"each ranked against all {result.corpus_size} chunks. Baseline: **{result.models[0].name}**. "
        "Each model encoded the corpus and the questions once at its full dim; smaller dims are the "
        "truncated, re-normalised embeddings. Questions are encoded with the model's query prompt "
        "(`encode_query`), as sentence-transformers' InformationRetrievalEvaluator does.\n\n"
        + "\n".join(rows)
        + "\n"
        + (f"\n{result.fusion.note}\n\n{result.fusion.weights_markdown()}\n" if result.fusion else "")
        + _selection_markdown(result)
    )


def _selection_markdown(result: CompareResult) -> str:
    """Which questions chose what: the questions scored here chose nothing."""
    lines = []
    for info in result.models:
        chosen = info.selection
        if not chosen:
            continue
        point, alpha = chosen.get("checkpoint", {}), chosen.get("alpha", {})
        lines.append(
            f"- **{info.name}**: checkpoint epoch {point.get('epoch')} chosen by {point.get('chosen_by')}; "
            f"interpolation toward its base alpha {alpha.get('value')} chosen by {alpha.get('chosen_by')}"
            f" (dev split: {chosen.get('dev_queries', 0)} questions)."
        )
    if not lines:
        return ""
    return ("\nWhat chose each fine-tuned model: the dev split, never the questions scored here. The "
            f"`{result.settings.split}` questions and the hand-written ones chose nothing.\n\n"
            + "\n".join(lines) + "\n")


def _section_markdown(section: SectionResult, result: CompareResult, level: int) -> str:
    h = "#" * level
    out = [f"{h} {PRIMARY_METRIC} by dimension\n", _summary_table(section), ""]
    out.append(_intervals_markdown(section, result, h))
    for dim in all_dims(section):
        out.append(f"{h} Metrics at dim {dim}\n")
        out.append(_card_table(section, dim))
        out.append("")
    out.append(_movers_markdown(section, h))
    return "\n".join(out)


def _summary_table(section: SectionResult) -> str:
    dims = all_dims(section)
    metrics = section.metrics()
    lines = ["| Model | " + " | ".join(str(d) for d in dims) + " |", "|:--|" + "--:|" * len(dims)]
    best = {
        d: max((metrics[m][d][PRIMARY_METRIC] for m in section.models if d in metrics[m]), default=0.0)
        for d in dims
    }
    for model in section.models:
        cells = []
        for d in dims:
            value = metrics[model].get(d, {}).get(PRIMARY_METRIC)
            cells.append(
                "-" if value is None else (f"**{value:.4f}**" if value == best[d] else f"{value:.4f}")
            )
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _intervals_markdown(section: SectionResult, result: CompareResult, h: str) -> str:
    if not section.intervals:
        return "" if len(section.models) < 2 else "_Bootstrap off: no intervals._\n"
    samples = section.intervals[0].samples
    lines = [
        f"{h}# Can the difference be trusted?\n",
        f"Paired bootstrap over the {len(section.queries)} questions ({samples} resamples, seed "
        f"{result.settings.seed}): 95% interval of each model's {PRIMARY_METRIC} minus "
        f"**{section.models[0]}**'s, at each dim both were scored at.\n",
        f"| Model | Dim | Δ {PRIMARY_METRIC} | 95% interval | P(not better) | Verdict |",
        "|:--|--:|--:|:--|--:|:--|",
    ]
    for item in section.intervals:
        lines.append(
            f"| {item.model} | {item.dim} | {item.diff:+.4f} | [{item.low:+.4f}, {item.high:+.4f}] | "
            f"{item.p_not_better:.3f} | {item.verdict()} |"
        )
    spanning = [i for i in section.intervals if i.spans_zero]
    lines.append("")
    if spanning:
        lines.append(
            f"**{len(spanning)} of {len(section.intervals)} intervals span 0**: at those dims "
            f"{len(section.queries)} questions cannot tell the models apart; the difference may be "
            "noise. More eval questions narrow the intervals.\n"
        )
    else:
        lines.append("No interval spans 0: every difference shown is larger than the resampling noise.\n")
    return "\n".join(lines)


def _card_table(section: SectionResult, dim: int) -> str:
    """Metrics at ``dim`` by model; recall@k equal to accuracy@k for every model (so it is when each
    question has one relevant chunk) joins accuracy@k's row (``accuracy@k = recall@k``), not a row of its own."""
    metrics = section.metrics()
    models = [m for m in section.models if dim in metrics[m]]
    rows: list[tuple[list[str], list[float]]] = []
    for name in METRIC_NAMES:
        values = [metrics[m][dim][name] for m in models]
        twin = name.replace("recall@", "accuracy@") if name.startswith("recall@") else None
        same = next((row for row in rows if twin in row[0]), None)
        if same is not None and all(abs(a - b) < 1e-12 for a, b in zip(same[1], values, strict=True)):
            same[0].append(name)
        else:
            rows.append(([name], values))
    lines = ["| Metric | " + " | ".join(models) + " |", "|:--|" + ":--|" * len(models)]
    for names, values in rows:
        best = max(values)
        cells = [f"**{v:.4f}**" if v == best and len(models) > 1 else f"{v:.4f}" for v in values]
        label = " = ".join(f"**{n}**" if n == PRIMARY_METRIC else n for n in names)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _movers_markdown(section: SectionResult, h: str) -> str:
    baseline, *others = section.models
    out: list[str] = []
    for model in others:
        shared = [d for d in section.dims(model) if d in section.per_query[baseline]]
        if not shared:
            continue
        dim = shared[0]
        improved, regressed = movers(section, model, dim)
        out.append(f"{h} Questions that moved most: {model} vs {baseline} at dim {dim}\n")
        out.append("Rank of the best relevant chunk among all chunks (1 = top), baseline → model.\n")
        for title, items in (("Improved", improved), ("Regressed", regressed)):
            out.append(f"**{title}**" + (": none\n" if not items else "\n"))
            if items:
                out.append("| Rank | Question |\n|:--|:--|")
                out.extend(
                    f"| {m.baseline_rank} → {m.model_rank} | {m.question.replace('|', '/')} |" for m in items
                )
                out.append("")
    return "\n".join(out)
