"""Which chunks are worth keeping: not too short, not content-free, not a (near) duplicate.

Later stages ask an LLM to write a question per chunk; a chunk of three words, a
list of phone numbers or the fifth copy of a disclaimer makes a bad question and
a misleading qrel. :class:`ChunkFilter` returns a drop reason (counted in the
summary) or None. Near duplicates are found with MinHash over word 3-grams and
LSH banding, so the cost per chunk stays flat as the corpus grows.

The work is split in two so it scales: :func:`fingerprint` looks at one chunk alone (too
short, content-free, its digest and MinHash signature: most of the cost) and runs in the
parsing worker, in parallel; :meth:`ChunkFilter.admit` needs every chunk kept before (exact
and near duplicates: set and bucket look-ups) and runs once, in document order, on the driver.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np

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
_A = np.array([a for a, _ in _COEFFS], dtype=np.uint64)
_B = np.array([b for _, b in _COEFFS], dtype=np.uint64)
_P = np.uint64(_PRIME)
_S30, _S31, _S61 = np.uint64(30), np.uint64(31), np.uint64(61)
_LOW30, _LOW31 = np.uint64((1 << 30) - 1), np.uint64((1 << 31) - 1)


@dataclass(frozen=True)
class ChunkPrint:
    """What the filter needs of one chunk, computed from the chunk alone (see :func:`fingerprint`).

    Attributes:
        reason: ``too_short`` or ``no_content`` when the chunk fails on its own, else None.
        digest: sha256 of the normalised text ("" when ``reason`` is set).
        signature: the 64 MinHash values as uint64 bytes (b"" when ``reason`` is set).
    """

    reason: str | None
    digest: str = ""
    signature: bytes = b""


def fingerprint(text: str, tokens: int, settings: ChunkSettings) -> ChunkPrint:
    """The chunk's own verdict, digest and MinHash signature: no state, so any worker can compute it."""
    if tokens < settings.min_tokens:
        return ChunkPrint(TOO_SHORT)
    if _is_content_free(text, settings.min_words):
        return ChunkPrint(NO_CONTENT)
    normal = _NORMAL.sub(" ", text.lower()).strip()
    digest = hashlib.sha256(normal.encode("utf-8")).hexdigest()
    return ChunkPrint(None, digest, _minhash(normal.split()).tobytes())


class ChunkFilter:
    """Stateful filter over one run's chunks (it remembers what it has kept)."""

    def __init__(self, settings: ChunkSettings) -> None:
        self.settings = settings
        self._seen: set[str] = set()
        self._signatures: list[np.ndarray] = []
        # One dict a band, from the band's rows (bytes) to the kept chunk (an int) or chunks (a list):
        # bytes and ints are not tracked by the garbage collector, so 16 buckets a chunk cost no GC
        # passes (a list a bucket made the driver's filter twice as slow at 20,000 chunks).
        self._buckets: list[dict[bytes, int | list[int]]] = [{} for _ in range(_BANDS)]

    def reason_to_drop(self, text: str, tokens: int) -> str | None:
        """A drop reason, or None to keep (and remember) the chunk: :func:`fingerprint`, then :meth:`admit`."""
        return self.admit(fingerprint(text, tokens, self.settings))

    def admit(self, chunk: ChunkPrint) -> str | None:
        """A drop reason for the fingerprinted chunk (its own, or a duplicate of one kept), or None to keep it."""
        if chunk.reason is not None:
            return chunk.reason
        if chunk.digest in self._seen:
            return DUPLICATE
        signature = np.frombuffer(chunk.signature, dtype=np.uint64)
        bands = _bands(chunk.signature)
        if self._near_duplicate(signature, bands):
            return NEAR_DUPLICATE
        self._remember(chunk.digest, signature, bands)
        return None

    def _near_duplicate(self, signature: np.ndarray, bands: list[bytes]) -> bool:
        candidates: set[int] = set()
        for bucket, rows in zip(self._buckets, bands, strict=True):
            kept = bucket.get(rows)
            if isinstance(kept, list):
                candidates.update(kept)
            elif kept is not None:
                candidates.add(kept)
        threshold = self.settings.near_duplicate
        return any(_similarity(signature, self._signatures[index]) >= threshold for index in candidates)

    def _remember(self, digest: str, signature: np.ndarray, bands: list[bytes]) -> None:
        self._seen.add(digest)
        index = len(self._signatures)
        self._signatures.append(signature)
        for bucket, rows in zip(self._buckets, bands, strict=True):
            kept = bucket.setdefault(rows, index)
            if isinstance(kept, list):
                kept.append(index)
            elif kept != index:
                bucket[rows] = [kept, index]


def _is_content_free(text: str, min_words: int) -> bool:
    """Too few real words, or mostly digits, URLs and punctuation (contact lists, tables of numbers)."""
    words = _WORD.findall(text)
    if len(words) < min_words:
        return True
    letters = sum(len(word) for word in words)
    return letters < 0.5 * len(re.sub(r"\s+", "", text))


def _minhash(words: list[str]) -> np.ndarray:
    """64 MinHash values of the chunk's word 3-grams: min over shingles of (a*h + b) mod (2^61 - 1).

    Computed exactly in uint64 with numpy (a Mersenne-prime product split into 31-bit halves),
    so the values equal the Python-integer formula; profiling showed that formula in pure
    Python took a third of the corpus stage's time.
    """
    shingles = {" ".join(words[i:i + 3]) for i in range(max(len(words) - 2, 1))}
    digests = b"".join(hashlib.blake2b(s.encode(), digest_size=8).digest() for s in sorted(shingles))
    hashes = _mod_prime(np.frombuffer(digests, dtype=">u8").astype(np.uint64))
    return _mul_add_mod(_A[:, None], hashes[None, :], _B[:, None]).min(axis=1)


def _mod_prime(x: np.ndarray) -> np.ndarray:
    """x mod (2^61 - 1) for uint64 x below 2^64 (2^61 is 1 modulo the prime)."""
    x = (x & _P) + (x >> _S61)
    return np.where(x >= _P, x - _P, x)


def _mul_add_mod(a: np.ndarray, h: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(a*h + b) mod (2^61 - 1) for a, h, b below the prime, without overflowing uint64."""
    a_hi, a_lo = a >> _S31, a & _LOW31
    h_hi, h_lo = h >> _S31, h & _LOW31
    mid = a_hi * h_lo + a_lo * h_hi  # < 2^62; times 2^31 it is (mid >> 30) + (mid & (2^30-1)) * 2^31
    total = (a_hi * h_hi << np.uint64(1)) + (mid >> _S30) + ((mid & _LOW30) << _S31) + a_lo * h_lo + b
    return _mod_prime(_mod_prime(total))


def _bands(signature: bytes) -> list[bytes]:
    """The signature's 16 bands of 4 rows, as bytes: compact bucket keys (tuples of ints cost ~8x the memory)."""
    width = len(signature) // _BANDS
    return [signature[start:start + width] for start in range(0, len(signature), width)]


def _similarity(first: np.ndarray, second: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two chunks' word 3-gram sets."""
    return int(np.count_nonzero(first == second)) / _PERMUTATIONS
