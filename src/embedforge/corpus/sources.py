"""Expand SOURCE arguments into the documents to read, lazily and in a stable order.

A SOURCE is a file, a folder (searched recursively for .html/.htm/.pdf/.md/.txt,
hidden entries skipped) or a TOML manifest (its documents, looked up in the
manifest's folder or $EMBEDFORGE_CORPUS). Each document gets a ``label`` — the
``source`` recorded in its chunks — that does not depend on the machine: the
file name, the path below the folder's name, or the manifest entry's URL. A file
name that is not UTF-8 (Python holds its bad bytes as surrogate escapes, which no
UTF-8 file can store) is labelled with those bytes written ``\\xNN``: ``caf\\xe9.txt``.
A SOURCE that cannot be used is yielded as a :class:`SourceFailure`, not raised,
so one bad argument does not stop the others.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from embedforge.corpus.loader import document_type, missing_reason
from embedforge.corpus.manifest import load_manifest, locate_documents
from embedforge.errors import EmbedforgeError
from embedforge.fingerprint import file_hash

OWN_MANIFEST = "manifest.json"  # embedforge.dataset.manifest.MANIFEST_FILE (a later stage: not imported)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceDocument:
    """A document to parse: where it is, what it is, and the label its chunks carry."""

    path: Path
    label: str
    kind: str | None = None


@dataclass(frozen=True)
class SourceFailure:
    """A SOURCE that yields no document, with the one-line reason."""

    label: str
    reason: str


def writable_name(name: str) -> str:
    """``name`` as UTF-8 can store it and a terminal can show it.

    Bytes the OS gave that are not UTF-8 are written ``\\xNN``; control characters (an ANSI
    escape would recolour or clear the terminal that prints the name) and bidirectional
    controls (U+202E shows ``txt.exe`` as ``exe.txt``) are written ``\\xNN`` / ``\\uXXXX``.
    """
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no file system produced: escape it as a code point
        return _UNPRINTABLE.sub(_escape, name.encode("utf-8", "backslashreplace").decode("utf-8"))
    return _UNPRINTABLE.sub(_escape, raw.decode("utf-8", "backslashreplace"))


# C0 and C1 controls, DEL, and the bidirectional marks, embeddings, overrides and isolates.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def iter_sources(sources: Iterable[str | os.PathLike[str]]) -> Iterator[SourceDocument | SourceFailure]:
    """Documents (or failures) for each SOURCE, each file once, folders in sorted order."""
    seen: set[Path] = set()
    for source in sources:
        for item in _expand(Path(source)):
            if isinstance(item, SourceDocument):
                key = Path(os.path.realpath(item.path))  # never raises, not even on a link loop
                if key in seen:
                    continue
                seen.add(key)
            yield item


def source_hashes(sources: Iterable[str | os.PathLike[str]]) -> dict[str, str]:
    """label -> sha256 of each document :func:`iter_sources` finds; a SOURCE that yields none maps to ``""``.

    The one walk over SOURCEs: the chunks, the run's up-to-date check and the dataset
    manifest all see the same documents under the same labels.
    """
    hashes: dict[str, str] = {}
    for item in iter_sources(sources):
        if isinstance(item, SourceDocument):
            hashes[item.label] = file_hash(str(item.path)) if item.path.is_file() else ""
        else:
            hashes[item.label] = ""
    return dict(sorted(hashes.items()))


def _expand(source: Path) -> Iterator[SourceDocument | SourceFailure]:
    if source.is_dir():
        yield from _folder(source)
    elif source.suffix.lower() == ".toml":
        yield from _manifest(source)
    elif source.is_file():
        yield SourceDocument(path=source, label=writable_name(source.name), kind=document_type(source))
    else:
        name = writable_name(str(source))
        yield SourceFailure(name, f"{name}: {missing_reason(source, 'no such file or folder; check the path')}")


def _folder(folder: Path) -> Iterator[SourceDocument | SourceFailure]:
    """The documents below ``folder``; links followed only to files inside it, every other link named.

    A folder that cannot be listed (a path over the system's length limit, no permission) and a
    link that is not followed are each one :class:`SourceFailure`, never a silent skip.
    """
    root = Path(os.path.realpath(folder))
    base = writable_name(root.name or ".")
    unlisted: list[OSError] = []
    for top, dirs, files in os.walk(folder, followlinks=False, onerror=unlisted.append):
        yield from _unlisted(folder, base, unlisted)
        if Path(top) != folder and _is_own_output(Path(top)):
            log.info("%s: an embedforge dataset folder (its %s); not read as documents", writable_name(top),
                     OWN_MANIFEST)
            dirs.clear()
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        linked_dirs = [d for d in dirs if os.path.islink(os.path.join(top, d))]  # os.walk never enters these
        for name in sorted(files) + linked_dirs:
            path = Path(top) / name
            if name.startswith(".") or (document_type(path) is None and name not in linked_dirs):
                continue
            label = writable_name(f"{base}/{path.relative_to(folder).as_posix()}")
            skipped = _link_problem(path, root) if path.is_symlink() else None
            if skipped is not None:
                yield SourceFailure(label, f"{label}: {skipped}")
            elif name not in linked_dirs:
                yield SourceDocument(path=path, label=label, kind=document_type(path))
    yield from _unlisted(folder, base, unlisted)


def _unlisted(folder: Path, base: str, errors: list[OSError]) -> Iterator[SourceFailure]:
    """One failure per folder ``os.walk`` could not list, with the reason (a path too long says how long)."""
    while errors:
        exc = errors.pop(0)
        where = os.fsdecode(exc.filename) if exc.filename is not None else str(folder)
        relative = os.path.relpath(where, folder) if where.startswith(str(folder)) else where
        label = writable_name(f"{base}/{relative}")
        label = label if len(label) <= 160 else f"{label[:80]}...{label[-60:]}"  # one readable line
        if exc.errno == errno.ENAMETOOLONG:
            reason = (f"the path is {len(os.fsencode(where)):,} bytes long, over this system's limit; "
                      "move the documents to a shorter path")
        else:
            reason = f"cannot list this folder ({exc.strerror or exc}); check its permissions"
        yield SourceFailure(label, f"{label}: {reason}")


def _link_problem(path: Path, root: Path) -> str | None:
    """Why the symbolic link ``path`` is not followed, or None for a link to a document inside ``root``."""
    try:
        target = path.resolve(strict=True)
    except RuntimeError:  # Python 3.11 reports a loop so; later versions raise OSError(ELOOP)
        return "a symbolic link loop; remove the link"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link loop; remove the link"
        return f"a symbolic link to {os.readlink(path)!r}, which does not exist; remove or fix the link"
    if not target.is_file() and not target.is_dir():
        return missing_reason(target)
    if not target.is_relative_to(root):
        what = "folder" if target.is_dir() else "file"
        return (f"a symbolic link to a {what} outside {root.name}/, not followed; "
                "give that path as a SOURCE of its own to read it")
    return None  # inside the folder: a file is read through the link once; a folder's files where they are


def _is_own_output(folder: Path) -> bool:
    """True for a dataset folder embedforge wrote (its manifest names embedforge's version)."""
    manifest = folder / OWN_MANIFEST
    try:
        if not manifest.is_file() or manifest.is_symlink():
            return False
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # a path over the limit too: then it is not ours
        return False
    return isinstance(data, dict) and "format_version" in data and "embedforge" in (data.get("versions") or {})


def _manifest(source: Path) -> Iterator[SourceDocument | SourceFailure]:
    try:
        manifest = load_manifest(source)
        paths = locate_documents(manifest, fetch=False)
    except EmbedforgeError as exc:
        yield SourceFailure(str(source), str(exc))
        return
    for document, path in zip(manifest.documents, paths, strict=True):
        yield SourceDocument(path=path, label=document.url, kind=document.type)

