"""Corpus manifests: which documents, from where, with which checksum — and fetching them.

A manifest is TOML, ``[[documents]]`` with ``name``, ``url``, ``type``, ``sha256``
and ``path`` (relative to the manifest's folder, e.g. ``corpus/``). The documents
themselves are never committed: :func:`fetch_manifest` downloads them (https
only unless allowed, a size cap, the checksum verified before the file lands)
and :func:`locate_documents` finds them for the pipeline. A manifest can never
make a write land outside its folder (``..``, absolute paths, symlinks out).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from embedforge.environment import corpus_folder
from embedforge.errors import EmbedforgeError
from embedforge.files import atomic_write_bytes
from embedforge.fingerprint import file_hash

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

log = logging.getLogger(__name__)

DEFAULT_MAX_MB = 100.0
_TYPES = {"html", "pdf", "md", "txt"}


@dataclass(frozen=True)
class ManifestDocument:
    """One manifest entry; ``path`` is relative to the manifest's folder."""

    name: str
    url: str
    type: str
    sha256: str
    path: str


@dataclass(frozen=True)
class Manifest:
    """A parsed manifest and the folder its document paths are relative to."""

    source: Path
    root: Path
    documents: tuple[ManifestDocument, ...]

    def target(self, document: ManifestDocument, dest: Path | None = None) -> Path:
        """Where ``document`` lives under ``dest`` (default: the manifest's folder), refusing escapes."""
        return safe_target(dest or self.root, document.path, self.source)


def load_manifest(path: str | os.PathLike[str]) -> Manifest:
    """Read and validate a manifest.

    Raises:
        EmbedforgeError: missing file, bad TOML, or an entry with a missing or bad field.
    """
    source = Path(path)
    if not source.is_file():
        raise EmbedforgeError(f"{source}: manifest not found; check the path")
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise EmbedforgeError(f"{source}: not valid TOML ({exc}); fix the manifest") from exc
    except RecursionError as exc:  # tomllib recurses per nesting level
        raise EmbedforgeError(f"{source}: not valid TOML (nested too deeply); fix the manifest") from exc
    entries = data.get("documents")
    if not isinstance(entries, list) or not entries:
        raise EmbedforgeError(f"{source}: no [[documents]] entries; add one per document")
    documents = tuple(_entry(source, index, entry) for index, entry in enumerate(entries, 1))
    manifest = Manifest(source=source, root=source.parent, documents=documents)
    for document in documents:
        manifest.target(document)  # validates the path now, not halfway through a fetch
    return manifest


def _entry(source: Path, index: int, entry: object) -> ManifestDocument:
    where = f"{source}: document {index}"
    if not isinstance(entry, dict):
        raise EmbedforgeError(f"{where}: expected a table with name, url, type, sha256, path")
    fields = ("name", "url", "type", "sha256", "path")
    missing = [key for key in fields if not isinstance(entry.get(key), str)]
    if missing:
        raise EmbedforgeError(f"{where}: missing or non-text {', '.join(missing)}; add them")
    if entry["type"] not in _TYPES:
        raise EmbedforgeError(f"{where}: type {entry['type']!r} unknown; use one of {sorted(_TYPES)}")
    if not re.fullmatch(r"[0-9a-f]{64}", entry["sha256"].lower()):
        raise EmbedforgeError(f"{where}: sha256 must be 64 hex digits")
    return ManifestDocument(name=entry["name"], url=entry["url"], type=entry["type"],
                            sha256=entry["sha256"].lower(), path=entry["path"])


def safe_target(dest: Path, relative: str, manifest: Path | str = "manifest") -> Path:
    """``dest / relative``, refusing absolute paths, ``..`` and symlinks that lead out of ``dest``."""
    rel = Path(relative)
    if rel.is_absolute() or relative.startswith(("/", "\\")) or ".." in rel.parts or not rel.parts:
        raise EmbedforgeError(
            f"{manifest}: path {relative!r} must be relative and stay inside the corpus folder")
    target = dest / rel
    root = dest.resolve()
    if not target.resolve().is_relative_to(root):
        raise EmbedforgeError(f"{manifest}: path {relative!r} leads outside {dest} (a symlink?); refusing it")
    return target


