"""Corpus embeddings kept next to the dataset, so a second search does not encode the corpus again.

Encoding a corpus is the slow part of a search (minutes for 10⁵ chunks on a CPU); the
question alone is milliseconds. The embeddings are stored in ``DATASET_DIR/.embedforge-cache/``
as one ``.npz`` per (model, corpus), its name and its ``key`` array both the hash of the
model's files and of the corpus (ids and texts, in order). Written atomically (temp file +
rename). A file whose key, shape or values do not match is stale or corrupt: it is recomputed
and replaced, never trusted. The folder is a record of the dataset stage (not hashed) and is
never pushed to the Hub.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from embedforge.dataset.layout import EMBEDDING_CACHE_DIR
from embedforge.files import atomic_write_bytes
from embedforge.fingerprint import object_hash

log = logging.getLogger(__name__)

CACHE_DIR = EMBEDDING_CACHE_DIR
# Files of a model folder that never change its embeddings: the card (``compare`` writes its fusion
# weights there), training's records, checkpoints and caches.
NOT_WEIGHTS = frozenset({"README.md", "selection.json", "training_log.jsonl", "checkpoints", ".cache"})


def folder_hash(folder: str | os.PathLike[str]) -> str:
    """sha256 over a model folder's files (relative path and bytes) but :data:`NOT_WEIGHTS`: the cache's model key."""
    root = Path(folder)
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not NOT_WEIGHTS & set(p.relative_to(root).parts)):
        digest.update(str(path.relative_to(root)).encode("utf-8") + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 22), b""):
                digest.update(block)
    return digest.hexdigest()[:32]


def corpus_hash(ids: Sequence[str], texts: Sequence[str]) -> str:
    """Hash of the corpus as encoded: ids and texts, in order."""
    return object_hash([list(ids), list(texts)], length=32)


def cache_path(dataset_dir: str | os.PathLike[str], model_key: str, corpus_key: str) -> Path:
    return Path(dataset_dir) / CACHE_DIR / f"corpus-{model_key[:16]}-{corpus_key[:16]}.npz"


def load_cached(path: Path, key: str, rows: int) -> np.ndarray | None:
    """The embeddings in ``path`` when its key and row count match and every value is finite, else None."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            stored_key, embeddings = str(data["key"]), np.asarray(data["embeddings"], dtype=np.float32)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("%s: unreadable corpus embeddings (%s); encoding the corpus again", path, exc)
        return None
    if stored_key != key or embeddings.ndim != 2 or embeddings.shape[0] != rows or embeddings.shape[1] == 0:
        log.warning("%s: stale corpus embeddings (another model or corpus); encoding the corpus again", path)
        return None
    if not np.isfinite(embeddings).all():
        log.warning("%s: corpus embeddings hold non-finite values; encoding the corpus again", path)
        return None
    return embeddings


def save_cached(path: Path, key: str, embeddings: np.ndarray) -> None:
    """Write ``embeddings`` and their key atomically."""
    buffer = io.BytesIO()
    np.savez(buffer, key=np.array(key), embeddings=np.ascontiguousarray(embeddings, dtype=np.float32))
    atomic_write_bytes(path, buffer.getvalue())


def corpus_embeddings(
    dataset_dir: str | os.PathLike[str],
    model_key: str,
    ids: Sequence[str],
    texts: Sequence[str],
    encode: Callable[[list[str]], np.ndarray],
) -> tuple[np.ndarray, bool]:
    """The corpus embeddings of one model: from the cache when valid, else ``encode(texts)`` (then cached).

    Args:
        dataset_dir: the dataset folder; the cache is its ``.embedforge-cache/``.
        model_key: the model's content hash (:func:`folder_hash`).
        ids, texts: the corpus, in order.
        encode: texts -> (chunks x dim) float32 embeddings, called only on a miss.

    Returns:
        (embeddings, whether they came from the cache).
    """
    corpus_key = corpus_hash(ids, texts)
    key = f"{model_key}:{corpus_key}"
    path = cache_path(dataset_dir, model_key, corpus_key)
    cached = load_cached(path, key, len(texts))
    if cached is not None:
        log.debug("%s: corpus embeddings from the cache", path)
        return cached, True
    embeddings = np.asarray(encode(list(texts)), dtype=np.float32)
    try:
        save_cached(path, key, embeddings)
    except OSError as exc:  # a read-only dataset folder: search still works, only slower next time
        log.warning("%s: could not cache the corpus embeddings (%s); the next search encodes again", path, exc)
    return embeddings, False
