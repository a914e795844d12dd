"""The report's opening recommendation, on hand-made per-question scores (no model)."""

from __future__ import annotations

import numpy as np

from embedforge.evaluation.bootstrap import paired_interval, resample_indices
from embedforge.evaluation.fusion import WeightChoice
from embedforge.evaluation.hybrid import Fusion
from embedforge.evaluation.queries import EvalQueries
from embedforge.evaluation.recommend import recommend
from embedforge.evaluation.section import SectionResult
from embedforge.evaluation.settings import CompareSettings

HYBRID = "hybrid(bm25+tuned)"


def section(name: str, ndcg: dict[tuple[str, int], list[float]]) -> SectionResult:
    n = len(next(iter(ndcg.values())))
    queries = EvalQueries(ids=tuple(f"q{i}" for i in range(n)), texts=tuple(f"question {i}" for i in range(n)),
                          relevant=tuple(frozenset({"c"}) for _ in range(n)))
    result = SectionResult(name, queries)
    for (model, dim), values in ndcg.items():
        result.per_query.setdefault(model, {})[dim] = {"ndcg@10": np.array(values, dtype=np.float64)}
    return result


def fusion_with(weight: float) -> Fusion:
    choice = WeightChoice(weight=weight, chosen_by="dev (generated)", questions=12, scores={weight: 0.9})
    return Fusion(corpus_ids=[], sections=[], pairs=[], bm25=[], choosing=None,
                  weights={HYBRID: {256: choice, 64: choice}})


def test_hand_written_questions_decide_and_the_disagreement_is_said() -> None:
    evaluation = section("eval", {("base", 256): [0.5, 0.6, 0.7, 0.6], ("tuned", 256): [0.7, 0.8, 0.7, 0.9],
                                  ("bm25", 256): [1.0, 1.0, 0.9, 1.0], (HYBRID, 256): [0.9, 0.9, 0.8, 1.0]})
    handwritten = section("handwritten", {("base", 256): [0.3, 0.5, 0.4], ("tuned", 256): [0.6, 0.7, 0.5],
                                          ("bm25", 256): [0.2, 0.3, 0.1], (HYBRID, 256): [0.8, 0.9, 0.6]})
    settings = CompareSettings(bootstrap_samples=200, seed=5)
    rec = recommend([evaluation, handwritten], settings, fusion_with(0.7))
    assert rec is not None
    assert (rec.model, rec.dim, rec.weight, rec.judged_on, rec.questions) == (HYBRID, 256, 0.7, "handwritten", 3)
    assert (rec.runner_up, rec.runner_up_dim) == ("tuned", 256)
    expected = paired_interval(np.array([0.8, 0.9, 0.6]), np.array([0.6, 0.7, 0.5]), resample_indices(3, 200, 5),
                               model=HYBRID, baseline="tuned", dim=256, metric="ndcg@10")
    assert rec.interval == expected
    assert rec.sentence.startswith(f"Use {HYBRID} at dim 256 with fusion weight w = 0.7 on the dense scores")
    assert "chosen on 12 dev (generated) questions" in rec.sentence and "runner-up tuned at dim 256" in rec.sentence
    (said,) = rec.disagreements
    assert "The 4 generated eval questions disagree: they prefer bm25 (ndcg@10 0.9750" in said
    assert "so the hand-written questions decide" in said and rec.to_dict()["disagreements"] == [said]


def test_without_hand_written_questions_eval_decides() -> None:
    evaluation = section("eval", {("base", 256): [0.5, 0.6], ("base", 64): [0.5, 0.6], ("bm25", 256): [0.4, 0.5]})
    rec = recommend([evaluation], CompareSettings(bootstrap_samples=0), None)
    assert rec is not None and (rec.model, rec.dim, rec.weight, rec.interval) == ("base", 256, None, None)
    assert rec.judged_on == "eval" and rec.disagreements == () and rec.runner_up == "bm25"
    assert rec.sentence == ("Use base at dim 256: ndcg@10 0.5500 on the 2 generated eval questions, "
                            "against the runner-up bm25.")


def test_the_runner_up_ranks_differently() -> None:
    """A hybrid row at w = 1.0 is its dense model, question for question: it is not the runner-up."""
    evaluation = section("eval", {("tuned", 256): [0.7, 0.8, 0.6], (HYBRID, 256): [0.7, 0.8, 0.6],
                                  ("base", 256): [0.5, 0.8, 0.4]})
    rec = recommend([evaluation], CompareSettings(bootstrap_samples=50), fusion_with(1.0))
    assert rec is not None and rec.model == "tuned" and (rec.runner_up, rec.runner_up_dim) == ("base", 256)
    assert rec.interval is not None and rec.interval.diff > 0
