"""A parsing worker's stderr, and how it ended: the one line :class:`IsolatedParser` reports when it dies.

The worker's output goes to an unnamed file opened for appending, so the parent can read its
last words (``memory allocation of N bytes failed``) after a crash and clear it between documents.
"""

from __future__ import annotations

import os
import re
import signal
import tempfile
from typing import Any

LAST_WORDS = re.compile(r"memory allocation of \d+ bytes failed|Fatal Python error.*|MemoryError.*|"
                         r"Segmentation fault.*|panicked at.*|Killed", re.IGNORECASE)


def output_file() -> Any:
    """An unnamed temporary file, opened for appending, to catch the worker's stderr."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed by IsolatedParser._kill)
    import fcntl

    flags = fcntl.fcntl(handle.fileno(), fcntl.F_GETFL)
    fcntl.fcntl(handle.fileno(), fcntl.F_SETFL, flags | os.O_APPEND)
    return handle


def ended(code: int | None) -> str:
    """How a worker process ended, in words: ``exit code 1``, ``killed by SIGKILL``."""
    if code is None:
        return "it closed the connection and did not exit"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by {name}" + (" (out of memory?)" if -code == signal.SIGKILL else "")
    return f"exit code {code}"


def last_words(text: str) -> str:
    """The line of a dying worker's output that says why (an allocation failure...), else its last line."""
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    telling = [match.group(0) for line in lines if (match := LAST_WORDS.search(line))]
    chosen = telling[-1] if telling else lines[-1] if lines else ""
    return chosen[:200]

