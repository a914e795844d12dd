"""BM25 + dense fusion: a convex combination of normalised scores, and reciprocal rank fusion.

What a user deploys is a retriever, not an embedder, and the two legs fail on different
questions: BM25 on paraphrases, a dense model on rare exact terms. A convex combination of
per-query min-max-normalised scores, ``w * dense + (1 - w) * bm25``, with ``w`` tuned on a
small labelled set beats reciprocal rank fusion in and out of domain (Bruch et al., TOIS
2023); RRF (k = 60, untuned) is reported beside it as the baseline.

:func:`choose_weight` is the one place a weight is chosen. It takes the scores of the
choosing questions only (the dev split, or the user's natural dev questions), never the
eval split or a hand-written set, so the questions a comparison scores choose nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from embedforge.evaluation.metrics import RelevancePairs, per_query_metrics, rank_table, ranks_from_scores
from embedforge.evaluation.settings import PRIMARY_METRIC

WEIGHTS: tuple[float, ...] = tuple(round(i / 10, 1) for i in range(11))  # 0.0 (BM25 alone) .. 1.0 (dense alone)
RRF_K = 60


def minmax_rows(scores: np.ndarray) -> np.ndarray:
    """Each row scaled to [0, 1] by its own min and max (float64); a constant row becomes all 0.

    A constant row (a question of stop words only, for BM25) carries no ranking, so it adds
    nothing to the fused score rather than a constant that could be mistaken for agreement.
    """
    values = np.asarray(scores, dtype=np.float64)
    low = values.min(axis=1, keepdims=True)
    span = values.max(axis=1, keepdims=True) - low
    safe = np.where(span > 0, span, 1.0)
    return np.where(span > 0, (values - low) / safe, 0.0)


def convex_fusion(dense: np.ndarray, bm25: np.ndarray, weight: float) -> np.ndarray:
    """(questions x chunks) ``weight * minmax(dense) + (1 - weight) * minmax(bm25)``, float64.

    Raises:
        ValueError: the weight is outside [0, 1] or the two score matrices differ in shape.
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"fusion weight {weight!r} is outside [0, 1]")
    if dense.shape != bm25.shape:
        raise ValueError(f"dense scores {dense.shape} and BM25 scores {bm25.shape} differ in shape")
    return weight * minmax_rows(dense) + (1.0 - weight) * minmax_rows(bm25)


def descending_ranks(scores: np.ndarray) -> np.ndarray:
    """1-based rank of every chunk in each row by descending score, ties broken by column order."""
    order = np.argsort(-np.asarray(scores, dtype=np.float64), axis=1, kind="stable")
    ranks = np.empty_like(order)
    rows = np.arange(order.shape[0])[:, None]
    ranks[rows, order] = np.arange(1, order.shape[1] + 1)[None, :]
    return ranks


def rrf_fusion(dense: np.ndarray, bm25: np.ndarray, k: int = RRF_K) -> np.ndarray:
    """(questions x chunks) reciprocal rank fusion: ``1 / (k + rank_dense) + 1 / (k + rank_bm25)``."""
    if dense.shape != bm25.shape:
        raise ValueError(f"dense scores {dense.shape} and BM25 scores {bm25.shape} differ in shape")
    return 1.0 / (k + descending_ranks(dense)) + 1.0 / (k + descending_ranks(bm25))


def mean_ndcg(scores: np.ndarray, pairs: RelevancePairs) -> float:
    """Mean ndcg@10 of a (questions x chunks) score matrix, ranked as every other row of ``compare``."""
    table = rank_table(ranks_from_scores(torch.from_numpy(np.ascontiguousarray(scores)), pairs), pairs)
    return float(per_query_metrics(table, pairs.n_relevant)[PRIMARY_METRIC].mean())


@dataclass(frozen=True)
class WeightChoice:
    """The fusion weight chosen on the choosing questions.

    Attributes:
        weight: the dense leg's weight ``w`` (BM25 gets ``1 - w``).
        chosen_by: the label of the question set that chose it (``dev (generated)``...).
        questions: how many questions chose it.
        scores: mean ndcg@10 on those questions for every candidate weight.
    """

    weight: float
    chosen_by: str
    questions: int
    scores: dict[float, float]

    def to_dict(self) -> dict[str, object]:
        return {"weight": self.weight, "chosen_by": self.chosen_by, "questions": self.questions,
                "candidates": {f"{w:.1f}": round(v, 6) for w, v in self.scores.items()},
                "ties": "the larger weight (more dense) wins"}


def choose_weight(dense: np.ndarray, bm25: np.ndarray, pairs: RelevancePairs, chosen_by: str) -> WeightChoice:
    """The weight in :data:`WEIGHTS` with the best mean ndcg@10 on the choosing questions.

    Args:
        dense, bm25: (choosing questions x chunks) scores of the two legs, nothing else.
        pairs: the choosing questions' relevant chunks.
        chosen_by: the label of the choosing set, recorded with the choice.

    Ties (equal means to 1e-12) go to the larger weight: with no evidence either way the dense
    leg, which generalises to paraphrased questions, gets the benefit of the doubt.
    """
    scores = {w: mean_ndcg(convex_fusion(dense, bm25, w), pairs) for w in WEIGHTS}
    best = max(scores.values())
    weight = max(w for w, value in scores.items() if value >= best - 1e-12)
    return WeightChoice(weight=weight, chosen_by=chosen_by, questions=pairs.n_queries, scores=scores)