def fetch_manifest(manifest: Manifest | str | os.PathLike[str], dest: str | os.PathLike[str] | None = None, *,
                   allow_http: bool = False, max_mb: float = DEFAULT_MAX_MB,
                   timeout_s: float = 60.0, allow_hosts: Collection[str] = ()) -> list[Path]:
    """Download every document not already present with the right checksum; return their paths.

    Only public addresses are fetched; ``allow_hosts`` exempts host names (tests against a local
    server only; the CLI never sets it). Every redirect is checked like the first URL (:mod:`.downloads`).

    Raises:
        EmbedforgeError: a non-https URL (unless ``allow_http``), a non-public address, no network,
            an HTTP error, a download over ``max_mb``, or a checksum mismatch (the file is then not written).
    """
    manifest = manifest if isinstance(manifest, Manifest) else load_manifest(manifest)
    folder = Path(dest) if dest is not None else manifest.root
    paths = []
    for document in manifest.documents:
        target = manifest.target(document, folder)
        if target.is_file() and file_hash(str(target)) == document.sha256:
            log.info("%s: already present", target)
        else:
            atomic_write_bytes(target, _download(document, allow_http, max_mb, timeout_s, allow_hosts))
            log.info("%s: downloaded from %s", target, document.url)
        paths.append(target)
    return paths


def _download(document: ManifestDocument, allow_http: bool, max_mb: float, timeout_s: float,
              allow_hosts: Collection[str] = ()) -> bytes:
    import httpx

    from embedforge.corpus.downloads import download

    url = document.url
    try:
        body = download(url, allow_http=allow_http, allow_hosts=allow_hosts, max_bytes=int(max_mb * 2**20),
                        timeout_s=timeout_s)
    except httpx.TransportError as exc:
        raise EmbedforgeError(f"{url}: cannot download ({type(exc).__name__}: {exc}); check the network, "
                              f"or place the file at {document.path} by hand") from exc
    except EmbedforgeError:
        raise
    except Exception as exc:  # langchain-core's pinned transport refusing an address it resolved itself
        raise EmbedforgeError(f"{url}: refused ({type(exc).__name__}: {exc}); manifests may only fetch "
                              "from public hosts") from exc
    digest = hashlib.sha256(body).hexdigest()
    if digest != document.sha256:
        raise EmbedforgeError(f"{url}: sha256 {digest[:12]}… does not match the manifest's "
                              f"{document.sha256[:12]}…; the file changed upstream: check it, "
                              "then update the manifest")
    return body


def locate_documents(manifest: Manifest | str | os.PathLike[str],
                     folder: str | os.PathLike[str] | None = None,
                     fetch: bool = True) -> list[Path]:
    """The manifest's documents on disk.

    Looked up in ``folder`` or $EMBEDFORGE_CORPUS if given, else the manifest's folder, else fetched.

    In a given folder a document is found at its manifest path or by its file name alone.

    Raises:
        EmbedforgeError: a document missing or with the wrong checksum (and ``fetch`` off or failing).
    """
    manifest = manifest if isinstance(manifest, Manifest) else load_manifest(manifest)
    chosen = folder or corpus_folder()
    if chosen:
        return [_in_folder(manifest, document, Path(chosen)) for document in manifest.documents]
    targets = [manifest.target(document) for document in manifest.documents]
    if all(_matches(target, doc.sha256) for target, doc in zip(targets, manifest.documents, strict=True)):
        return targets
    if not fetch:
        for target, document in zip(targets, manifest.documents, strict=True):
            if target.is_file() and not _matches(target, document.sha256):
                raise EmbedforgeError(f"{target}: sha256 does not match {manifest.source}; replace the file "
                                      f"(`embedforge corpus fetch {manifest.source}`) or update the manifest")
        raise EmbedforgeError(f"{manifest.source}: documents not in {manifest.root}; "
                              f"run `embedforge corpus fetch {manifest.source}` or set EMBEDFORGE_CORPUS")
    return fetch_manifest(manifest)


def _in_folder(manifest: Manifest, document: ManifestDocument, folder: Path) -> Path:
    for candidate in (safe_target(folder, document.path, manifest.source), folder / Path(document.path).name):
        if candidate.is_file():
            if not _matches(candidate, document.sha256):
                raise EmbedforgeError(f"{candidate}: sha256 does not match {manifest.source}; "
                                      "replace the file or update the manifest")
            return candidate
    raise EmbedforgeError(f"{folder}: no {Path(document.path).name} ({document.name}); "
                          f"put it there or run `embedforge corpus fetch {manifest.source}`")


def _matches(path: Path, sha256: str) -> bool:
    return path.is_file() and file_hash(str(path)) == sha256
