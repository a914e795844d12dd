"""Paired bootstrap: equal to a direct resampling loop, seeded, and honest about intervals spanning 0."""

from __future__ import annotations

import numpy as np

from embedforge.evaluation.bootstrap import paired_interval, resample_indices


def reference_interval(model: np.ndarray, base: np.ndarray, samples: int, seed: int) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    means = []
    for _ in range(samples):
        pick = rng.integers(0, len(model), size=len(model))
        means.append(float(np.mean([model[i] - base[i] for i in pick])))
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def test_equals_a_plain_resampling_loop() -> None:
    rng = np.random.default_rng(0)
    base, model = rng.random(25), rng.random(25)
    found = paired_interval(
        model, base, resample_indices(25, 500, 42), model="m", baseline="b", dim=64, metric="ndcg@10"
    )
    low, high = reference_interval(model, base, 500, 42)
    assert abs(found.low - low) < 1e-12 and abs(found.high - high) < 1e-12
    assert abs(found.diff - float(np.mean(model - base))) < 1e-12


def test_clear_gain_excludes_zero_and_noise_spans_it() -> None:
    rng = np.random.default_rng(1)
    base = rng.random(25) * 0.5
    indices = resample_indices(25, 1000, 42)
    better = paired_interval(base + 0.3, base, indices, model="m", baseline="b", dim=64, metric="ndcg@10")
    assert better.low > 0 and not better.spans_zero and better.verdict() == "better than the baseline"
    noisy = paired_interval(
        base + rng.normal(0, 0.2, 25), base, indices, model="m", baseline="b", dim=64, metric="ndcg@10"
    )
    same = paired_interval(base, base, indices, model="m", baseline="b", dim=64, metric="ndcg@10")
    assert same.spans_zero and same.low == same.high == 0.0 and same.p_not_better == 1.0
    assert noisy.spans_zero and "spans 0" in noisy.verdict()


def test_seeded() -> None:
    assert (resample_indices(20, 50, 7) == resample_indices(20, 50, 7)).all()
    assert not (resample_indices(20, 50, 7) == resample_indices(20, 50, 8)).all()
