"""The recommendation that opens the report: which retriever to deploy, and how sure that is.

The best row (model, dim, and for a hybrid row its fusion weight) is judged on the
hand-written questions when there are any, else on the eval split: generated eval questions
copy their chunk's words and so favour BM25, while hand-written ones are what users ask. Every
other scored set's own best is compared with it, and a disagreement is said. The interval is
a paired bootstrap of the best row against the runner-up (the best row of another retriever)
on the judging questions, with the comparison's resamples and seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from embedforge.evaluation.bootstrap import Interval, paired_interval, resample_indices
from embedforge.evaluation.section import SectionResult
from embedforge.evaluation.settings import BM25_NAME, PRIMARY_METRIC

if TYPE_CHECKING:
    from embedforge.evaluation.hybrid import Fusion
    from embedforge.evaluation.settings import CompareSettings

SET_NAMES = {"eval": "generated eval", "handwritten": "hand-written"}


@dataclass(frozen=True)
class Recommendation:
    """The best retriever of a comparison.

    Attributes:
        model, dim: the best row (``dim`` means nothing for BM25).
        weight: the dense leg's fusion weight for a hybrid row, else None; chosen_by: which questions chose it.
        judged_on: the section that judged (``handwritten`` when there is one, else ``eval``); ndcg: its mean there.
        runner_up, runner_up_dim: the best row of another retriever on the same questions, or None.
        interval: best minus runner-up, paired bootstrap (None with the bootstrap off or no runner-up).
        disagreements: one sentence per other scored set whose best row differs.
        sentence: the whole recommendation, one paragraph a user can act on (plain text, no markup).
    """

    model: str
    dim: int
    weight: float | None
    chosen_by: str | None
    judged_on: str
    questions: int
    ndcg: float
    runner_up: str | None
    runner_up_dim: int | None
    interval: Interval | None
    disagreements: tuple[str, ...]
    sentence: str

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "dim": self.dim, "fusion_weight": self.weight, "weight_chosen_by": self.chosen_by,
                "judged_on": self.judged_on, "questions": self.questions, "ndcg@10": self.ndcg,
                "runner_up": self.runner_up, "runner_up_dim": self.runner_up_dim,
                "interval": self.interval.to_dict() if self.interval else None,
                "disagreements": list(self.disagreements), "sentence": self.sentence}


def best_rows(section: SectionResult) -> list[tuple[float, str, int]]:
    """Every (mean ndcg@10, model, dim) of a section, best first; ties: earlier model, then larger dim."""
    order = {m: i for i, m in enumerate(section.models)}
    rows = [(float(v[PRIMARY_METRIC].mean()), m, d)
            for m, by_dim in section.per_query.items() for d, v in by_dim.items()]
    return sorted(rows, key=lambda r: (-r[0], order[r[1]], -r[2]))


def _label(model: str, dim: int) -> str:
    return model if model == BM25_NAME else f"{model} at dim {dim}"


def recommend(sections: list[SectionResult], settings: CompareSettings,
              fusion: Fusion | None) -> Recommendation | None:
    """The best row of a comparison, judged as the module says; None when nothing was scored.

    Args:
        sections: the scored sections, eval first; settings: the bootstrap's samples and seed;
        fusion: the weights of the hybrid rows (None without BM25).
    """
    judge = next((s for s in sections if s.name == "handwritten"), sections[0])
    rows = best_rows(judge)
    if not rows:
        return None
    ndcg, model, dim = rows[0]
    best = judge.per_query[model][dim][PRIMARY_METRIC]
    # The runner-up is another retriever that ranks differently: a hybrid row at w = 1.0 is its dense model.
    other = next(((m, d) for _, m, d in rows[1:]
                  if m != model and not np.array_equal(judge.per_query[m][d][PRIMARY_METRIC], best)), None)
    interval = None
    if other is not None and settings.bootstrap_samples > 0:
        interval = paired_interval(
            judge.per_query[model][dim][PRIMARY_METRIC], judge.per_query[other[0]][other[1]][PRIMARY_METRIC],
            resample_indices(len(judge.queries), settings.bootstrap_samples, settings.seed),
            model=model, baseline=other[0], dim=dim, metric=PRIMARY_METRIC)
    choice = fusion.weights.get(model, {}).get(dim) if fusion else None
    disagreements = tuple(_disagreement(s, judge, model, dim) for s in sections
                          if s is not judge and best_rows(s) and best_rows(s)[0][1:] != (model, dim))
    text = f"Use {_label(model, dim)}"
    if choice is not None:
        text += (f" with fusion weight w = {choice.weight:.1f} on the dense scores (1 − w on BM25), chosen on "
                 f"{choice.questions} {choice.chosen_by} questions")
    judged = SET_NAMES.get(judge.name, judge.name)
    text += f": {PRIMARY_METRIC} {ndcg:.4f} on the {len(judge.queries)} {judged} questions"
    if other is not None:
        text += f", against the runner-up {_label(*other)}"
        text += f" {interval.diff:+.4f} (95% interval [{interval.low:+.4f}, {interval.high:+.4f}]" if interval else ""
        text += ("; it spans 0, so the two cannot be told apart on these questions)" if interval and interval.spans_zero
                 else ")" if interval else "")
    text += "." + "".join(f" {d}" for d in disagreements)
    return Recommendation(model=model, dim=dim, weight=choice.weight if choice else None,
                          chosen_by=choice.chosen_by if choice else None, judged_on=judge.name,
                          questions=len(judge.queries), ndcg=ndcg, runner_up=other[0] if other else None,
                          runner_up_dim=other[1] if other else None, interval=interval,
                          disagreements=disagreements, sentence=text)


def _disagreement(section: SectionResult, judge: SectionResult, model: str, dim: int) -> str:
    ndcg, best, best_dim = best_rows(section)[0]
    name = SET_NAMES.get(section.name, section.name)
    why = (" Generated questions copy their chunk's words and favour BM25, so the hand-written questions decide."
           if judge.name != "eval" else "")
    return (f"The {len(section.queries)} {name} questions disagree: they prefer {_label(best, best_dim)} "
            f"({PRIMARY_METRIC} {ndcg:.4f}; {_label(model, dim)} scores "
            f"{float(section.per_query[model][dim][PRIMARY_METRIC].mean()):.4f} there).{why}")
