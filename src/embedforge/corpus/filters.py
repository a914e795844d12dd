"""Which chunks are worth keeping: not too short, not content-free, not a (near) duplicate.

Later stages ask an LLM to write a question per chunk; a chunk of three words, a
list of phone numbers or the fifth copy of a disclaimer makes a bad question and
a misleading qrel. :class:`ChunkFilter` returns a drop reason (counted in the
summary) or None. Near duplicates are found with MinHash over word 3-grams and
LSH banding, so the cost per chunk stays flat as the corpus grows.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

from embedforge.corpus.settings import ChunkSettings

TOO_SHORT = "too_short"
NO_CONTENT = "no_content"
DUPLICATE = "duplicate"
NEAR_DUPLICATE = "near_duplicate"

_WORD = re.compile(r"[^\W\d_]{2,}")
_NORMAL = re.compile(r"[\W_]+")
_PERMUTATIONS = 64
_BANDS = 16  # 16 bands of 4 rows: pairs above ~0.5 Jaccard become candidates, then the estimate decides
_PRIME = (1 << 61) - 1
_COEFFS = [
    (int.from_bytes(hashlib.sha256(f"a{i}".encode()).digest()[:8], "big") % _PRIME | 1,
     int.from_bytes(hashlib.sha256(f"b{i}".encode()).digest()[:8], "big") % _PRIME)
    for i in range(_PERMUTATIONS)
]


class ChunkFilter:
    """Stateful filter over one run's chunks (it remembers what it has kept)."""

    def __init__(self, settings: ChunkSettings) -> None:
        self.settings = settings
        self._seen: set[str] = set()
        self._signatures: list[tuple[int, ...]] = []
        self._buckets: dict[tuple[int, tuple[int, ...]], list[int]] = defaultdict(list)

    def reason_to_drop(self, text: str, tokens: int) -> str | None:
        """A drop reason, or None to keep (and remember) the chunk."""
        if tokens < self.settings.min_tokens:
            return TOO_SHORT
        if _is_content_free(text, self.settings.min_words):
            return NO_CONTENT
        normal = _NORMAL.sub(" ", text.lower()).strip()
        digest = hashlib.sha256(normal.encode("utf-8")).hexdigest()
        if digest in self._seen:
            return DUPLICATE
        signature = _minhash(normal.split())
        if self._near_duplicate(signature):
            return NEAR_DUPLICATE
        self._remember(digest, signature)
        return None

    def _near_duplicate(self, signature: tuple[int, ...]) -> bool:
        candidates: set[int] = set()
        for band in _bands(signature):
            candidates.update(self._buckets.get(band, ()))
        threshold = self.settings.near_duplicate
        return any(_similarity(signature, self._signatures[index]) >= threshold for index in candidates)

    def _remember(self, digest: str, signature: tuple[int, ...]) -> None:
        self._seen.add(digest)
        self._signatures.append(signature)
        for band in _bands(signature):
            self._buckets[band].append(len(self._signatures) - 1)


def _is_content_free(text: str, min_words: int) -> bool:
    """Too few real words, or mostly digits, URLs and punctuation (contact lists, tables of numbers)."""
    words = _WORD.findall(text)
    if len(words) < min_words:
        return True
    letters = sum(len(word) for word in words)
    return letters < 0.5 * len(re.sub(r"\s+", "", text))


def _minhash(words: list[str]) -> tuple[int, ...]:
    shingles = {" ".join(words[i:i + 3]) for i in range(max(len(words) - 2, 1))}
    hashes = [int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big") for s in shingles]
    return tuple(min((a * h + b) % _PRIME for h in hashes) for a, b in _COEFFS)


def _bands(signature: tuple[int, ...]) -> list[tuple[int, tuple[int, ...]]]:
    rows = _PERMUTATIONS // _BANDS
    return [(band, signature[band * rows:(band + 1) * rows]) for band in range(_BANDS)]


def _similarity(first: tuple[int, ...], second: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of the two chunks' word 3-gram sets."""
    return sum(a == b for a, b in zip(first, second, strict=True)) / _PERMUTATIONS
