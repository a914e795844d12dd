"""Output folders: checked before any work, so a command never replaces a result by accident.

Each stage package declares, once, what it writes (an :class:`Output`: its top-level names, the
one that marks a finished result, the ones that are records rather than content), beside the code
that writes it; the run's stages (:mod:`embedforge.pipeline.stages`) and the commands take that declaration.
:func:`check_out_dir` then refuses, in one
line, a path that is a file, a folder that cannot be created or written, a finished
result (unless ``overwrite``), and a non-empty folder holding anything else (unless
``overwrite``). A folder holding only what the same command writes, unfinished, is
fine: the command reruns there, taking finished LLM calls from the cache and
training from its checkpoints. The check creates nothing; it deletes only the temporary files
that writers since gone left there (``.NAME.PID.XXXX.tmp``, see :func:`embedforge.files.sweep_temporaries`).
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from embedforge.errors import EmbedforgeError
from embedforge.files import sweep_temporaries

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Output:
    """What a stage or command writes into its folder, declared once by the package that writes it.

    Attributes:
        kind: what it is called in messages (``dataset``, ``model``...).
        writes: the top-level names it writes.
        finished: the name whose presence marks a finished result, which :func:`check_out_dir` never
            replaces without ``overwrite``; None when a result may be written over.
        staging: the folder a result is assembled in before its entries are renamed into the folder; while
            it is there, any other names beside it are that unfinished result's (a kill cut the renames short).
        complete: the name whose presence says the result is complete, when ``finished`` is None.
        records: names that are records rather than content (cards, manifests with timestamps, logs,
            checkpoints, caches): a run's output hash leaves them out.
    """

    kind: str
    writes: frozenset[str]
    finished: str | None = None
    staging: str | None = None
    complete: str | None = None
    records: frozenset[str] = frozenset()

    @property
    def marker(self) -> str:
        """The name whose presence says the result is complete (``finished``, else ``complete``)."""
        name = self.finished or self.complete
        if name is None:
            raise ValueError(f"output {self.kind!r}: declares neither `finished` nor `complete`")
        return name


def check_out_dir(path: str | os.PathLike[str], spec: Output, *, overwrite: bool = False,
                  flag: str = "--out") -> Path:
    """Check that ``path`` can take the output ``spec`` (its package's declaration); return it as a Path.

    Raises:
        EmbedforgeError: a file; not creatable or not writable; a finished result or other files
            (both allowed with ``overwrite``).
    """
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise EmbedforgeError(f"{flag} {out}: is a file, not a folder; give a folder path")
    check_writable(out, flag)
    if out.is_dir() and (swept := sweep_temporaries(out)):
        log.info("%s: removed %d temporary file(s) of writers that are gone", out, swept)
    if not out.is_dir() or overwrite:
        return out
    if spec.finished and (out / spec.finished).exists():
        raise EmbedforgeError(f"{flag} {out}: already holds a finished {spec.kind}; "
                              "pass --overwrite to replace it, or choose another folder")
    publishing = spec.staging is not None and (out / spec.staging).is_dir()
    others = sorted(p.name for p in out.iterdir() if p.name not in spec.writes and not _temporary(p.name))
    others = [] if publishing else others
    if others:
        shown = ", ".join(repr(name) for name in others[:3]) + (", ..." if len(others) > 3 else "")
        raise EmbedforgeError(f"{flag} {out}: not empty, holds {shown} which this command does not write; "
                              "choose a new or empty folder, or pass --overwrite to write into it anyway")
    return out


def _temporary(name: str) -> bool:
    """A temporary file of ``embedforge.files`` (``.NAME.PID.XXXX.tmp``) left by a killed writer."""
    return name.startswith(".") and name.endswith(".tmp")


def check_writable(out: Path, flag: str) -> None:
    """Check that ``out`` can be written: a probe file in it, or in the nearest folder above it that exists.

    Creates no folder, so processes checking the same path at once (DDP ranks) cannot trip each other,
    and a command rejected later leaves nothing behind.

    Raises:
        EmbedforgeError: ``out`` or a folder above it is a file, or the folder cannot be written.
    """
    if out.exists() and not out.is_dir():
        raise EmbedforgeError(f"{flag} {out}: is a file, not a folder; give a folder path")
    base = out
    while not base.exists() and base.parent != base:
        base = base.parent
    if not base.is_dir():
        raise EmbedforgeError(f"{flag} {out}: {base} is a file, so the folder cannot be made there; "
                              "give a folder path")
    try:
        fd, probe = tempfile.mkstemp(dir=base, prefix=".embedforge-probe.", suffix=".tmp")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise EmbedforgeError(f"{flag} {out}: cannot write there ({exc.strerror or exc}); "
                              "choose a folder you can write to") from exc
