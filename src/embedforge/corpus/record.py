"""The chunk record: what the corpus stage produces and every later stage reads.

A chunk's ``id`` is a hash of its text, so the same text has the same id on
every run and machine (the reference used random ids, which broke caching and
comparisons across runs).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from embedforge.errors import EmbedforgeError
from embedforge.files import iter_jsonl, write_jsonl
from embedforge.fingerprint import text_hash


@dataclass(frozen=True)
class Chunk:
    """One passage of a document.

    Attributes:
        id: ``text_hash(text)``; stable across runs.
        text: the cleaned passage.
        source: the document it came from (file name or URL).
        title: the document's title.
        section: heading path ("Symptoms > Early signs"), where the document has headings.
        page: 1-based PDF page where the chunk starts, else None.
    """

    id: str
    text: str
    source: str
    title: str = ""
    section: str | None = None
    page: int | None = None

    @classmethod
    def create(
        cls, text: str, source: str, title: str = "", section: str | None = None, page: int | None = None
    ) -> Chunk:
        """A chunk whose id is the hash of its text."""
        return cls(id=text_hash(text), text=text, source=source, title=title, section=section, page=page)

    def to_dict(self) -> dict[str, Any]:
        # Spelled out: dataclasses.asdict deep-copies field by field, a tenth of the driver's time a chunk.
        return {"id": self.id, "text": self.text, "source": self.source, "title": self.title,
                "section": self.section, "page": self.page}

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Chunk:
        try:
            return cls(
                id=str(row["id"]),
                text=str(row["text"]),
                source=str(row.get("source", "")),
                title=str(row.get("title") or ""),
                section=row.get("section"),
                page=row.get("page"),
            )
        except KeyError as exc:
            raise EmbedforgeError(f"chunk record without {exc.args[0]!r}: {str(row)[:80]}") from exc


def write_chunks(path: str | os.PathLike[str], chunks: Iterable[Chunk]) -> int:
    """Write chunks as JSON Lines (atomically); return the count."""
    return write_jsonl(path, (chunk.to_dict() for chunk in chunks))


def read_chunks(path: str | os.PathLike[str]) -> list[Chunk]:
    """Read a ``chunks.jsonl`` file.

    Raises:
        EmbedforgeError: missing file or malformed record.
    """
    return [Chunk.from_dict(row) for row in iter_jsonl(path)]
