"""Killed after a checkpoint, ``resume`` finishes with the same metrics as an uninterrupted run."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from embedforge.training import TrainSettings, train
from embedforge.training.checkpoints import MARKER

SCRIPT = """
import logging, sys
import torch
from embedforge.training import TrainSettings, train
torch.set_num_threads(1)
logging.basicConfig(level=logging.INFO)
train(sys.argv[1], sys.argv[2], TrainSettings(**eval(sys.argv[3])))
"""


def test_kill_after_first_checkpoint_then_resume(  # type: ignore[no-untyped-def]
    small_run, small_dataset, small_settings, subprocess_env, tmp_path
) -> None:
    result, reference_dir = small_run
    out = tmp_path / "model"
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(small_dataset), str(out), repr(small_settings)],
        env=subprocess_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 300
    try:
        while not list(out.glob(f"checkpoints/checkpoint-*/{MARKER}")):
            if process.poll() is not None:
                stderr = process.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
                pytest.fail(f"training ended before a checkpoint: {stderr}")
            if time.monotonic() > deadline:
                pytest.fail("no checkpoint within 300 s")
            time.sleep(0.1)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    reference_log = (reference_dir / "training_log.jsonl").read_text(encoding="utf-8")
    reference = [json.loads(x) for x in reference_log.splitlines()]
    marked = sorted(p.parent.name for p in out.glob(f"checkpoints/checkpoint-*/{MARKER}"))
    assert marked == [f"checkpoint-{reference[0]['step']}"], "killed in epoch 2: only epoch 1's is complete"
    assert not (out / "modules.json").exists()

    resumed = train(small_dataset, out, TrainSettings(**small_settings, resume=True))  # type: ignore[arg-type]

    for dim in result.dims:
        for metric in ("ndcg@10", "mrr@10"):
            expected = result.best_metrics[dim][metric]
            assert resumed.best_metrics[dim][metric] == pytest.approx(expected, abs=1e-4)
    ours = [json.loads(x) for x in (out / "training_log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["epoch"] for r in ours] == [r["epoch"] for r in reference] == [1.0, 2.0]
    for a, b in zip(ours, reference, strict=True):
        assert a["loss"] == pytest.approx(b["loss"], abs=1e-4)
        assert a["metrics"]["384"]["ndcg@10"] == pytest.approx(b["metrics"]["384"]["ndcg@10"], abs=1e-4)
