"""Paired bootstrap intervals: can the ndcg@10 difference between two models be trusted?

An eval set of 25 questions is noisy: one question moving from rank 1 to rank 3
shifts the mean ndcg@10 by 0.02. Resampling the questions with replacement (the
same resample for both models, hence "paired") and taking the 2.5th and 97.5th
percentiles of the mean difference gives a 95% interval; one that spans 0 means the
data cannot tell the models apart. The resamples are drawn once, seeded, and shared
by every model and dim so that the intervals are comparable and reproducible.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    """The bootstrap interval of ``model`` minus ``baseline`` on one metric at one dim.

    Attributes:
        diff: observed mean difference (model - baseline).
        low, high: the 95% percentile interval of the resampled mean difference.
        p_not_better: share of resamples where the model is not ahead (difference <= 0).
        spans_zero: low <= 0 <= high: the data cannot tell the two apart.
    """

    model: str
    baseline: str
    dim: int
    metric: str
    diff: float
    low: float
    high: float
    p_not_better: float
    samples: int

    @property
    def spans_zero(self) -> bool:
        return self.low <= 0.0 <= self.high

    def verdict(self) -> str:
        """One plain sentence on what the interval says."""
        if self.spans_zero:
            return "interval spans 0: not distinguishable from noise"
        return "better than the baseline" if self.low > 0 else "worse than the baseline"

    def to_dict(self) -> dict[str, Any]:
        row = asdict(self)
        row["spans_zero"] = self.spans_zero
        return row


def resample_indices(n_queries: int, samples: int, seed: int) -> np.ndarray:
    """(samples x n_queries) query indices drawn with replacement, seeded."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, n_queries, size=(samples, n_queries))


def paired_interval(
    model_values: np.ndarray,
    baseline_values: np.ndarray,
    indices: np.ndarray,
    *,
    model: str,
    baseline: str,
    dim: int,
    metric: str,
) -> Interval:
    """The paired bootstrap interval of mean(model - baseline) over per-query values.

    Args:
        model_values, baseline_values: one value per query, same query order.
        indices: from :func:`resample_indices` (at least one row).
    """
    diffs = np.asarray(model_values, dtype=np.float64) - np.asarray(baseline_values, dtype=np.float64)
    means = diffs[indices].mean(axis=1)
    tail = (1.0 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return Interval(
        model=model,
        baseline=baseline,
        dim=dim,
        metric=metric,
        diff=float(diffs.mean()),
        low=float(low),
        high=float(high),
        p_not_better=float((means <= 0).mean()),
        samples=int(indices.shape[0]),
    )
