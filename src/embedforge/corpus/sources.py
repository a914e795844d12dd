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

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from embedforge.corpus.loader import document_type, missing_reason
from embedforge.corpus.manifest import load_manifest, locate_documents
from embedforge.errors import EmbedforgeError
from embedforge.fingerprint import file_hash


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
    """``name`` as UTF-8 can store it: bytes the OS gave that are not UTF-8 written as ``\\xNN``."""
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no file system produced: escape it as a code point
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def iter_sources(sources: Iterable[str | os.PathLike[str]]) -> Iterator[SourceDocument | SourceFailure]:
    """Documents (or failures) for each SOURCE, each file once, folders in sorted order."""
    seen: set[Path] = set()
    for source in sources:
        for item in _expand(Path(source)):
            if isinstance(item, SourceDocument):
                key = item.path.resolve()
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


def _folder(folder: Path) -> Iterator[SourceDocument]:
    base = writable_name(folder.resolve().name or ".")
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            if name.startswith(".") or document_type(path) is None:
                continue
            label = writable_name(f"{base}/{path.relative_to(folder).as_posix()}")
            yield SourceDocument(path=path, label=label,
                                 kind=document_type(path))


def _manifest(source: Path) -> Iterator[SourceDocument | SourceFailure]:
    try:
        manifest = load_manifest(source)
        paths = locate_documents(manifest, fetch=False)
    except EmbedforgeError as exc:
        yield SourceFailure(str(source), str(exc))
        return
    for document, path in zip(manifest.documents, paths, strict=True):
        yield SourceDocument(path=path, label=document.url, kind=document.type)

