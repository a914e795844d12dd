"""A SIGKILLed ``embedforge chunk`` leaves no parsing worker behind.

The run gets a folder with a small document (``a.txt``, whose chunks are over one write
buffer, so they reach the output's temporary file as soon as it is done) and a large one
(``b.txt``, tens of seconds of chunking). Once the temporary file has bytes and the worker
has used another second of CPU, it is on ``b.txt``; the main process is then SIGKILLed.
Every process below it must be gone within 2 s of the kill (the waits before the kill are
generous; only the death is timed).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from hostile_files import prose

pytestmark = pytest.mark.slow

DEATH_S = 2.0


def _gone(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE  # dead; only its entry waits to be reaped
    except psutil.NoSuchProcess:
        return True


def _cpu(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def _wait_for(condition, timeout_s: float) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


def test_no_worker_outlives_a_killed_run(tmp_path: Path) -> None:
    docs, out = tmp_path / "docs", tmp_path / "out"
    docs.mkdir()
    (docs / "a.txt").write_text(prose(300, 1), encoding="utf-8")  # ~100 KB: its chunks flush the buffer
    (docs / "b.txt").write_text(prose(7500, 2), encoding="utf-8")  # ~3 MB: chunking takes tens of seconds
    run = subprocess.Popen([sys.executable, "-m", "embedforge", "chunk", str(docs), "--out", str(out)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    descendants: list[psutil.Process] = []
    try:
        started = _wait_for(lambda: any(p.stat().st_size for p in out.glob(".chunks.jsonl.*.tmp")), 300)
        assert started and run.poll() is None, "the run never got past a.txt"
        descendants = psutil.Process(run.pid).children(recursive=True)
        assert descendants, "no worker process"
        # a.txt's chunks are out; the worker is on b.txt once it has used another second of CPU.
        base = _cpu(descendants)
        assert _wait_for(lambda: _cpu(descendants) > base + 1.0, 120), "the worker is not working on b.txt"
        os.kill(run.pid, signal.SIGKILL)
        killed = time.monotonic()
        _wait_for(lambda: all(_gone(p) for p in descendants), 10)  # generous; the clock below judges
        lived = time.monotonic() - killed
        alive = [p.pid for p in descendants if not _gone(p)]
        assert alive == [], f"{alive} still alive {lived:.1f} s after the kill of {run.pid}"
        assert lived <= DEATH_S
        run.wait(timeout=30)
    finally:
        for process in descendants:
            if not _gone(process):
                process.kill()
