"""Output folders: checked before any work, so a command never replaces a result by accident.

Each command that writes a folder says which top-level names it writes and which one
marks a finished result (:data:`OUTPUTS`). :func:`check_out_dir` then refuses, in one
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
    """What a command writes into ``--out``: ``kind`` (for messages), top-level ``writes``, ``finished`` marker.

    ``staging``: the folder a result is assembled in before its entries are renamed into ``--out``; while
    it is there, any other names beside it are that unfinished result's (a kill cut the renames short).
    """

    kind: str
    writes: frozenset[str]
    finished: str | None = None
    staging: str | None = None


_DATASET = frozenset({"corpus.jsonl", "queries.jsonl", "qrels", "train.parquet", "train.jsonl", "chunks.jsonl",
                      "split.json", "manifest.json", "README.md", "config.json", "filtered.jsonl"})
OUTPUTS = {
    "chunks": Output("chunks", frozenset({"chunks.jsonl", "config.json"})),
    "documents": Output("documents", frozenset({"documents.jsonl"})),
    "dataset": Output("dataset", _DATASET, finished="manifest.json"),
    # An unfinished training leaves checkpoints and its log; a finished one, a saved model (modules.json).
    "model": Output("model", frozenset({"checkpoints", "training_log.jsonl", ".model.tmp", ".checkpoints.deleting"}),
                    finished="modules.json", staging=".model.tmp"),
    "report": Output("report", frozenset({"metrics.json", "report.md", "per_query.csv", "ndcg_by_dim.png"})),
    "export": Output("export", frozenset({"train.json", "dev.json", "eval.json"})),
}


def check_out_dir(path: str | os.PathLike[str], what: str, *, overwrite: bool = False, flag: str = "--out") -> Path:
    """Check that ``path`` can take the output ``what`` (a key of :data:`OUTPUTS`); return it as a Path.

    Raises:
        EmbedforgeError: a file; not creatable or not writable; a finished result or other files
            (both allowed with ``overwrite``).
    """
    out, spec = Path(path), OUTPUTS[what]
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
