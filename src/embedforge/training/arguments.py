"""TrainSettings -> sentence-transformers' training arguments, and the device to train on.

There is no config system of our own: one function maps the settings onto
``SentenceTransformerTrainingArguments``. What it fixes, and why:

- the no-duplicates batch sampler, so a batch never holds the same chunk (or question)
  twice; the reference's 2 questions per chunk put a pair's positive among its own
  in-batch negatives;
- evaluation and a checkpoint every epoch, the best one (ndcg@10 at the largest dim)
  loaded at the end;
- seed and data seed, and full determinism on the CPU (same data + seed = same metrics);
- bf16 on CUDA cards that support it, else fp16; fp32 on the CPU (``--precision`` overrides).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from embedforge import progress
from embedforge.errors import EmbedforgeError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformerTrainingArguments

    from embedforge.training.settings import TrainSettings


def world_size() -> int:
    """Processes in this run: 1, or N under ``torchrun --nproc_per_node N``."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def pick_device(requested: str | None) -> str:
    """``cpu`` or ``cuda[:N]``: the requested one if usable, else CUDA when present, else CPU.

    Raises:
        EmbedforgeError: CUDA asked for but absent, or ``cuda:N`` outside torchrun.
    """
    import torch

    if requested is None:
        requested = "cuda" if torch.cuda.is_available() else "cpu"
    if requested.startswith("cuda"):
        if not torch.cuda.is_available():
            raise EmbedforgeError(f"--device {requested}: no CUDA GPU is visible; use --device cpu")
        if requested not in ("cuda", "cuda:0"):
            # The Trainer always trains on the first visible card of each process.
            raise EmbedforgeError(
                f"--device {requested}: pick the card with CUDA_VISIBLE_DEVICES={requested.split(':')[1]} "
                "and --device cuda"
            )
        if world_size() > 1:
            return f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}"
    return requested


def precision(device: str, requested: str = "auto") -> tuple[bool, bool]:
    """(bf16, fp16) for ``device`` and the ``--precision`` asked for.

    ``auto``: bf16 where the CUDA card supports it, else fp16; neither on the CPU. ``fp32``: neither.
    ``bf16`` runs anywhere torch has bf16 autocast (the CPU too); ``fp16`` needs CUDA.

    Raises:
        EmbedforgeError: ``fp16`` on the CPU, or ``bf16`` on a CUDA card without it.
    """
    import torch

    on_cuda = device.startswith("cuda")
    if requested == "fp32":
        return False, False
    if requested == "fp16" and not on_cuda:
        raise EmbedforgeError(f"--precision fp16: needs a CUDA GPU, training is on {device}; use bf16 or fp32")
    if requested == "bf16" and on_cuda and not torch.cuda.is_bf16_supported():
        raise EmbedforgeError("--precision bf16: this CUDA card has no bf16; use fp16 or fp32")
    if requested != "auto":
        return requested == "bf16", requested == "fp16"
    if not on_cuda:
        return False, False
    bf16 = bool(torch.cuda.is_bf16_supported())
    return bf16, not bf16


def training_arguments(
    settings: TrainSettings,
    output_dir: Path,
    metric_for_best_model: str | None,
    prompts: dict[str, str],
    device: str,
) -> SentenceTransformerTrainingArguments:
    """The Trainer's arguments for ``settings``; checkpoints go to ``output_dir``."""
    from sentence_transformers import SentenceTransformerTrainingArguments
    from sentence_transformers.base.sampler import BatchSamplers

    bf16, fp16 = precision(device, settings.precision)
    on_cpu = device == "cpu"
    return SentenceTransformerTrainingArguments(
        output_dir=str(output_dir),
        num_train_epochs=settings.epochs,
        per_device_train_batch_size=settings.batch_size,
        per_device_eval_batch_size=settings.batch_size,
        learning_rate=settings.learning_rate,
        # A float warm-up is a ratio of the total steps (transformers >= 5).
        warmup_steps=settings.warmup_ratio if settings.warmup_ratio > 0 else 0,
        lr_scheduler_type="linear",
        seed=settings.seed,
        data_seed=settings.seed,
        # Deterministic kernels are cheap on the CPU; on CUDA they cost speed and some ops lack them.
        full_determinism=on_cpu,
        use_cpu=on_cpu,
        ddp_backend="gloo" if on_cpu and world_size() > 1 else None,
        bf16=bf16,
        fp16=fp16,
        batch_sampler=BatchSamplers.NO_DUPLICATES,
        prompts=prompts or None,
        # Without a dev split nothing is evaluated while training and the last epoch is kept.
        eval_strategy="epoch" if metric_for_best_model else "no",
        save_strategy="epoch",
        logging_strategy="epoch",
        save_total_limit=settings.save_total_limit,
        load_best_model_at_end=metric_for_best_model is not None,
        metric_for_best_model=metric_for_best_model,
        greater_is_better=True,
        report_to="none",
        dataloader_num_workers=0,
        dataloader_pin_memory=not on_cpu,
        disable_tqdm=not progress.shown(),
    )
