"""Read one file into a :class:`Document`, choosing the loader by file type.

:func:`parse_document` is the single entry point for every format, a plain
top-level function of picklable arguments, so :mod:`embedforge.corpus.isolation`
can run it in a worker process under time and memory limits. Any failure comes
out as one EmbedforgeError line naming the file and the reason.
"""

from __future__ import annotations

import logging
import stat
from pathlib import Path

from embedforge.corpus.document import Document
from embedforge.corpus.noise import collecting, summary
from embedforge.corpus.settings import ParseLimits
from embedforge.errors import EmbedforgeError

log = logging.getLogger(__name__)

TYPES = {".html": "html", ".htm": "html", ".xhtml": "html", ".pdf": "pdf", ".md": "md", ".markdown": "md",
         ".txt": "txt", ".text": "txt"}


def document_type(path: Path) -> str | None:
    """``html``, ``pdf``, ``md`` or ``txt`` from the file suffix; None for anything else."""
    return TYPES.get(path.suffix.lower())


def missing_reason(path: Path, missing: str = "file not found; check the path") -> str:
    """Why ``path`` is not a file to read: ``missing``, or not a regular file (a device, FIFO, socket)."""
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):
        return missing
    if stat.S_ISDIR(mode):
        return "a folder, not a document file; give it as a SOURCE of its own"
    what = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else \
        "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a special file"
    return f"not a regular file ({what}); give a document file or a folder"


def parse_document(path: Path, limits: ParseLimits | None = None, kind: str | None = None,
                   label: str | None = None) -> Document:
    """Parse one file.

    Args:
        path: the file.
        limits: ``max_file_mb`` is enforced here; time and memory by the caller's worker process.
        kind: ``html``/``pdf``/``md``/``txt``; None: from the suffix.
        label: the name to use in messages and in ``Document.path`` (default: the path).

    Raises:
        EmbedforgeError: missing, too large, unsupported type, or unreadable content.
    """
    limits = limits or ParseLimits()
    name = Path(label) if label else path
    kind = kind or document_type(path)
    if not path.is_file():
        raise EmbedforgeError(f"{name}: {missing_reason(path)}")
    if kind is None:
        raise EmbedforgeError(f"{name}: unsupported file type {path.suffix!r}; use .html, .pdf, .md or .txt")
    size_mb = path.stat().st_size / 2**20
    if size_mb > limits.max_file_mb:
        raise EmbedforgeError(f"{name}: {size_mb:.0f} MiB is over the {limits.max_file_mb:.0f} MiB limit; "
                              "raise the limit or split the file")
    data = path.read_bytes()
    try:
        with collecting() as notes:  # third-party warnings: one summary line, not a flood
            document = _dispatch(name, data, kind)
    except (EmbedforgeError, MemoryError):
        raise
    except RecursionError as exc:
        raise EmbedforgeError(f"{name}: nested too deeply to parse; simplify the file") from exc
    except Exception as exc:  # a parser choking on a malformed file is the file's problem, not a crash
        raise EmbedforgeError(f"{name}: could not parse ({type(exc).__name__}: {exc}); check the file") \
            from exc
    document.extractor = document.extractor or kind  # html says which extractor; the others are their kind
    noise = summary(name, notes)
    if noise is not None:
        document.warnings.append(noise)
    for warning in document.warnings:
        log.warning("%s", warning)
    return document


def _dispatch(name: Path, data: bytes, kind: str) -> Document:
    if kind == "html":
        from embedforge.corpus.html import parse_html

        return parse_html(name, data)
    if kind == "pdf":
        from embedforge.corpus.pdf import parse_pdf

        return parse_pdf(name, data)
    from embedforge.corpus.text import parse_text

    return parse_text(name, data, markdown=kind == "md")
