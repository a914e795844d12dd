"""Checkpoints this tool wrote, and resuming from them only.

Resuming loads optimizer and RNG state with ``torch.load`` (pickle), so a checkpoint
folder must be trusted. After the Trainer writes ``checkpoint-N`` in full, a
callback writes ``embedforge_checkpoint.json`` into it: the run's configuration hash
(settings, dataset files, base model) and the sha256 of every file. ``--resume``
picks the newest checkpoint with a marker whose hashes still match and whose
configuration is this run's; a folder without a marker (e.g. killed mid-write) is
never resumed from. Without ``--resume`` an interrupted training of the same configuration
is continued all the same (:func:`interrupted_checkpoint`), so rerunning the command resumes.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from embedforge.errors import EmbedforgeError
from embedforge.files import write_json
from embedforge.fingerprint import file_hash

log = logging.getLogger(__name__)

MARKER = "embedforge_checkpoint.json"
_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")


class CheckpointMarker(TrainerCallback):
    """Writes the marker into each checkpoint once the Trainer has saved it."""

    def __init__(self, config_hash: str) -> None:
        self.config_hash = config_hash

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if args.world_size > 1:
            import torch.distributed as dist

            dist.barrier()  # every process has written its part (rng_state_<rank>.pth)
        if not state.is_world_process_zero:
            return
        folder = Path(args.output_dir) / f"checkpoint-{state.global_step}"
        write_marker(folder, self.config_hash, state.global_step, state.epoch)


def write_marker(folder: Path, config_hash: str, step: int, epoch: float | None) -> None:
    """Write ``MARKER`` into ``folder`` with the hashes of all its files."""
    files = {str(p.relative_to(folder)): file_hash(str(p)) for p in sorted(folder.rglob("*"))
             if p.is_file() and p.name != MARKER}
    write_json(folder / MARKER, {"config_hash": config_hash, "epoch": epoch, "files": files, "step": step})


def checkpoints(folder: Path) -> list[Path]:
    """``checkpoint-N`` sub-folders of ``folder``, oldest step first."""
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir()
             if p.is_dir() and (m := _CHECKPOINT.match(p.name))]
    return [p for _, p in sorted(found)]


def interrupted_checkpoint(folder: Path, config_hash: str) -> Path | None:
    """Where an interrupted training of this configuration stopped, or None to start afresh.

    What ``train`` does without ``--resume``, so that rerunning an interrupted command continues it
    (as its interrupted line says): no checkpoints, start; checkpoints of this configuration,
    continue from the newest verified one; unmarked ones only (killed before any was complete),
    delete them and start; checkpoints of other settings, data or base model, refuse.

    Raises:
        EmbedforgeError: checkpoints of another configuration, or changed since they were marked.
    """
    found = checkpoints(folder)
    if not found:
        return None
    marked = [path for path in found if (path / MARKER).is_file()]
    if not marked:
        log.info("%s: no complete checkpoint of the interrupted training; starting it over", folder)
        shutil.rmtree(folder)
        return None
    if _marker(marked[-1]).get("config_hash") != config_hash:
        raise EmbedforgeError(
            f"{folder}: checkpoints of a training with other settings, dataset or base model are here; "
            "train with the same ones to continue it, or choose an empty --out folder"
        )
    log.info("%s: continuing the interrupted training of the same settings", folder)
    return resume_checkpoint(folder, config_hash)


def _marker(folder: Path) -> dict[str, Any]:
    """The marker of ``folder``; an unreadable one reads as a marker of no configuration."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def resume_checkpoint(folder: Path, config_hash: str) -> Path:
    """The newest checkpoint in ``folder`` that this tool wrote for this configuration, verified.

    Newer folders without a marker (a save cut short) are removed so the Trainer writes them again.

    Raises:
        EmbedforgeError: no checkpoint, none with a marker, a marker for other settings or data,
            or files changed since the marker was written.
    """
    found = checkpoints(folder)
    if not found:
        raise EmbedforgeError(f"{folder}: no checkpoint to resume from; run without --resume")
    for candidate in reversed(found):
        marker = candidate / MARKER
        if not marker.is_file():
            log.warning("%s: no %s (not embedforge's, or cut short); not resuming from it", candidate, MARKER)
            continue
        _verify(candidate, _marker(candidate), config_hash)
        for newer in found[found.index(candidate) + 1:]:
            shutil.rmtree(newer)
        log.info("resuming from %s", candidate)
        return candidate
    raise EmbedforgeError(
        f"{folder}: no checkpoint carries {MARKER}; embedforge resumes only from checkpoints it wrote — "
        "run without --resume into an empty folder"
    )


def _verify(folder: Path, marker: dict[str, Any], config_hash: str) -> None:
    if marker.get("config_hash") != config_hash:
        raise EmbedforgeError(
            f"{folder}: written for other settings, dataset or base model; resume with the same ones, "
            "or train without --resume into an empty folder"
        )
    for name, digest in marker.get("files", {}).items():
        path = folder / name
        if not path.is_file() or file_hash(str(path)) != digest:
            raise EmbedforgeError(f"{folder}/{name}: changed or missing since embedforge wrote it; delete it")
