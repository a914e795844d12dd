"""The 768-dim path for real: the bundled all-mpnet-base-v2 trained a few steps at 768..64, then compared.

The rest of the suite trains MiniLM (5x faster on a CPU); this test exists to prove the default model's
whole path: assembly, Matryoshka training at every dim from 768 down, dev selection, and ``compare``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from embedforge.dataset.layout import load_dataset_dir, write_dataset_dir
from embedforge.evaluation import CompareSettings, compare
from embedforge.training import TrainSettings, train

DIMS = (768, 512, 256, 128, 64)


@pytest.mark.slow
def test_mpnet_trains_and_compares_at_768_to_64(small_dataset: Path, tmp_path: Path) -> None:
    data = load_dataset_dir(small_dataset)
    dev = sorted(data.qrels["dev"])
    data.qrels["eval"] = {q: data.qrels["dev"].pop(q) for q in dev[: len(dev) // 2]}  # held out from dev
    write_dataset_dir(tmp_path / "ds", data)

    result = train(tmp_path / "ds", tmp_path / "model", TrainSettings(
        base_model="bundled", batch_size=10, epochs=1, learning_rate=1e-4, alpha=0.7, device="cpu"))
    assert result.dims == DIMS and set(result.best_metrics) == set(DIMS)
    assert (result.alpha, result.alpha_chosen_by) == (0.7, "setting")

    report = compare(tmp_path / "ds", {"base": "bundled", "tuned": str(tmp_path / "model")}, tmp_path / "report",
                     CompareSettings(bootstrap_samples=50))
    metrics = json.loads((tmp_path / "report" / "metrics.json").read_text(encoding="utf-8"))
    for name in ("base", "tuned"):
        assert sorted(map(int, metrics["models"][name]), reverse=True) == list(DIMS)
    assert len(report.eval.queries) == len(dev) // 2
    text = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert "**tuned**: checkpoint epoch 1.0 chosen by nothing (one epoch trained); interpolation toward its " \
        "base alpha 0.7 chosen by setting" in text and "chose nothing" in text
