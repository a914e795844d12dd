"""Corpus embeddings kept next to the dataset, so a second search does not encode the corpus again.

Encoding a corpus is the slow part of a search (minutes for 10⁵ chunks on a CPU); the
question alone is milliseconds. The embeddings are stored in ``DATASET_DIR/.embedforge-cache/``
as one ``.npz`` per (model, corpus), its name and its ``key`` array both the hash of the
model's files and of the corpus (ids and texts, in order). Written atomically (temp file +
rename). A file whose key, shape or values do not match is stale or corrupt: it is recomputed
and replaced, never trusted. The folder is a record of the dataset stage (not hashed) and is
never pushed to the Hub.

Hashing the model's files is itself most of a second for a 440 MB model, at every start. So
:func:`model_key` remembers each hash in the same folder (``model-keys.json``) under the files'
identity (path, size, mtime, ctime, inode), as ``git`` and ``make`` trust a file's stat: a changed
file is hashed again. A hash of files changed in the last seconds is not remembered, since a second
change within the clock's granularity could leave the stat as it was.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import time
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from embedforge.dataset.layout import EMBEDDING_CACHE_DIR
from embedforge.files import atomic_write_bytes, atomic_write_text
from embedforge.fingerprint import object_hash

log = logging.getLogger(__name__)

CACHE_DIR = EMBEDDING_CACHE_DIR
# Files of a model folder that never change its embeddings: the card (``compare`` writes its fusion
# weights there), training's records, checkpoints and caches.
NOT_WEIGHTS = frozenset({"README.md", "selection.json", "training_log.jsonl", "checkpoints", ".cache"})
MODEL_KEYS = "model-keys.json"
_REMEMBERED = 32  # model keys kept in MODEL_KEYS, the latest
_SETTLED_NS = 2_000_000_000  # files unchanged this long are not racing the clock


def _weight_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not NOT_WEIGHTS & set(p.relative_to(root).parts))


def folder_hash(folder: str | os.PathLike[str]) -> str:
    """sha256 over a model folder's files (relative path and bytes) but :data:`NOT_WEIGHTS`: the cache's model key."""
    root = Path(folder)
    digest = hashlib.sha256()
    for path in _weight_files(root):
        digest.update(str(path.relative_to(root)).encode("utf-8") + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 22), b""):
                digest.update(block)
    return digest.hexdigest()[:32]


def model_key(folder: str | os.PathLike[str], dataset_dir: str | os.PathLike[str]) -> str:
    """:func:`folder_hash` of a model folder, remembered in ``dataset_dir``'s cache by the files' stat."""
    root = Path(folder).resolve()
    now = time.time_ns()
    stats = [(str(p.relative_to(root)), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
             for p, st in ((p, p.stat()) for p in _weight_files(root))]
    identity = object_hash([str(root), stats], length=32)
    memo_path = Path(dataset_dir) / CACHE_DIR / MODEL_KEYS
    memo = _read_memo(memo_path)
    if identity in memo:
        return memo[identity]
    key = folder_hash(root)
    if all(now - max(mtime, ctime) > _SETTLED_NS for _, _, mtime, ctime, _ in stats):
        memo[identity] = key
        try:
            atomic_write_text(memo_path, json.dumps(dict(list(memo.items())[-_REMEMBERED:]), indent=1) + "\n")
        except OSError as exc:  # a read-only dataset folder: the model is hashed again next time
            log.debug("%s: model key not remembered (%s)", memo_path, exc)
    return key


def _read_memo(path: Path) -> dict[str, str]:
    try:
        memo = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): v for k, v in memo.items() if isinstance(v, str)} if isinstance(memo, dict) else {}


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
