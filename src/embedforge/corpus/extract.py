"""``embedforge extract``: each document as the chunker will see it, before chunking.

Users need to see what their pages and PDFs became (was the sidebar dropped? are
the headings sections?), and benchmarks need it to score the loader. The documents
are parsed exactly as :func:`embedforge.corpus.chunk_documents` parses them (same
sources, labels, limits and worker isolation) and written to ``documents.jsonl``,
one document a line: ``source``, ``title``, ``extractor``, ``text`` and ``blocks``
(``text``, ``section``, ``page``, ``kind``).
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embedforge import progress
from embedforge.corpus.document import Document
from embedforge.corpus.isolation import IsolatedParser
from embedforge.corpus.settings import ParseLimits
from embedforge.corpus.sources import SourceFailure, iter_sources
from embedforge.corpus.summary import DocumentRun
from embedforge.errors import EmbedforgeError
from embedforge.files import atomic_open_text, dumps_line
from embedforge.outdir import Output

log = logging.getLogger(__name__)

DOCUMENTS_FILE = "documents.jsonl"
DOCUMENTS_OUTPUT = Output("documents", frozenset({DOCUMENTS_FILE}))  # `embedforge extract --out DIR`


@dataclass
class ExtractSummary(DocumentRun):
    """What an extract run did: documents written, by extractor, and the failures (source, reason)."""

    extractors: dict[str, int] = field(default_factory=dict)

    def format(self) -> str:
        """The human summary the CLI prints."""
        used = ", ".join(f"{name} {count}" for name, count in sorted(self.extractors.items()))
        return "\n".join([f"documents read: {self.documents_read}" + (f" ({used})" if used else ""),
                          *self.outcome_lines()])


def extract_documents(sources: Iterable[str | os.PathLike[str]], out_dir: str | os.PathLike[str],
                      limits: ParseLimits | None = None, strict: bool = False) -> ExtractSummary:
    """Parse every document of ``sources`` into ``out_dir/documents.jsonl`` (see :func:`document_record`).

    Args:
        sources: files, folders (recursive) and TOML manifests, as for ``embedforge chunk``.
        out_dir: created if missing; ``documents.jsonl`` replaced atomically.
        limits: per-document parse limits (time, memory, size, isolation).
        strict: stop at the first document that fails instead of recording it and going on.

    Raises:
        EmbedforgeError: bad limits, no SOURCE at all, or (``strict``) the first failing document.
    """
    limits = (limits or ParseLimits()).validate()
    items = list(iter_sources(sources))
    if not items:
        raise EmbedforgeError("no documents found in the given sources; pass .html, .pdf, .md or .txt files")
    output = Path(out_dir) / DOCUMENTS_FILE
    summary = ExtractSummary(output=output)
    extractors: Counter[str] = Counter()
    with IsolatedParser(limits) as parser, atomic_open_text(output) as out:
        for item in progress.bar(items, desc="extracting", unit="doc", show=len(items) > 1):
            try:
                if isinstance(item, SourceFailure):
                    raise EmbedforgeError(item.reason)
                document = parser.parse(item.path, item.kind, item.label)
            except EmbedforgeError as exc:
                if strict:
                    raise
                log.warning("%s", exc)
                summary.failures.append((item.label, str(exc)))
                continue
            out.write(dumps_line(document_record(document, item.label)) + "\n")
            summary.documents_read += 1
            summary.warnings += document.warnings
            extractors[document.extractor or "-"] += 1
    summary.extractors = dict(sorted(extractors.items()))
    return summary


def document_record(document: Document, source: str) -> dict[str, Any]:
    """One line of documents.jsonl: source, title, extractor, text, blocks (text, section, page, kind)."""
    blocks = [{"text": b.text, "section": b.section, "page": b.page, "kind": b.kind} for b in document.blocks]
    return {"source": source, "title": document.title, "extractor": document.extractor,
            "text": document_text(document), "blocks": blocks}


def document_text(document: Document) -> str:
    """The kept text: the blocks joined by newlines, each new heading on its own line before its blocks.

    Headings are not blocks (they are the ``section`` of the blocks under them), so they are
    written where the section changes: every heading of the new path that the previous
    path did not have. The document's title is not repeated.
    """
    lines: list[str] = []
    previous: list[str] = []
    for block in document.blocks:
        path = block.section.split(" > ") if block.section and block.section != document.title else []
        common = 0
        while common < min(len(path), len(previous)) and path[common] == previous[common]:
            common += 1
        lines += path[common:]
        previous = path
        lines.append(block.text)
    return "\n".join(lines)
