"""Training settings and the result record of a training run.

`TrainSettings` holds every knob of ``embedforge train`` with the reference run's
values as defaults (batch 10, 10 epochs, learning rate 5e-5, seed 42) plus the 10 %
warm-up the reference lacked. It is checked when built, so a bad value is a one-line
error before a dataset or a model is read. `TrainResult` is what :func:`train` returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embedforge.errors import EmbedforgeError
from embedforge.settings import Settings, setting
from embedforge.training.dims import check_dims

LOSSES = ("mnrl", "cached-mnrl")
PRECISIONS = ("auto", "bf16", "fp16", "fp32")


@dataclass
class TrainSettings(Settings):
    """How to fine-tune (CLI flag in brackets).

    Attributes:
        base_model: ``bundled``, a model folder or a Hugging Face id [--base-model].
        dims: Matryoshka dims, descending; None = 768,512,256,128,64 cut to the model's size [--dims].
        batch_size: pairs per batch and device; every other pair's chunk is a negative [--batch-size].
        epochs: passes over the train pairs [--epochs].
        learning_rate: peak learning rate of the linear schedule [--learning-rate].
        warmup_ratio: share of the steps spent warming up [--warmup-ratio].
        seed: seeds model init order, shuffling and dropout [--seed].
        loss: ``mnrl`` or ``cached-mnrl`` (GradCache: large batches in small memory) [--loss].
        mini_batch_size: GradCache mini-batch for ``cached-mnrl``.
        hard_negatives: K hard negatives mined per pair with the base model; 0 = none [--hard-negatives].
        query_prompt: prompt put before every question; None = the model's own query prompt [--query-prompt].
        trust_remote_code: run code shipped with the model [--trust-remote-code].
        resume: continue from the last checkpoint this tool wrote in OUT [--resume].
        save_total_limit: checkpoints kept while training (the best one is always kept).
        keep_checkpoints: keep OUT/checkpoints after a finished run (they are large).
        device: ``cpu``, ``cuda``, ``cuda:1``; None = CUDA when present, else CPU [--device].
        precision: ``auto`` (bf16 on a CUDA card that has it, else fp16; fp32 on the CPU), ``bf16``,
            ``fp16`` (CUDA only) or ``fp32``; mixed precision keeps fp32 master weights [--precision].
            Like the device, it changes how the numbers are computed, not what is trained.
        alpha: weight of the fine-tuned model when its weights are interpolated toward the base
            (WiSE-FT); None = chosen on the dev split (0.7 without one), 1.0 = no interpolation [--alpha].
        choose_on: which questions choose the epoch and alpha: ``natural`` = the user's example questions
            (``natural_dev.jsonl``), else the dev questions that share at most half their words with their
            chunk, else all of dev; ``dev`` = all of dev (``dataset/natural.py``) [--choose-on].
        card_examples: keep sentence-transformers' card, which quotes training documents, in the model's
            README [--card-examples]; off, the card holds counts and scores only (no document text).
        push_to: a Hugging Face Hub repo id to upload the saved model to [--push-to].
    """

    base_model: str = "bundled"
    dims: tuple[int, ...] | None = None
    batch_size: int = 10
    epochs: int = 10
    learning_rate: float = 5e-5
    warmup_ratio: float = 0.1
    seed: int = 42
    loss: str = "mnrl"
    mini_batch_size: int = 16
    hard_negatives: int = 0
    query_prompt: str | None = None
    trust_remote_code: bool = False
    resume: bool = setting(False, output=False)
    save_total_limit: int = setting(2, output=False)
    keep_checkpoints: bool = setting(False, output=False)
    device: str | None = setting(None, output=False)
    precision: str = setting("auto", output=False)
    alpha: float | None = None
    choose_on: str = "natural"
    card_examples: bool = False  # an output: it decides what the model card quotes
    push_to: str | None = setting(None, output=False)  # where a copy goes, not what is trained

    def __post_init__(self) -> None:
        if self.dims is not None:
            self.dims = check_dims(self.dims)
        super().__post_init__()

    def check(self) -> None:
        _positive("batch_size", self.batch_size)
        _positive("epochs", self.epochs)
        _positive("mini_batch_size", self.mini_batch_size)
        _positive("save_total_limit", self.save_total_limit)
        if not self.learning_rate > 0:
            raise EmbedforgeError(f"learning_rate {self.learning_rate!r}: must be positive, e.g. 5e-5")
        if not 0 <= self.warmup_ratio < 1:
            raise EmbedforgeError(f"warmup_ratio {self.warmup_ratio!r}: must be in [0, 1), e.g. 0.1")
        if self.loss not in LOSSES:
            raise EmbedforgeError(f"loss {self.loss!r}: unknown loss; use one of {', '.join(LOSSES)}")
        negatives = self.hard_negatives
        if isinstance(negatives, bool) or not isinstance(negatives, int) or negatives < 0:
            raise EmbedforgeError(f"hard_negatives {self.hard_negatives!r}: must be 0 or a positive integer")
        if self.choose_on not in ("natural", "dev"):
            raise EmbedforgeError(f"choose_on {self.choose_on!r}: unknown rule; use natural or dev")
        if self.alpha is not None and not (isinstance(self.alpha, int | float) and 0 <= self.alpha <= 1):
            raise EmbedforgeError(f"alpha {self.alpha!r}: must be in [0, 1], e.g. 0.7 (1 = no interpolation, "
                                  "0 = the base model)")
        if self.device is not None and self.device.split(":")[0] not in ("cpu", "cuda"):
            raise EmbedforgeError(f"device {self.device!r}: unknown device; use cpu, cuda or cuda:N")
        if self.precision not in PRECISIONS:
            raise EmbedforgeError(f"precision {self.precision!r}: unknown precision; use {', '.join(PRECISIONS)}")


@dataclass
class TrainResult:
    """What a training run produced.

    Attributes:
        model_dir: the saved model; loads with ``SentenceTransformer(model_dir)``.
        dims: the Matryoshka dims trained and evaluated, descending.
        best_metrics: dim -> metric name (``ndcg@10``, ``mrr@10``, ``recall@10``...) -> value,
            measured on the dev split with the saved model (empty without a dev split).
        best_epoch: the epoch kept: the best on dev by mean ndcg@10 over the dims, else the last.
        train_samples: train rows (pairs, or tuples with hard negatives).
        epochs: epochs trained.
        samples_per_second: training throughput reported by the Trainer.
        train_seconds: wall time of the training loop.
        log_path: ``training_log.jsonl``, one record per epoch.
        query_prompt: the prompt questions were encoded with ("" for none).
        alpha, alpha_chosen_by: the interpolation weight toward the base and what chose it
            (``dev``, ``setting`` or ``rule``).
        model: the saved model, loaded (a ``SentenceTransformer``; None on DDP ranks other than 0).
    """

    model_dir: Path
    dims: tuple[int, ...]
    best_metrics: dict[int, dict[str, float]]
    best_epoch: float | None
    train_samples: int
    epochs: int
    samples_per_second: float
    train_seconds: float
    log_path: Path
    query_prompt: str = ""
    notes: list[str] = field(default_factory=list)
    alpha: float = 1.0
    alpha_chosen_by: str = "setting"
    model: Any = field(default=None, repr=False, compare=False)

    def format(self) -> str:
        """A few human lines: where the model is and ndcg@10 per dim."""
        scores = "  ".join(f"{d}:{m.get('ndcg@10', float('nan')):.4f}" for d, m in self.best_metrics.items())
        return (
            f"model: {self.model_dir}\n"
            f"trained {self.epochs} epochs on {self.train_samples} pairs "
            f"({self.samples_per_second:.2f} samples/s, {self.train_seconds:.0f} s); "
            f"best epoch {self.best_epoch}\n"
            f"interpolation alpha {self.alpha:.2f} (chosen by {self.alpha_chosen_by})\n"
            f"dev ndcg@10 by dim: {scores or 'no dev split'}\n"
            f"log: {self.log_path}"
        )


def _positive(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise EmbedforgeError(f"{name} {value!r}: must be a positive integer")
