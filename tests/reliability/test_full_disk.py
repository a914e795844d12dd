"""A full disk is one line naming the folder (exit 2), not an internal error after minutes of work.

The disk is a real one: a small tmpfs mounted under the test's folder (this needs root, as in
the development container and CI's; elsewhere the test is skipped and says why). ``chunk`` into
a full tmpfs used to end in ``internal error: OSError: [Errno 28]`` with no path; ``train``
trained for a minute, then failed in safetensors. Now ``train`` checks the free space against the
base model's size before it loads anything, and a disk that fills later (safetensors' error, which
only quotes the OS's message) is recognised as full.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_files import GOOD
from train_kill import tiny_dataset, train_args

SCRIPT = Path(sys.executable).with_name("embedforge")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs, unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode}); needs root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stderr[-3000:]
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    return [line for line in done.stderr.splitlines() if line.strip()][-1]


def test_chunk_into_a_full_disk_names_the_folder(small_disk: Path, tmp_path: Path) -> None:
    filler = small_disk / "filler.bin"
    with filler.open("wb") as handle:  # every block taken; an empty file can still be created
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    docs, out = tmp_path / "docs", small_disk / "out"
    docs.mkdir()
    (docs / "a.txt").write_text(GOOD * 40, encoding="utf-8")
    done = subprocess.run([str(SCRIPT), "chunk", str(docs), "--out", str(out), "--embedder", "bundled-minilm"],
                          capture_output=True, text=True, timeout=300)
    line = _one_error_line(done)
    assert line == (f"error: {out}: no space left on the device (writing chunks.jsonl); free some space or "
                    "write to another folder")
    assert [p.name for p in out.iterdir()] == []  # no temporary file left


def test_train_checks_free_space_before_loading_the_model(small_disk: Path, tmp_path: Path) -> None:
    out = small_disk / "model"
    done = subprocess.run([str(SCRIPT), *train_args(tiny_dataset(tmp_path / "dataset"), out, epochs=1)],
                          capture_output=True, text=True, timeout=300)
    line = _one_error_line(done)
    assert line.startswith(f"error: {out}: 4 MB free, training needs about ")
    assert "free some space, choose another --out, or lower [train] save_total_limit" in line
    assert not out.exists()


def test_a_disk_filling_while_training_is_recognised_in_safetensors_errors(small_disk: Path) -> None:
    """The Trainer saves checkpoints with safetensors, whose error only quotes the OS's message."""
    import torch
    from safetensors.torch import save_file

    from embedforge.files import is_disk_full

    with pytest.raises(Exception) as caught:  # a real write of 8 MB of weights into the 4 MiB disk
        save_file({"weights": torch.zeros(2_000_000)}, str(small_disk / "model.safetensors"))
    assert type(caught.value).__name__ == "SafetensorError"
    assert is_disk_full(caught.value)
