"""Third-party warnings raised while parsing one document: collected and summarised, never flooded.

pypdf logs a warning per damaged object (a 900 KB PDF of nested dictionaries gave 22,116
lines), and bs4 warns (``XMLParsedAsHTMLWarning``, several lines each) through ``warnings``.
:func:`collecting` gathers both for one document instead of letting them reach stderr;
:func:`summary` turns them into at most one line for the document's warnings, and
:func:`so_far` lets a loader use them for its diagnosis (a PDF with no text but hundreds of
pypdf complaints is malformed, not a scan).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

LIBRARIES = ("pypdf", "bs4", "charset_normalizer", "ftfy", "lxml", "PIL", "fontTools")
_CURRENT: ContextVar[list[str] | None] = ContextVar("embedforge_parse_noise", default=None)


class _Collect(logging.Handler):
    def __init__(self, notes: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.notes = notes

    def emit(self, record: logging.LogRecord) -> None:
        self.notes.append(f"{record.name.split('.')[0]}: {record.getMessage()}")


@contextmanager
def collecting() -> Iterator[list[str]]:
    """Collect the third-party warnings (their loggers' and ``warnings.warn``) raised inside, in order."""
    notes: list[str] = []
    handler = _Collect(notes)
    loggers = [logging.getLogger(name) for name in LIBRARIES]
    saved = [logger.propagate for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
    token = _CURRENT.set(notes)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                yield notes
            finally:
                notes += [f"{item.category.__name__}: {item.message}" for item in caught]
    finally:
        _CURRENT.reset(token)
        for logger, propagate in zip(loggers, saved, strict=True):
            logger.removeHandler(handler)
            logger.propagate = propagate


def so_far() -> list[str]:
    """The third-party warnings collected for the document being parsed (logged ones; empty outside)."""
    return list(_CURRENT.get() or [])


def summary(name: object, notes: list[str]) -> str | None:
    """One line for a document's third-party warnings, or None when there were none."""
    if not notes:
        return None
    first = " ".join(notes[0].split())[:160]
    count = f"{len(notes):,} warnings" if len(notes) > 1 else "a warning"
    return f"{name}: {count} from the parsing libraries (first: {first})"
