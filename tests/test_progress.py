"""One progress-bar policy: every bar is :func:`embedforge.progress.bar`'s, drawn on a terminal, never under --quiet."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "embedforge"


def test_only_progress_imports_tqdm() -> None:
    found = [str(p.relative_to(SRC)) for p in sorted(SRC.rglob("*.py"))
             if p.name != "progress.py" and re.search(r"^\s*(from|import) tqdm", p.read_text("utf-8"), re.M)]
    assert not found, f"draw bars with embedforge.progress.bar (or ask progress.shown): {found}"


def _extract_on_a_terminal(tmp_path: Path, *flags: str) -> str:
    """Run ``embedforge extract`` on two documents with stderr on a pseudo-terminal; what the terminal got."""
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(f"{name}: motor neurons carry signals to the muscles. " * 20, encoding="utf-8")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # tqdm draws nothing in 0 columns
    env = {k: v for k, v in os.environ.items() if k not in ("TQDM_DISABLE", "EMBEDFORGE_QUIET")}
    proc = subprocess.Popen([sys.executable, "-m", "embedforge", *flags, "extract", "a.txt", "b.txt",
                             "--out", f"out{len(flags)}"], cwd=tmp_path, env=env, stderr=slave,
                            stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 1.0)
        try:
            chunk = os.read(master, 4096) if ready else b""
        except OSError:  # the terminal closed: the process is gone
            break
        seen += chunk
        if not chunk and proc.poll() is not None:
            break
    os.close(master)
    assert proc.wait(timeout=120) == 0, seen.decode("utf-8", "replace")
    return seen.decode("utf-8", "replace")


def test_extract_draws_its_bar_on_a_terminal_but_not_under_quiet(tmp_path: Path) -> None:
    assert "extracting" in _extract_on_a_terminal(tmp_path)
    quiet = _extract_on_a_terminal(tmp_path, "--quiet")
    assert "extracting" not in quiet and "%|" not in quiet, quiet
