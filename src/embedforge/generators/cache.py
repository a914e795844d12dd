"""The LLM-call cache: one SQLite file, one row per finished generation.

Keyed by our own hash of (the exact text or messages sent, LLM spec, generation
parameters), not LangChain's LLM cache, so the key is explicit and stable. The raw
output is stored, so changing the parser or the filters re-uses it without calling
the LLM. Each generation is committed as soon as it finishes (WAL journal), so a
run killed at any moment loses nothing that finished. Failures are never stored:
the next run retries exactly those. No credentials are ever passed in here.

SQLite errors after the file opens are user-fixable, never internal errors: a file of
another layout is refused when opened (before any call); a damaged or locked file that
cannot be read is one line naming it; a write that fails (disk full, locked past the busy
timeout, damaged pages) keeps the answer in memory for this run, stops writing to the
file, and :attr:`GenerationCache.unsaved` says so (``Counts.uncached`` carries it), for the
dataset stage to report once the answers are safe in its folder.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from embedforge.errors import EmbedforgeError
from embedforge.fingerprint import object_hash, text_hash

log = logging.getLogger(__name__)
BUSY_TIMEOUT_S = 30.0  # how long a call waits for another process's write lock before it gives up

_SCHEMA = """
CREATE TABLE IF NOT EXISTS generations (
    key TEXT PRIMARY KEY,
    chunk_hash TEXT NOT NULL,
    prompt_hash TEXT NOT NULL,
    llm TEXT NOT NULL,
    params TEXT NOT NULL,
    raw TEXT NOT NULL,
    tokens_in INTEGER NOT NULL,
    tokens_out INTEGER NOT NULL,
    created_at TEXT NOT NULL
)
"""
_COLUMNS = ["key", "chunk_hash", "prompt_hash", "llm", "params", "raw", "tokens_in", "tokens_out", "created_at"]


def _advice(exc: sqlite3.Error) -> str:
    """What to do about an SQLite error, from its message."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "another process holds it locked; wait for that run to end, or pass another --cache file"
    if "full" in text:
        return "the disk is full; free space, or pass a --cache file on another disk"
    return "move the file aside (a new cache is made) or pass another --cache file"


@dataclass(frozen=True)
class CachedGeneration:
    """A stored LLM output."""

    raw: str
    tokens_in: int
    tokens_out: int
    created_at: str


def cache_key(sent_digest: str, llm: str, params: dict[str, Any]) -> str:
    """The cache key of one LLM call: the digest of exactly what is sent (``Rendered.digest``), LLM, params."""
    return object_hash({"sent": sent_digest, "llm": llm, "params": params}, 40)


class GenerationCache:
    """SQLite-backed store of raw generations; use as a context manager or call :meth:`close`."""

    def __init__(self, path: str | Path, *, busy_timeout: float | None = None) -> None:
        self.path = Path(path)
        busy_timeout = BUSY_TIMEOUT_S if busy_timeout is None else busy_timeout
        self._unsaved = 0  # answers this run could not write
        self._write_error: sqlite3.Error | None = None  # the first write that failed: none is tried after it
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            columns = [row[1] for row in self._db.execute("PRAGMA table_info(generations)")]
        except sqlite3.Error as exc:
            raise EmbedforgeError(f"{self.path}: cannot open the LLM cache ({exc}); {_advice(exc)}") from exc
        if columns != _COLUMNS:
            self._db.close()
            raise EmbedforgeError(f"{self.path}: not an embedforge LLM cache of this version (its generations "
                                  f"table has columns {', '.join(columns)[:200]}); move it aside (a new cache is "
                                  "made) or pass another --cache file")

    def get(self, key: str) -> CachedGeneration | None:
        """The stored generation of ``key``, or None.

        Raises:
            EmbedforgeError: the file cannot be read (damaged pages, locked past the busy timeout).
        """
        try:
            row = self._db.execute(
                "SELECT raw, tokens_in, tokens_out, created_at FROM generations WHERE key = ?", (key,)
            ).fetchone()
        except sqlite3.Error as exc:
            raise EmbedforgeError(f"{self.path}: cannot read the LLM cache ({exc}); {_advice(exc)}") from exc
        return CachedGeneration(row[0], int(row[1]), int(row[2]), row[3]) if row else None

    def put(
        self,
        key: str,
        *,
        chunk_text: str,
        prompt_hash: str,
        llm: str,
        params: dict[str, Any],
        raw: str,
        tokens_in: int,
        tokens_out: int,
    ) -> CachedGeneration:
        """Store one finished generation and commit it at once (autocommit mode); return it.

        A write that fails is not raised: the generation is returned all the same (the caller
        keeps it), the file is written no more this run, and :attr:`unsaved` says why.
        """
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        row = (key, text_hash(chunk_text, 64), prompt_hash, llm, json.dumps(params, sort_keys=True), raw,
               tokens_in, tokens_out, created)
        if self._write_error is not None:
            self._unsaved += 1
        else:
            try:
                self._db.execute("INSERT OR REPLACE INTO generations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            except sqlite3.Error as exc:
                self._unsaved += 1
                self._write_error = exc
                log.warning("%s: cannot write the LLM cache (%s); answers are kept for this run only",
                            self.path, exc)
        return CachedGeneration(raw, tokens_in, tokens_out, created)

    @property
    def unsaved(self) -> dict[str, int]:
        """Answers of this run the file could not take, by one line naming the file, the error and what to do."""
        if self._write_error is None:
            return {}
        line = f"{self.path}: LLM answers could not be written to the cache ({self._write_error}); "
        return {line + _advice(self._write_error): self._unsaved}

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM generations").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> GenerationCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
