"""Progress bars only where someone watches them, and log lines that never land on a bar.

On a terminal tqdm redraws its bar in place with ``\\r``; on a pipe or a log file the same
bytes glue every warning onto a half-drawn bar (``chunking:  50%|█████ | 1/2 [...]x.pdf: ...``).
:func:`bar` builds a tqdm that is disabled unless stderr is a terminal (or a notebook shows
it), and :func:`logs_above_bars` routes log records through ``tqdm.write`` while bars are
drawn, so each problem stays on a line of its own.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

from embedforge.verbosity import is_quiet


def interactive() -> bool:
    """True when a person sees progress bars: stderr is a terminal, or this is a notebook kernel."""
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty()) or "ipykernel" in sys.modules


def bar(*args: Any, show: bool = True, auto: bool = False, **kwargs: Any) -> Any:
    """A tqdm bar (``tqdm.auto`` when ``auto``): shown when ``show`` and :func:`interactive`, never under --quiet."""
    if auto:
        from tqdm.auto import tqdm
    else:
        from tqdm import tqdm
    return tqdm(*args, disable=not (show and interactive()) or is_quiet(), **kwargs)


@contextlib.contextmanager
def logs_above_bars() -> Iterator[None]:
    """While bars are drawn, print log records with ``tqdm.write`` (above the bar, each on its own line)."""
    if not interactive():
        yield
        return
    from tqdm.contrib.logging import logging_redirect_tqdm

    with logging_redirect_tqdm():
        yield
