"""Stable content hashes.

Chunk ids, prompt hashes, cache keys and the pipeline's up-to-date checks all
hash content, never positions or random numbers, so the same input gives the
same id on every run and machine.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def text_hash(text: str, length: int = 16) -> str:
    """Hex sha256 of UTF-8 ``text``, cut to ``length`` characters.

    >>> text_hash("hello")
    '2cf24dba5fb0a30e'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def object_hash(obj: Any, length: int = 16) -> str:
    """Hash of a JSON-serialisable object, independent of dict key order.

    >>> object_hash({"b": 1, "a": 2}) == object_hash({"a": 2, "b": 1})
    True
    """
    return text_hash(json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str), length)


def file_hash(path: str, length: int = 64) -> str:
    """Hex sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:length]
