"""Settings of the corpus stage: chunk size, filters, and per-document parse limits.

One dataclass for how documents become chunks (:class:`ChunkSettings`) and one for
how far a single document may push the machine while it is parsed
(:class:`ParseLimits`). The CLI (flags), ``config.py`` (TOML) and the tests all
build these; ``validate`` turns a bad value into one EmbedforgeError line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from embedforge.errors import EmbedforgeError
from embedforge.settings import Settings, setting


@dataclass(frozen=True)
class ParseLimits(Settings):
    """Bounds on parsing one document (a hostile or broken file must not take the run down).

    Attributes:
        timeout_s: wall-clock seconds one document may take to parse and chunk.
        memory_mb: address-space cap (RLIMIT_AS) of the worker process that parses and chunks, in MiB.
        max_file_mb: larger files are refused before parsing.
        isolate: parse in a worker process with the limits above (off: in-process, no time/memory cap).
    """

    timeout_s: float = 120.0
    memory_mb: int = 2048
    max_file_mb: float = 200.0
    isolate: bool = setting(True, output=False)  # same chunks either way

    def check(self) -> None:
        """Raise EmbedforgeError naming the bad value."""
        if self.timeout_s <= 0:
            raise EmbedforgeError(f"parse timeout {self.timeout_s}: must be > 0 seconds")
        if self.memory_mb < 256:
            raise EmbedforgeError(f"parse memory limit {self.memory_mb} MiB: must be at least 256")
        if self.max_file_mb <= 0:
            raise EmbedforgeError(f"max file size {self.max_file_mb} MiB: must be > 0")


@dataclass(frozen=True)
class ChunkSettings(Settings):
    """How documents are cut into chunks and which chunks are kept.

    Attributes:
        embedder: SPEC of the embedder whose tokenizer measures chunks (``bundled``, folder, hub id).
        chunk_tokens: target chunk size in tokens (capped at the embedder's max_seq_length).
        overlap_tokens: tokens repeated between consecutive chunks of one long section.
        min_tokens: chunks shorter than this are dropped (``too_short``).
        tiny_section_tokens: a section shorter than this is merged with the next one.
        min_words: chunks with fewer real words (letters, 2+ chars) are dropped (``no_content``).
        near_duplicate: estimated word-shingle Jaccard at or above which a chunk is a near duplicate.
        strict: stop at the first document that fails instead of skipping it.
        limits: per-document parse limits.
    """

    embedder: str = "bundled"
    chunk_tokens: int = 200
    overlap_tokens: int = 20
    min_tokens: int = 20
    tiny_section_tokens: int = 40
    min_words: int = 12
    near_duplicate: float = 0.85
    strict: bool = setting(False, output=False)  # stops a run; never changes a chunk
    limits: ParseLimits = field(default_factory=ParseLimits)

    def check(self) -> None:
        """Raise EmbedforgeError naming the bad value."""
        if self.chunk_tokens < 16:
            raise EmbedforgeError(f"chunk size {self.chunk_tokens} tokens: must be at least 16")
        if not 0 <= self.overlap_tokens < self.chunk_tokens // 2:
            raise EmbedforgeError(
                f"overlap {self.overlap_tokens} tokens: must be >= 0 and under half the chunk size "
                f"({self.chunk_tokens})"
            )
        if self.min_tokens < 0 or self.min_tokens >= self.chunk_tokens:
            raise EmbedforgeError(f"min_tokens {self.min_tokens}: must be >= 0 and under chunk_tokens")
        if not 0.0 < self.near_duplicate <= 1.0:
            raise EmbedforgeError(f"near_duplicate {self.near_duplicate}: must be in (0, 1]")
        self.limits.check()
