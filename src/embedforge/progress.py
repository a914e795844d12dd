"""Progress bars only where someone watches them, and log lines that never land on a bar.

One policy for every bar: :func:`shown` says whether a bar is drawn (stderr is a terminal or a
notebook shows it, the caller wants one, and not under ``--quiet``). :func:`bar` builds our tqdm
bars with it, and the libraries' bars we switch on or off (sentence-transformers' encode, the
Hugging Face Trainer's) are given the same answer. Libraries that draw bars on their own are
silenced by :func:`embedforge.verbosity.configure` through their environment variables.

On a terminal tqdm redraws its bar in place with ``\\r``; on a pipe or a log file the same
bytes glue every warning onto a half-drawn bar (``chunking:  50%|█████ | 1/2 [...]x.pdf: ...``).
:func:`logs_above_bars` routes log records through ``tqdm.write`` while bars are drawn, so each
problem stays on a line of its own.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

from embedforge.environment import is_quiet


def interactive() -> bool:
    """True when a person sees progress bars: stderr is a terminal, or this is a notebook kernel."""
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty()) or "ipykernel" in sys.modules


def shown(want: bool = True) -> bool:
    """Whether a bar is drawn: ``want`` (e.g. enough items to be worth one), :func:`interactive`, not --quiet."""
    return want and interactive() and not is_quiet()


def bar(*args: Any, show: bool = True, auto: bool = False, **kwargs: Any) -> Any:
    """A tqdm bar (``tqdm.auto`` when ``auto``), drawn when :func:`shown` (``show``)."""
    if auto:
        from tqdm.auto import tqdm
    else:
        from tqdm import tqdm
    return tqdm(*args, disable=not shown(show), **kwargs)


@contextlib.contextmanager
def logs_above_bars() -> Iterator[None]:
    """While bars are drawn, print log records with ``tqdm.write`` (above the bar, each on its own line)."""
    if not interactive():
        yield
        return
    from tqdm.contrib.logging import logging_redirect_tqdm

    with logging_redirect_tqdm():
        yield
