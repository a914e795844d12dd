"""The near-duplicate filter's LSH buckets, against a brute-force reference of the same rule.

The rule: a chunk is a near duplicate when some chunk kept before shares one of its 16 bands
(4 MinHash values each) and their estimated Jaccard reaches ``near_duplicate``. The reference
checks every kept chunk, so the buckets, including those that hold several kept chunks, must
find exactly the same candidates.
"""

from __future__ import annotations

import random

import numpy as np

from embedforge.corpus import ChunkSettings
from embedforge.corpus.filters import ChunkFilter, ChunkPrint, fingerprint


def _variants(count: int, seed: int) -> list[str]:
    """Texts over a small vocabulary, each a copy of an earlier one with some words swapped, so
    bands collide both between near duplicates and between chunks kept as distinct."""
    rng = random.Random(seed)
    vocabulary = [f"word{i}" for i in range(400)]
    texts = [" ".join(rng.choice(vocabulary) for _ in range(60))]
    while len(texts) < count:
        words = rng.choice(texts).split()
        for _ in range(rng.choice((1, 2, 4, 8, 15, 25))):
            words[rng.randrange(len(words))] = rng.choice(vocabulary)
        texts.append(" ".join(words))
    return texts


def _synthetic(count: int, seed: int) -> list[ChunkPrint]:
    """Signatures over the values 0 and 1, each a copy of an earlier one with 0-20 values flipped: any band
    is shared by about one kept chunk in 16, so most buckets hold several, and near duplicates abound."""
    rng = np.random.default_rng(seed)
    signatures = [rng.integers(0, 2, 64, dtype=np.uint64)]
    while len(signatures) < count:
        signature = signatures[int(rng.integers(len(signatures)))].copy()
        flips = rng.choice(64, size=int(rng.integers(0, 21)), replace=False)
        signature[flips] ^= np.uint64(1)
        signatures.append(signature)
    return [ChunkPrint(None, signature.tobytes().hex(), signature.tobytes()) for signature in signatures]


def _reference(prints: list[ChunkPrint], threshold: float) -> list[str | None]:
    kept: list[np.ndarray] = []
    seen: set[str] = set()
    verdicts: list[str | None] = []
    for chunk in prints:
        signature = np.frombuffer(chunk.signature, dtype=np.uint64)
        bands = signature.reshape(16, 4)
        near = any(bool((bands == other.reshape(16, 4)).all(axis=1).any())
                   and np.count_nonzero(signature == other) / 64 >= threshold for other in kept)
        verdict = "duplicate" if chunk.digest in seen else "near_duplicate" if near else None
        if verdict is None:
            kept.append(signature)
            seen.add(chunk.digest)
        verdicts.append(verdict)
    return verdicts


def test_buckets_find_what_checking_every_kept_chunk_finds() -> None:
    settings = ChunkSettings()
    prints = [fingerprint(text, 100, settings) for text in _variants(400, seed=7)]
    keep = ChunkFilter(settings)
    verdicts = [keep.admit(chunk) for chunk in prints]
    assert verdicts == _reference(prints, settings.near_duplicate)
    assert verdicts.count("near_duplicate") > 20 and verdicts.count(None) > 20


def test_crowded_buckets_find_what_checking_every_kept_chunk_finds() -> None:
    settings = ChunkSettings()
    prints = _synthetic(600, seed=3)
    keep = ChunkFilter(settings)
    verdicts = [keep.admit(chunk) for chunk in prints]
    assert verdicts == _reference(prints, settings.near_duplicate)
    assert {"duplicate", "near_duplicate", None} <= set(verdicts)
    kept = [np.frombuffer(c.signature, dtype=np.uint64).reshape(16, 4) for c, v in zip(prints, verdicts, strict=True)
            if v is None]
    # Some band is shared by three or more kept chunks: the buckets' several-chunk path is exercised.
    assert max(sum(bool((k[band] == first[band]).all()) for k in kept) for first in kept for band in range(16)) >= 3
