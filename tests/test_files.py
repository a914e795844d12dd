"""Crash-safe writes: whole files or none, the permissions open() would give, leftovers of killed writers swept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from embedforge.files import atomic_open_text, atomic_write_text, iter_jsonl, sweep_temporaries, write_jsonl


def test_jsonl_round_trip(tmp_path: Path) -> None:
    rows = [{"b": 1, "a": "é"}, {"a": "x"}]
    assert write_jsonl(tmp_path / "rows.jsonl", rows) == 2
    assert (tmp_path / "rows.jsonl").read_text(encoding="utf-8") == '{"a":"é","b":1}\n{"a":"x"}\n'
    assert list(iter_jsonl(tmp_path / "rows.jsonl")) == rows


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_written_files_get_the_mode_open_would_give(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        atomic_write_text(tmp_path / "atomic.txt", "x")
        with atomic_open_text(tmp_path / "streamed.txt") as handle:
            handle.write("x")
        (tmp_path / "plain.txt").write_text("x")
    finally:
        os.umask(old)
    expected = (tmp_path / "plain.txt").stat().st_mode & 0o777
    assert expected == 0o666 & ~umask
    assert (tmp_path / "atomic.txt").stat().st_mode & 0o777 == expected
    assert (tmp_path / "streamed.txt").stat().st_mode & 0o777 == expected


def test_a_failed_stream_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_open_text(target) as handle:
        handle.write("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


WRITER = """
import sys, time
from embedforge.files import atomic_open_text
with atomic_open_text(sys.argv[1]) as handle:
    handle.write("half a file")
    handle.flush()
    print("writing", flush=True)
    time.sleep(60)
"""


def test_leftovers_of_a_killed_writer_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    target = tmp_path / "run" / "chunks.jsonl"
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "writing"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    leftovers = list(target.parent.glob(".chunks.jsonl.*.tmp"))
    assert len(leftovers) == 1 and not target.exists()
    live = target.parent / f".model.safetensors.{os.getpid()}.abcd1234.tmp"  # this process is alive
    live.write_text("in progress")
    foreign = target.parent / ".notes.tmp"  # not named like ours
    foreign.write_text("keep")
    assert sweep_temporaries(tmp_path) == 1
    assert not leftovers[0].exists() and live.exists() and foreign.exists()
    assert sweep_temporaries(tmp_path) == 0
