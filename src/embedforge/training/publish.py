"""Putting the trained model into ``OUT`` so that a folder holding ``modules.json`` is always complete.

``modules.json`` is what makes a folder a model: sentence-transformers reads it first, and
:mod:`embedforge.outdir` takes it as the mark of a finished one. So it is the last thing written:
the model, its card and ``selection.json`` are saved into ``OUT/.model.tmp``, every entry but
``modules.json`` is renamed into ``OUT``, then ``modules.json``. A process killed anywhere before
that last rename leaves no ``modules.json`` (an unfinished model beside its checkpoints), and the
next ``train`` into the folder continues from its last checkpoint and publishes again.

Before training starts, :func:`check_free_space` compares the free space with what the checkpoints
and the model will take, when the base model's size is known.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from embedforge.errors import EmbedforgeError
from embedforge.outdir import Output

log = logging.getLogger(__name__)

STAGING = ".model.tmp"
FINISHED = "modules.json"
CHECKPOINTS_DIR = "checkpoints"
TRASH_DIR = ".checkpoints.deleting"  # checkpoints renamed away, being deleted
LOG_FILE = "training_log.jsonl"
CARD_FILE = "README.md"
# A model folder: an unfinished training leaves checkpoints and its log; a finished one, a saved model. The card,
# the log and the checkpoints are records, so a retraining to the same weights leaves the run's comparison done.
MODEL_OUTPUT = Output("model", frozenset({CHECKPOINTS_DIR, LOG_FILE, STAGING, TRASH_DIR}), finished=FINISHED,
                      staging=STAGING, records=frozenset({CARD_FILE, LOG_FILE, CHECKPOINTS_DIR}))
# A checkpoint holds the weights and AdamW's two moments of each of them: about three times the weights.
CHECKPOINT_FACTOR = 3


def publish(model: Any, out: Path, describe: Callable[[Path], None]) -> None:
    """Save ``model`` into ``out``, ``modules.json`` last; ``describe(folder)`` adds the card files first."""
    staging = out / STAGING
    if staging.exists():
        shutil.rmtree(staging)  # a save cut short by a kill: never reused
    model.save(str(staging), safe_serialization=True)
    describe(staging)
    # sorted() is stable: every other entry in name order, then modules.json.
    for entry in sorted(staging.iterdir(), key=lambda path: (path.name == FINISHED, path.name)):
        target = out / entry.name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)  # a directory is not replaced by a rename
        os.replace(entry, target)
    staging.rmdir()


def weights_bytes(model_dir: str | os.PathLike[str]) -> int | None:
    """The size of a local model folder's ``*.safetensors`` files; None when it is not a local folder."""
    folder = Path(model_dir)
    if not folder.is_dir():
        return None
    sizes = [path.stat().st_size for path in folder.rglob("*.safetensors") if path.is_file()]
    return sum(sizes) or None


def space_needed(weights: int, checkpoints_kept: int) -> int:
    """Bytes a training needs at its peak: one checkpoint more than kept (written before the oldest goes), the model."""
    return weights * CHECKPOINT_FACTOR * (checkpoints_kept + 1) + weights


def check_free_space(out: Path, weights: int | None, checkpoints_kept: int) -> None:
    """Refuse to start a training that cannot fit on ``out``'s disk.

    Raises:
        EmbedforgeError: less free space than :func:`space_needed` (one line, naming ``out``).
    """
    if weights is None:
        return
    base = out
    while not base.exists() and base.parent != base:
        base = base.parent
    free = shutil.disk_usage(base).free
    need = space_needed(weights, checkpoints_kept)
    log.debug("%s: %d MB free, training needs about %d MB", out, free // 2**20, need // 2**20)
    if free < need:
        raise EmbedforgeError(
            f"{out}: {_mb(free)} free, training needs about {_mb(need)} ({checkpoints_kept + 1} checkpoints of "
            f"{_mb(weights * CHECKPOINT_FACTOR)} and the {_mb(weights)} model); free some space, choose another "
            "--out, or lower [train] save_total_limit")


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"
