"""BM25 + dense fusion: the fused scores against a direct numpy computation, and how the weight is chosen."""

from __future__ import annotations

import numpy as np

from embedforge.evaluation.fusion import WEIGHTS, choose_weight, convex_fusion, minmax_rows, rrf_fusion
from embedforge.evaluation.metrics import RelevancePairs

RNG = np.random.default_rng(3)
DENSE = RNG.normal(size=(4, 9))
BM25 = np.abs(RNG.normal(size=(4, 9))) * 7
BM25[2] = 0.0  # a question of stop words only: BM25 scores every chunk 0
DENSE[3, 4] = DENSE[3, 5]  # a tie inside a row


def _minmax_by_hand(row: np.ndarray) -> list[float]:
    low, high = min(row), max(row)
    return [0.0 if high == low else (value - low) / (high - low) for value in row]


def test_convex_fusion_equals_numpy() -> None:
    for weight in (0.0, 0.3, 0.7, 1.0):
        expected = np.array([[weight * d + (1 - weight) * b for d, b in zip(_minmax_by_hand(dr), _minmax_by_hand(br),
                                                                              strict=True)]
                             for dr, br in zip(DENSE, BM25, strict=True)])
        assert np.abs(convex_fusion(DENSE, BM25, weight) - expected).max() < 1e-9


def test_constant_row_normalises_to_zero() -> None:
    assert not minmax_rows(BM25)[2].any()
    assert minmax_rows(DENSE).min() == 0.0 and minmax_rows(DENSE).max() == 1.0


def test_rrf_equals_numpy() -> None:
    def ranks(row: np.ndarray) -> list[int]:  # 1 + higher scores + equal scores earlier in the row
        return [1 + sum(1 for j, o in enumerate(row) if o > s or (o == s and j < i)) for i, s in enumerate(row)]

    expected = np.array([[1 / (60 + a) + 1 / (60 + b) for a, b in zip(ranks(dr), ranks(br), strict=True)]
                         for dr, br in zip(DENSE, BM25, strict=True)])
    assert np.abs(rrf_fusion(DENSE, BM25) - expected).max() < 1e-9


def _pairs(relevant_columns: list[int], n: int) -> RelevancePairs:
    ids = [f"c{i:02d}" for i in range(n)]
    return RelevancePairs(ids, [frozenset({ids[c]}) for c in relevant_columns])


def test_weight_ties_go_to_the_larger_weight() -> None:
    dense = np.eye(3)  # both legs put each question's own chunk first: every weight scores 1.0
    choice = choose_weight(dense, dense * 5, _pairs([0, 1, 2], 3), "dev (generated)")
    assert set(choice.scores.values()) == {1.0} and choice.weight == 1.0
    assert tuple(choice.scores) == WEIGHTS and choice.chosen_by == "dev (generated)" and choice.questions == 3


def test_weight_is_the_best_on_the_choosing_questions() -> None:
    dense = np.array([[0.9, 1.0, 0.0], [0.0, 1.0, 0.9]])  # dense alone ranks the answer second
    bm25 = np.array([[1.0, 0.0, 0.8], [0.8, 0.0, 1.0]])   # BM25 alone ranks it first
    choice = choose_weight(dense, bm25, _pairs([0, 2], 3), "dev (generated)")
    assert choice.scores[0.0] == 1.0 and choice.scores[1.0] < 1.0
    best = max(choice.scores.values())
    assert choice.scores[choice.weight] == best
    assert choice.weight == max(w for w, v in choice.scores.items() if v == best)
    assert choice.weight == 0.9  # ties: the largest weight that still ranks the answer first
