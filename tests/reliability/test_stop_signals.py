"""SIGTERM and SIGHUP stop a command the way Ctrl-C does, and leftovers of dead writers are swept.

``embedforge chunk`` (the installed console script) is stopped while its worker chunks a 3 MB
document, once the output's temporary file exists: it must print one line naming the signal,
exit 143 / 129 (128 + the signal, as the exit-code table says), and leave no temporary file.
A temporary file of a writer that is gone (``.NAME.PID.XXXX.tmp``, as a SIGKILL leaves it) is
removed by the next command writing that folder; one of a live process is kept.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_files import GOOD, prose

SCRIPT = Path(sys.executable).with_name("embedforge")


def _default_signals() -> None:
    """The child gets the default handlers, whatever the test run inherited (nohup ignores SIGHUP)."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def _wait_for(condition, timeout_s: float) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_exit_with_one_line_and_no_temporary_file(tmp_path: Path, signum: int,
                                                                     code: int) -> None:
    docs, out = tmp_path / "docs", tmp_path / "out"
    docs.mkdir()
    (docs / "a.txt").write_text(GOOD, encoding="utf-8")
    (docs / "b.txt").write_text(prose(7500, 2), encoding="utf-8")  # ~3 MB: chunking takes tens of seconds
    run = subprocess.Popen([str(SCRIPT), "chunk", str(docs), "--out", str(out), "--embedder", "bundled-minilm"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_default_signals)
    try:
        assert _wait_for(lambda: any(out.glob(".chunks.jsonl.*.tmp")), 300), "the output was never opened"
        run.send_signal(signum)
        _, stderr = run.communicate(timeout=120)
    finally:
        run.kill()
    name = signal.Signals(signum).name
    assert run.returncode == code, stderr
    assert stderr.strip().splitlines()[-1] == f"stopped by {name}; finished work is kept; rerun the same command " \
                                              "to resume", stderr
    assert "Traceback" not in stderr
    assert sorted(p.name for p in out.iterdir()) == [], "a temporary file was left behind"


def test_temporary_files_of_dead_writers_are_swept_by_the_next_command(tmp_path: Path) -> None:
    docs, out = tmp_path / "docs", tmp_path / "out"
    docs.mkdir()
    out.mkdir()
    (docs / "a.txt").write_text(GOOD, encoding="utf-8")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)  # that process has exited
    stale = out / f".chunks.jsonl.{dead_pid}.x1y2.tmp"
    stale.write_bytes(b"{" * 700_000)
    live = out / f".chunks.jsonl.{1}.x3y4.tmp"  # pid 1 lives as long as the machine does
    live.write_bytes(b"{")
    done = subprocess.run([str(SCRIPT), "chunk", str(docs), "--out", str(out), "--embedder", "bundled-minilm"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert not stale.exists() and live.exists()
    assert (out / "chunks.jsonl").is_file()
