"""Training progress: one log line and one ``training_log.jsonl`` record per epoch.

The Trainer's own history (``state.log_history``) holds the epoch's mean loss and the
evaluator's metrics; it is saved in every checkpoint, so after ``--resume`` the log
is rebuilt with the epochs before the interruption too. The Trainer's tqdm bar stays, drawn
by embedforge's policy (:func:`embedforge.progress.bar`: on a terminal, never under ``--quiet``);
its habit of printing raw metric dicts is replaced by the one line::

    epoch 3/10  loss 0.4120  ndcg@10 384:0.7100 256:0.6900 128:0.6500 64:0.5800
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from transformers.trainer_callback import ProgressCallback

from embedforge.files import write_jsonl
from embedforge.progress import bar
from embedforge.training.evaluator import metrics_by_dim

log = logging.getLogger(__name__)


def epoch_records(
    history: list[dict[str, Any]], dims: tuple[int, ...], similarity: str, evaluated: bool = True
) -> list[dict[str, Any]]:
    """One record per epoch: epoch, step, loss, learning rate, metrics by dim.

    With ``evaluated`` False (no dev split, nothing evaluated while training) each logged
    epoch loss is a record, with empty metrics.
    """
    losses = {entry["step"]: entry for entry in history if "loss" in entry}
    records = []
    for entry in history:
        by_dim = metrics_by_dim(entry, dims, similarity)
        if not by_dim and (evaluated or "loss" not in entry):
            continue
        train = losses.get(entry["step"], {})
        records.append({
            "epoch": round(float(entry.get("epoch") or 0), 4),
            "step": entry["step"],
            "loss": train.get("loss"),
            "learning_rate": train.get("learning_rate"),
            "metrics": {str(dim): values for dim, values in by_dim.items()},
        })
    return records


def format_epoch(record: dict[str, Any], epochs: int) -> str:
    """``epoch 3/10  loss 0.4120  ndcg@10 384:0.7100 256:0.6900 ...``"""
    loss = record["loss"]
    metrics = record["metrics"]
    scores = " ".join(f"{dim}:{values.get('ndcg@10', float('nan')):.4f}" for dim, values in metrics.items())
    loss_text = f"{loss:.4f}" if isinstance(loss, int | float) else "n/a"
    shown = f"ndcg@10 {scores}" if metrics else "(no dev split: not evaluated)"
    return f"epoch {round(record['epoch'])}/{epochs}  loss {loss_text}  {shown}"


class EpochLog(ProgressCallback):
    """The Trainer's progress bar, plus the per-epoch line and ``training_log.jsonl`` (main process only)."""

    def __init__(self, log_path: Path, dims: tuple[int, ...], similarity: str, epochs: int) -> None:
        super().__init__()
        self.log_path = log_path
        self.dims = dims
        self.similarity = similarity
        self.epochs = epochs

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        """The Trainer's bar, as ProgressCallback draws it but by embedforge's policy."""
        self.current_step = 0
        if state.is_world_process_zero:
            self.training_bar = bar(total=state.max_steps, dynamic_ncols=True, auto=True)

    def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
        """Keep the bar; do not print the raw dicts. Without evaluation, an epoch's loss makes its record."""
        if args.eval_strategy == "no" and logs and "loss" in logs and state.is_world_process_zero:
            self._write(state, evaluated=False)

    def on_evaluate(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        super().on_evaluate(args, state, control, **kwargs)
        if not state.is_world_process_zero:
            return
        # The Trainer logs the epoch's loss, then the metrics, into its history before this call.
        self._write(state, evaluated=True)

    def _write(self, state: Any, evaluated: bool) -> None:
        records = epoch_records(state.log_history, self.dims, self.similarity, evaluated)
        write_jsonl(self.log_path, records)
        if records:
            log.info("%s", format_epoch(records[-1], self.epochs))
