"""SOURCE arguments checked before any work: no document at all is a usage error; skipped files are named.

A mistyped path must not cost a run and leave an empty output behind: when no SOURCE yields a
document the command stops with one line (exit 2) before it creates anything. A folder's files of
types embedforge does not read are skipped, and a user must hear how many and of which types.
The walk is :func:`embedforge.corpus.sources.iter_sources`, the one every stage uses.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from embedforge.corpus.loader import document_type
from embedforge.corpus.sources import SourceDocument, SourceFailure, iter_sources
from embedforge.errors import EmbedforgeError

log = logging.getLogger(__name__)

SUPPORTED = (".html", ".htm", ".pdf", ".md", ".txt")


def check_sources(sources: Iterable[str | os.PathLike[str]]) -> int:
    """Check SOURCEs before any work; return how many documents they hold.

    A folder's files of unsupported types are counted by type in one warning (they are
    skipped, never read). When no SOURCE yields a document, that is a usage error.

    Raises:
        EmbedforgeError: no SOURCE yields a document (the first SOURCE's reason, one line).
    """
    sources = list(sources)
    found, failures = 0, []
    for item in iter_sources(sources):
        if isinstance(item, SourceDocument):
            found += 1
        elif isinstance(item, SourceFailure):
            failures.append(item)
    for source in map(Path, sources):
        if source.is_dir() and (skipped := unsupported_types(source)):
            kinds = ", ".join(f"{suffix} {n}" for suffix, n in sorted(skipped.items()))
            log.warning("%s: skipped %d file(s) of unsupported types (%s); embedforge reads %s",
                        source, sum(skipped.values()), kinds, " ".join(SUPPORTED))
    if found == 0:
        if failures:
            raise EmbedforgeError(failures[0].reason)
        shown = ", ".join(map(str, sources)) or "(no SOURCE given)"
        raise EmbedforgeError(f"{shown}: no documents found; give files or folders holding {' '.join(SUPPORTED)}")
    return found


def unsupported_types(folder: Path) -> Counter[str]:
    """Files below ``folder`` (hidden ones excepted) that are no document type, counted by suffix."""
    skipped: Counter[str] = Counter()
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith(".") and document_type(Path(root) / name) is None:
                skipped[Path(name).suffix.lower() or "(no suffix)"] += 1
    return skipped
