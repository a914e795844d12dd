"""Several processes: ``torchrun --nproc_per_node 2 -m embedforge train`` (DDP on the CPU over gloo)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sentence_transformers import SentenceTransformer

pytestmark = pytest.mark.slow  # runs a real model


def test_torchrun_two_processes_on_cpu(
    small_dataset: Path, subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    torchrun = Path(sys.executable).with_name("torchrun")
    if not torchrun.is_file():
        torchrun = Path(shutil.which("torchrun") or "torchrun")
    out = tmp_path / "model"
    completed = subprocess.run(
        [str(torchrun), "--standalone", "--nproc_per_node", "2", "-m", "embedforge", "train",
         str(small_dataset), "--out", str(out), "--base-model", "bundled-minilm", "--batch-size", "4", "--epochs", "1",
         "--device", "cpu"],
        env=subprocess_env, capture_output=True, text=True, timeout=600, check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    records = [json.loads(x) for x in (out / "training_log.jsonl").read_text(encoding="utf-8").splitlines()]
    # 20 pairs, batch 4 per process, 2 processes: 2 steps an epoch (one process would take 5).
    assert len(records) == 1 and records[0]["step"] == 2
    assert records[0]["metrics"]["384"]["ndcg@10"] > 0
    model = SentenceTransformer(str(out), device="cpu")
    assert model.encode(["ALS"], truncate_dim=64).shape == (1, 64)
    pytest.importorskip("torch.distributed")
