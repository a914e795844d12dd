"""The LLM-call cache: one SQLite file, one row per finished generation.

Keyed by our own hash of (the exact text or messages sent, LLM spec, generation
parameters), not LangChain's LLM cache, so the key is explicit and stable. The raw
output is stored, so changing the parser or the filters re-uses it without calling
the LLM. Each generation is committed as soon as it finishes (WAL journal), so a
run killed at any moment loses nothing that finished. Failures are never stored:
the next run retries exactly those. No credentials are ever passed in here.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from embedforge.errors import EmbedforgeError
from embedforge.fingerprint import object_hash, text_hash

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

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
        except sqlite3.Error as exc:
            raise EmbedforgeError(
                f"{self.path}: cannot open the LLM cache ({exc}); pass another --cache file"
            ) from exc

    def get(self, key: str) -> CachedGeneration | None:
        row = self._db.execute(
            "SELECT raw, tokens_in, tokens_out, created_at FROM generations WHERE key = ?", (key,)
        ).fetchone()
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
        """Store one finished generation and commit it at once (autocommit mode)."""
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self._db.execute(
            "INSERT OR REPLACE INTO generations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                text_hash(chunk_text, 64),
                prompt_hash,
                llm,
                json.dumps(params, sort_keys=True),
                raw,
                tokens_in,
                tokens_out,
                created,
            ),
        )
        return CachedGeneration(raw, tokens_in, tokens_out, created)

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM generations").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> GenerationCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
