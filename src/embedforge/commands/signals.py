"""SIGTERM and SIGHUP handled the way Ctrl-C is: clean up, one line, an exit code from the table.

A scheduler or CI job stops a command with SIGTERM, a closed terminal sends SIGHUP. Python's
default for both is to die on the spot: no message, and the temporary file being written left
behind. :func:`stop_signals` turns each into :class:`Stopped`, a ``KeyboardInterrupt``, so every
``finally`` and ``except BaseException`` that cleans up after Ctrl-C (temporary files, the parse
worker, the LLM calls in flight) runs for them too; the CLI then prints one line and exits
128 + the signal's number (143, 129), as a shell reports a process that signal stopped.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

HANDLED = (signal.SIGTERM, signal.SIGHUP) if hasattr(signal, "SIGHUP") else (signal.SIGTERM,)


class Stopped(KeyboardInterrupt):
    """Raised in the main thread when a handled signal arrives; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum



def stopped_line(signum: int) -> str:
    """The one line printed for a command stopped by ``signum``."""
    return f"stopped by {signal.Signals(signum).name}; finished work is kept; rerun the same command to resume"


@contextmanager
def stop_signals() -> Iterator[list[int]]:
    """Within the block, SIGTERM and SIGHUP raise :class:`Stopped`; the previous handlers come back after.

    Yields the list of the signals received, in order: libraries may catch the exception and
    report only "interrupted" (click turns it into ``Abort``), the list still says which it was.
    Outside the main thread (where Python cannot set handlers) nothing changes. A signal that was
    ignored when the block began (``nohup`` ignores SIGHUP) stays ignored.
    """
    received: list[int] = []

    def stop(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        raise Stopped(signum)

    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous = {signum: signal.getsignal(signum) for signum in HANDLED}
    for signum, handler in previous.items():
        if handler is not signal.SIG_IGN:
            signal.signal(signum, stop)
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
