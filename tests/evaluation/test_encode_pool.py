"""compare's multi-process corpus pass: when it is used, and that it scores exactly what one process does."""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path

import pytest

from embedforge.errors import EmbedforgeError
from embedforge.evaluation import CompareSettings, compare
from embedforge.evaluation.encode_pool import pool_devices, single_device


def test_a_device_list_is_a_pool_and_one_device_is_not() -> None:
    assert pool_devices("cuda:0, cuda:1", 5, 20_000) == ["cuda:0", "cuda:1"]
    assert pool_devices("cpu,cpu,cpu", 5, 0) == ["cpu", "cpu", "cpu"]
    assert pool_devices("cuda", 10**7, 20_000) is None
    assert pool_devices("cpu,", 10**7, 20_000) is None
    assert single_device("cuda:0,cuda:1") == "cpu" and single_device("cuda") == "cuda" and single_device(None) is None


def test_the_automatic_pool_needs_several_gpus_and_a_large_corpus() -> None:
    import torch

    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    expected = [f"cuda:{i}" for i in range(gpus)] if gpus > 1 else None
    assert pool_devices(None, 20_000, 20_000) == expected
    assert pool_devices(None, 19_999, 20_000) is None
    assert pool_devices(None, 10**7, 0) is None  # 0 turns the automatic pool off


def test_a_negative_threshold_is_refused() -> None:
    with pytest.raises(EmbedforgeError, match="pool_min_chunks: must be 0"):
        CompareSettings(pool_min_chunks=-1)


def test_a_pool_of_two_cpu_processes_scores_what_one_process_does(
    dataset_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    threads_before = os.environ.get("OMP_NUM_THREADS")
    base = CompareSettings(dims=(256, 64), bootstrap_samples=0, device="cpu")
    one = compare(dataset_dir, {"base": "bundled-minilm"}, tmp_path / "one", base)
    with caplog.at_level(logging.INFO, logger="embedforge.evaluation.encode_pool"):
        pooled = compare(dataset_dir, {"base": "bundled-minilm"}, tmp_path / "pool",
                         dataclasses.replace(base, device="cpu,cpu"))
    assert "encoding with a pool of 2 processes on cpu, cpu" in caplog.text
    assert os.environ.get("OMP_NUM_THREADS") == threads_before  # the workers' setting is not left behind
    for dim, metrics in one.metrics()["base"].items():
        for name, value in metrics.items():
            assert pooled.metrics()["base"][dim][name] == pytest.approx(value, abs=1e-6), (dim, name)
