"""Resume only from checkpoints embedforge wrote, for this configuration, unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedforge.errors import EmbedforgeError
from embedforge.training.checkpoints import MARKER, interrupted_checkpoint, resume_checkpoint, write_marker


def _checkpoint(root: Path, step: int, marked: bool, config: str = "cfg") -> Path:
    folder = root / f"checkpoint-{step}"
    (folder / "sub").mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"weights %d" % step)
    (folder / "sub" / "config.json").write_text("{}", encoding="utf-8")
    if marked:
        write_marker(folder, config, step, step / 2)
    return folder


def test_newest_marked_checkpoint_wins_and_unmarked_newer_ones_go(tmp_path: Path) -> None:
    _checkpoint(tmp_path, 2, True)
    marked = _checkpoint(tmp_path, 10, True)
    cut_short = _checkpoint(tmp_path, 20, False)
    assert resume_checkpoint(tmp_path, "cfg") == marked
    assert not cut_short.exists()


def test_numeric_not_lexical_order(tmp_path: Path) -> None:
    _checkpoint(tmp_path, 9, True)
    newest = _checkpoint(tmp_path, 10, True)
    assert resume_checkpoint(tmp_path, "cfg") == newest


def test_changed_file_is_refused(tmp_path: Path) -> None:
    folder = _checkpoint(tmp_path, 4, True)
    (folder / "model.safetensors").write_bytes(b"tampered")
    with pytest.raises(EmbedforgeError, match="changed or missing"):
        resume_checkpoint(tmp_path, "cfg")


def test_other_configuration_is_refused(tmp_path: Path) -> None:
    _checkpoint(tmp_path, 4, True, config="other")
    with pytest.raises(EmbedforgeError, match="other settings"):
        resume_checkpoint(tmp_path, "cfg")


def test_no_marker_anywhere_is_refused(tmp_path: Path) -> None:
    _checkpoint(tmp_path, 4, False)
    with pytest.raises(EmbedforgeError, match=MARKER):
        resume_checkpoint(tmp_path, "cfg")
    assert interrupted_checkpoint(tmp_path / "nothing-here", "cfg") is None
    assert interrupted_checkpoint(tmp_path, "cfg") is None  # unmarked leftovers only: started over
    assert not (tmp_path / "checkpoint-4").exists()


def test_interrupted_training_of_the_same_configuration_continues(tmp_path: Path) -> None:
    _checkpoint(tmp_path, 4, True)
    _checkpoint(tmp_path, 8, False)
    assert interrupted_checkpoint(tmp_path, "cfg") == tmp_path / "checkpoint-4"
    with pytest.raises(EmbedforgeError, match="other settings"):
        interrupted_checkpoint(tmp_path, "another")
