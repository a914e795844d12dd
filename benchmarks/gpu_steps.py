"""The steps of ``gpu_check.py``: its datasets, the training runs, the resume, the compare runs.

Each step gets ``run`` (``embedforge ARGS``, see ``gpu_check.embedforge``),
returns what it measured, and appends its verdicts to ``checks`` as
``{"check", "value", "limit", "ok"}``. Paths passed to the command line are absolute.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpu_data import make_chunks, write_dataset
from gpu_model import vocabulary_words

Run = Callable[[list[str]], dict[str, Any]]
LOSS_TOLERANCE = 0.05  # |bf16 - fp32| / fp32 of the final epoch's mean training loss
RESUME_TOLERANCE = 0.02  # |resumed - uninterrupted| / uninterrupted, epoch 2's loss (CUDA is not deterministic)
METRIC_TOLERANCE = 1e-4  # every metric of compare, CUDA vs CPU
# The default Matryoshka dims, cut to the model's size (embedforge.training.dims).
DEFAULT_DIMS = (768, 512, 256, 128, 64)


@dataclass(frozen=True)
class Sizes:
    """How much data each step uses."""

    train: int  # train pairs of the precision runs
    resume_train: int  # train pairs of the resume runs (plus ``dev`` dev questions)
    dev: int
    big: int  # chunks of the corpus pass on the device
    slice: int  # chunks of the CPU slice (and of the metrics agreement)
    queries: int  # eval questions of the compare datasets
    batch: int


SIZES = {"full": Sizes(train=16000, resume_train=2000, dev=100, big=50000, slice=2000, queries=200, batch=32),
         "smoke": Sizes(train=48, resume_train=24, dev=8, big=240, slice=60, queries=12, batch=8)}


def make_data(work: Path, model: Path, sizes: Sizes) -> dict[str, Path]:
    """The four dataset folders: ``train`` (train pairs only), ``resume`` (train + dev), ``big`` and ``slice``.

    ``slice`` is the first ``sizes.slice`` chunks of ``big`` with the same eval questions, all on chunks
    inside the slice, so the slice is a dataset of its own and the CPU encodes exactly its chunks.
    """
    words = vocabulary_words(model)
    train = make_chunks(words, sizes.train, seed=1)
    resume = make_chunks(words, sizes.resume_train + sizes.dev, seed=2)
    big = make_chunks(words, sizes.big, seed=3)
    step = sizes.slice // sizes.queries
    asked = {"eval": [i * step for i in range(sizes.queries)]}
    return {
        "train": write_dataset(work / "data-train", train, {"train": range(sizes.train)}, seed=11),
        "resume": write_dataset(work / "data-resume", resume, {
            "train": range(sizes.resume_train), "dev": range(sizes.resume_train, len(resume))}, seed=12),
        "big": write_dataset(work / "data-big", big, asked, seed=13),
        "slice": write_dataset(work / "data-slice", big[:sizes.slice], asked, seed=13),
    }


def train_step(run: Run, data: dict[str, Path], model: Path, device: str, sizes: Sizes,
               checks: list[dict[str, Any]]) -> dict[str, Any]:
    """One epoch in bf16 and in fp32 on the same pairs: samples/s, peak GPU memory, final loss; losses agree."""
    out: dict[str, Any] = {}
    for precision in ("bf16", "fp32"):
        folder = data["train"].parent / f"model-{precision}"
        report = run(["train", str(data["train"]), "--out", str(folder), "--base-model", str(model), "--epochs", "1",
                      "--batch-size", str(sizes.batch), "--precision", precision, "--device", device, "--alpha", "1"])
        log = _log(folder)
        speed = re.search(r"\(([\d.]+) samples/s, (\d+) s\)", report["stdout"])
        out[precision] = {"model_dir": str(folder), "final_loss": log[-1]["loss"], "epochs": len(log),
                          "samples_per_s": float(speed.group(1)) if speed else None,
                          "peak_gpu_gib": _gib(report["peak_gpu_bytes"]), "train_pairs": sizes.train,
                          "batch_size": sizes.batch}
    bf16, fp32 = out["bf16"]["final_loss"], out["fp32"]["final_loss"]
    gap = abs(bf16 - fp32) / abs(fp32)
    checks.append({"check": f"final loss bf16 {bf16:.4f} vs fp32 {fp32:.4f} (relative)", "value": round(gap, 4),
                   "limit": LOSS_TOLERANCE, "ok": gap <= LOSS_TOLERANCE})
    if out["fp32"]["samples_per_s"] and out["bf16"]["samples_per_s"]:
        out["bf16_speedup"] = round(out["bf16"]["samples_per_s"] / out["fp32"]["samples_per_s"], 3)
    epochs = [out["bf16"]["epochs"], out["fp32"]["epochs"]]
    checks.append({"check": "epochs trained, bf16 and fp32", "value": epochs, "limit": [1, 1], "ok": epochs == [1, 1]})
    return out


def resume_step(run: Run, data: dict[str, Path], model: Path, device: str, sizes: Sizes,
                checks: list[dict[str, Any]]) -> dict[str, Any]:
    """Two epochs with dev and kept checkpoints; cut back to epoch 1's checkpoint; ``--resume`` finishes it."""
    work = data["resume"].parent
    keep = work / "keep-checkpoints.toml"
    keep.write_text("[train]\nkeep_checkpoints = true\n", encoding="utf-8")
    common = ["train", str(data["resume"]), "--base-model", str(model), "--epochs", "2", "--batch-size",
              str(sizes.batch), "--precision", "bf16", "--device", device, "--alpha", "1", "--config", str(keep)]
    whole, cut = work / "model-two-epochs", work / "model-resumed"
    run([*common, "--out", str(whole)])
    saved = sorted((whole / "checkpoints").glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))
    shutil.copytree(saved[0], cut / "checkpoints" / saved[0].name)
    run([*common, "--out", str(cut), "--resume"])
    reference, resumed = _log(whole), _log(cut)
    epochs = [r["epoch"] for r in resumed]
    gap = abs(resumed[-1]["loss"] - reference[-1]["loss"]) / abs(reference[-1]["loss"])
    full = json.loads((model / "config.json").read_text(encoding="utf-8"))["hidden_size"]
    expected = sorted({full, *(d for d in DEFAULT_DIMS if d <= full)}, reverse=True)
    dims = [int(d) for d in resumed[-1]["metrics"]]
    checks += [
        {"check": "resumed from epoch 1's checkpoint: epochs logged", "value": epochs, "limit": [1.0, 2.0],
         "ok": epochs == [1.0, 2.0] and (cut / "modules.json").is_file()},
        {"check": "epoch 2 loss, resumed vs uninterrupted (relative)", "value": round(gap, 5),
         "limit": RESUME_TOLERANCE, "ok": gap <= RESUME_TOLERANCE},
        {"check": "dev metrics for every Matryoshka dim", "value": dims, "limit": expected, "ok": dims == expected},
    ]
    return {"checkpoint": saved[0].name, "epochs": epochs, "loss_uninterrupted": reference[-1]["loss"],
            "loss_resumed": resumed[-1]["loss"], "dims": dims,
            "dev_ndcg@10": {d: m.get("ndcg@10") for d, m in resumed[-1]["metrics"].items()}}


