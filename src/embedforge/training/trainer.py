"""``train(dataset_dir, out_dir, settings)``: fine-tune an embedder on a dataset folder.

Order matters: every input check (settings, dataset folder, the batch the train split fills, model SPEC,
dims the model folder declares, checkpoints for ``--resume``) runs before a model is
loaded, so bad input is a one-line error, not a stack trace minutes in. Then the base
model is loaded (safetensors only, remote code only if asked), dims fitted, prompts
set, hard negatives mined if asked, and sentence-transformers' Trainer runs with
MatryoshkaLoss over MNRL, evaluating and checkpointing every epoch. The best
checkpoint is re-evaluated and saved as a plain ``SentenceTransformer(path)`` folder
with the checkpoints in ``OUT/checkpoints`` (removed after success unless kept).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from embedforge.embedder import is_hub_id, load_embedder, resolve_model
from embedforge.errors import EmbedforgeError
from embedforge.files import is_disk_full
from embedforge.fingerprint import object_hash
from embedforge.training.arguments import pick_device, precision, training_arguments, world_size
from embedforge.training.checkpoints import CheckpointMarker, interrupted_checkpoint, resume_checkpoint
from embedforge.training.data import TrainingData, check_negatives, load_training_data, mine_negatives
from embedforge.training.dims import output_dim_from_files, resolve_dims
from embedforge.training.evaluator import MEAN_KEY, build_evaluator, metrics_by_dim
from embedforge.training.interpolation import AlphaChoice, choose_alpha, snapshot
from embedforge.training.loss import build_loss
from embedforge.training.model_card import CardFacts, append_card_section
from embedforge.training.progress import EpochLog
from embedforge.training.prompts import apply_prompts
from embedforge.training.publish import (
    CHECKPOINTS_DIR,
    LOG_FILE,
    TRASH_DIR,
    check_free_space,
    publish,
    weights_bytes,
)
from embedforge.training.settings import TrainResult, TrainSettings

log = logging.getLogger(__name__)



def train(dataset_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str],
          settings: TrainSettings | None = None) -> TrainResult:
    """Fine-tune ``settings.base_model`` on the train pairs of ``dataset_dir``; save it to ``out_dir``.

    Returns:
        A :class:`TrainResult` (on DDP ranks other than 0: without metrics).

    An interrupted training of the same settings, data and base model in ``out`` is continued
    from its last complete checkpoint, with or without ``settings.resume``.

    Raises:
        EmbedforgeError: bad settings, dataset folder, model SPEC, dims or checkpoints, or too little
            free space, before training; the disk filling up while training (naming ``out``).
    """
    settings = settings or TrainSettings()
    out = Path(out_dir)
    data, settings, config_hash, resume_from = _check_inputs(dataset_dir, out, settings)
    try:
        return _train(data, out, settings, config_hash, resume_from)
    except Exception as exc:
        if is_disk_full(exc) and not isinstance(exc, EmbedforgeError):
            raise EmbedforgeError(f"{out}: no space left on the device while training; free some space and "
                                  "rerun the same command (it continues from the last checkpoint)") from exc
        raise


def _train(data: TrainingData, out: Path, settings: TrainSettings, config_hash: str,
           resume_from: Path | None) -> TrainResult:
    """Load the base model, train, choose the checkpoint and α, and publish the model into ``out``."""
    device = pick_device(settings.device)
    precision(device, settings.precision)  # a precision the device lacks fails before the model loads
    model = load_embedder(settings.base_model, device=device, trust_remote_code=settings.trust_remote_code,
                          model_kwargs={"use_safetensors": True})
    dims = resolve_dims(settings.dims, int(model.get_embedding_dimension() or 0), settings.base_model)
    base_weights = snapshot(model)
    # The prompt is set before mining, so negatives are mined the way questions are encoded.
    query_prompt, _ = apply_prompts(model, settings.query_prompt, ["anchor"])
    negatives = settings.hard_negatives
    rows = mine_negatives(data, model, negatives) if negatives else data.pairs_dataset()
    _, prompts = apply_prompts(model, settings.query_prompt, list(rows.column_names))
    similarity = model.similarity_fn_name
    space = (dims, similarity)
    trainer = _make_trainer(model, settings, data, rows, space, prompts, device, out, config_hash)

    started = time.perf_counter()
    output = trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
    result = TrainResult(
        model_dir=out, dims=dims, best_metrics={}, best_epoch=_best_epoch(trainer), train_samples=len(rows),
        epochs=settings.epochs, samples_per_second=float(output.metrics.get("train_samples_per_second", 0)),
        train_seconds=time.perf_counter() - started, log_path=out / LOG_FILE, query_prompt=query_prompt,
    )
    if not trainer.is_world_process_zero():
        return result
    choice = _interpolate(model, base_weights, trainer, settings)
    del base_weights
    if trainer.evaluator is not None:  # measured on the model being saved, on dev
        scores = choice.metrics or trainer.evaluator(model)
        result.best_metrics = metrics_by_dim(scores, dims, similarity)
        if choice.alpha == 1.0:
            _check_best(trainer, scores.get(MEAN_KEY))
    result.alpha, result.alpha_chosen_by = choice.alpha, choice.chosen_by
    _publish(model, out, settings, data, result, choice)
    return result


def _publish(model: Any, out: Path, settings: TrainSettings, data: TrainingData, result: TrainResult,
             choice: Any) -> None:
    """Save the chosen model with its card (``modules.json`` last), drop the checkpoints, push it when asked."""
    facts = CardFacts(
        base_model=settings.base_model, dataset_dir=str(data.root), dataset_fingerprint=data.fingerprint,
        train_rows=result.train_samples, dev_queries=len(data.dev_queries), corpus_chunks=len(data.corpus),
        loss=settings.loss, dims=result.dims, query_prompt=result.query_prompt, settings=settings.fingerprint(),
        best_epoch=result.best_epoch, metrics=result.best_metrics, alpha=choice,
        dev_label=data.dev_label,
    )
    publish(model, out, lambda folder: append_card_section(folder, facts, card_examples=settings.card_examples))
    result.model = model
    if not settings.keep_checkpoints:
        _remove_checkpoints(out)
    log.info("%s", result.format())
    if settings.push_to:
        from embedforge.hub import push_folder

        push_folder(out, settings.push_to)


def _check_inputs(dataset_dir: str | os.PathLike[str], out: Path, settings: TrainSettings
                  ) -> tuple[TrainingData, TrainSettings, str, Path | None]:
    """Every check that needs no weights: (training data, the settings with the batch that fits,
    configuration hash, checkpoint to resume)."""
    data = load_training_data(dataset_dir, settings.batch_size, world_size(), settings.choose_on)
    settings = dataclasses.replace(settings, batch_size=data.batch_size)
    if settings.hard_negatives:
        check_negatives(data, settings.hard_negatives)
    target = resolve_model(settings.base_model)
    hub = is_hub_id(settings.base_model)
    if settings.dims is not None and not hub:
        declared = output_dim_from_files(target)
        if declared is not None:
            resolve_dims(settings.dims, declared, settings.base_model)
    model_id = target if hub else str(Path(target).resolve())
    fields = settings.fingerprint()
    config_hash = object_hash({"settings": fields, "data": data.fingerprint, "model": model_id})
    check_free_space(out, None if hub else weights_bytes(target), settings.save_total_limit)
    if settings.resume:
        return data, settings, config_hash, resume_checkpoint(out / CHECKPOINTS_DIR, config_hash)
    return data, settings, config_hash, interrupted_checkpoint(out / CHECKPOINTS_DIR, config_hash)


def _make_trainer(
    model: Any, settings: TrainSettings, data: TrainingData, train_rows: Any,
    space: tuple[tuple[int, ...], str], prompts: dict[str, str], device: str, out: Path, config_hash: str,
) -> Any:
    from sentence_transformers import SentenceTransformerTrainer
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    dims, similarity = space
    best_key = "eval_" + MEAN_KEY if data.dev_queries else None
    args = training_arguments(settings, out / CHECKPOINTS_DIR, best_key, prompts, device)
    trainer = SentenceTransformerTrainer(
        model=model, args=args, train_dataset=train_rows,
        loss=build_loss(model, settings.loss, dims, settings.mini_batch_size),
        evaluator=build_evaluator(data, dims) if data.dev_queries else None,
        callbacks=[CheckpointMarker(config_hash)],
    )
    trainer.remove_callback(ProgressCallback)
    trainer.remove_callback(PrinterCallback)  # its stand-in without a bar: raw dicts on stdout
    trainer.add_callback(EpochLog(out / LOG_FILE, dims, similarity, settings.epochs))
    return trainer


def _interpolate(model: Any, base_weights: dict[str, Any], trainer: Any, settings: TrainSettings) -> AlphaChoice:
    """Interpolate the trained weights toward the base with α from the settings, dev, or the rule."""
    choice = choose_alpha(model, base_weights, snapshot(model), trainer.evaluator, settings.alpha, key=MEAN_KEY)
    log.info("interpolation toward the base: alpha %.2f (chosen by %s)", choice.alpha, choice.chosen_by)
    return choice


def _best_epoch(trainer: Any) -> float | None:
    if trainer.evaluator is None:  # no dev split: the last epoch is kept
        return float(trainer.state.epoch or 0) or None
    step = trainer.state.best_global_step
    for entry in trainer.state.log_history:
        if entry.get("step") == step and "epoch" in entry:
            return round(float(entry["epoch"]), 4)
    return None


def _check_best(trainer: Any, measured: float | None) -> None:
    """The Trainer only logs a failed reload of the best checkpoint; make a mismatch visible."""
    best = trainer.state.best_metric
    if best is not None and measured is not None and abs(best - measured) > 1e-3:
        log.warning("the saved model scores ndcg@10 %.4f, the best checkpoint scored %.4f; "
                    "the best checkpoint may not have been reloaded", measured, best)


def _remove_checkpoints(out: Path) -> None:
    """Rename the checkpoints away, then delete them: a kill half-way never leaves a marked, gutted one."""
    trash = out / TRASH_DIR
    if trash.exists():
        shutil.rmtree(trash)
    os.replace(out / CHECKPOINTS_DIR, trash)
    shutil.rmtree(trash)
