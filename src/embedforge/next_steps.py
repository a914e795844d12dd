"""The ``next:`` lines that close a command's summary: what to run now, with this run's own paths.

Every command ends by saying what it made and what to do next (``dataset build``: show the
questions, train; ``train``: compare; ``compare`` and ``run``: search with the recommended
retriever). The commands are written with the real folders, shell-quoted where needed, so they
can be pasted as they are.
"""

from __future__ import annotations

import os
import shlex


def next_lines(*commands: str) -> list[str]:
    """``next: FIRST`` and the others aligned under it.

    >>> next_lines("embedforge train data", "embedforge compare data")
    ['next: embedforge train data', '      embedforge compare data']
    """
    return [f"{'next:' if i == 0 else '':<5} {command}" for i, command in enumerate(commands)]


def arg(value: str | os.PathLike[str]) -> str:
    """A path or value as a shell word: ``data/my docs`` -> ``'data/my docs'``.

    >>> arg("data/mydocs"), arg("data/my docs")
    ('data/mydocs', "'data/my docs'")
    """
    return shlex.quote(os.fspath(value))