def compare_step(run: Run, data: dict[str, Path], model_dir: str, device: str, sizes: Sizes,
                 checks: list[dict[str, Any]]) -> dict[str, Any]:
    """The corpus pass on the device (big) and on the CPU (slice), chunks/s; the slice's metrics on both agree."""
    reports = {}
    for name, dataset, where in (("big", "big", device), ("slice-cpu", "slice", "cpu"),
                                 ("slice-device", "slice", device)):
        out = data[dataset].parent / f"report-{name}"
        report = run(["compare", str(data[dataset]), "--model", f"tuned={model_dir}", "--out", str(out),
                      "--device", where, "--bootstrap", "200"])
        metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
        seconds = metrics["runs"]["tuned"]["encode_seconds"]
        chunks = sizes.big if dataset == "big" else sizes.slice
        reports[name] = {"device": where, "chunks": chunks, "encode_seconds": seconds,
                         "chunks_per_s": round(chunks / seconds, 1) if seconds else None,
                         "peak_gpu_gib": _gib(report["peak_gpu_bytes"]), "metrics": metrics["models"]}
    cpu, dev = _numbers(reports["slice-cpu"].pop("metrics")), _numbers(reports["slice-device"].pop("metrics"))
    reports["big"].pop("metrics")
    worst = max(abs(cpu[k] - dev[k]) for k in cpu) if cpu.keys() == dev.keys() else float("inf")
    checks.append({"check": f"compare metrics, {device} vs cpu, {len(cpu)} numbers (max abs difference)",
                   "value": worst, "limit": METRIC_TOLERANCE, "ok": worst <= METRIC_TOLERANCE})
    big, cpu_speed = reports["big"]["chunks_per_s"], reports["slice-cpu"]["chunks_per_s"]
    checks.append({"check": f"corpus pass chunks/s: {device} ({sizes.big} chunks) / cpu ({sizes.slice})",
                   "value": f"{big} / {cpu_speed}", "limit": "(reported)", "ok": bool(big and cpu_speed)})
    return reports


def _log(folder: Path) -> list[dict[str, Any]]:
    lines = (folder / "training_log.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _gib(value: int | None) -> float | None:
    return None if value is None else round(value / 2**30, 3)


def _numbers(tree: Any, prefix: str = "") -> dict[str, float]:
    """Every number in a nested dict or list, by its path."""
    if isinstance(tree, dict):
        return {k: v for key, sub in tree.items() for k, v in _numbers(sub, f"{prefix}/{key}").items()}
    if isinstance(tree, list):
        return {k: v for i, sub in enumerate(tree) for k, v in _numbers(sub, f"{prefix}/{i}").items()}
    return {prefix: float(tree)} if isinstance(tree, int | float) and not isinstance(tree, bool) else {}
