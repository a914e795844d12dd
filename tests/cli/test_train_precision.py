"""``embedforge train --precision``, through the installed console script: a precision the device lacks, or
an unknown one, is one ``error:`` line and exit 2, before any model is loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from embedforge.dataset.layout import RetrievalDataset, write_dataset_dir

SCRIPT = Path(sys.executable).with_name("embedforge")


def _train(tmp_path: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONWARNINGS": "ignore", "CUDA_VISIBLE_DEVICES": ""}
    return subprocess.run([str(SCRIPT), "train", str(tmp_path / "ds"), "--out", str(tmp_path / "model"), *flags],
                          capture_output=True, text=True, timeout=300, env=env)


def test_precision_the_device_lacks_or_unknown_is_one_line_exit_2(tmp_path: Path) -> None:
    corpus = {f"c{i}": {"title": "", "text": f"chunk number {i} about motor neurons"} for i in range(4)}
    queries = {f"q{i}": {"text": f"question {i}?"} for i in range(4)}
    qrels = {"train": {f"q{i}": {f"c{i}"} for i in range(4)}}
    write_dataset_dir(tmp_path / "ds", RetrievalDataset(corpus, queries, qrels))

    unknown = _train(tmp_path, "--precision", "fp8", "--batch-size", "2")
    assert unknown.returncode == 2, unknown.stderr
    assert unknown.stderr.strip().splitlines() == [
        "error: --precision fp8: unknown precision; use auto, bf16, fp16, fp32"], unknown.stderr

    lacking = _train(tmp_path, "--precision", "fp16", "--device", "cpu", "--batch-size", "2")
    assert lacking.returncode == 2, lacking.stderr
    lines = lacking.stderr.strip().splitlines()
    assert lines[-1].startswith("error: --precision fp16: needs a CUDA GPU, training is on cpu"), lacking.stderr
    assert "Traceback" not in lacking.stderr and not (tmp_path / "model" / "checkpoints").exists()
