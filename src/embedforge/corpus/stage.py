"""The corpus stage: SOURCE arguments in, ``chunks.jsonl`` and a summary out.

:func:`chunk_documents` streams: one document is parsed and chunked (in a bounded
worker), filtered and written before the next is read, so memory does not grow
with the number of documents. A document that fails is recorded with its reason
and skipped — or, with ``strict``, stops the run. The output is deterministic:
the same inputs give byte-identical ``chunks.jsonl``.
"""

from __future__ import annotations

import logging
import os
import statistics
import tempfile
from collections import Counter
from collections.abc import Generator, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from embedforge.corpus.chunker import Chunker
from embedforge.corpus.filters import ChunkFilter
from embedforge.corpus.isolation import ChunkedDocument, IsolatedParser
from embedforge.corpus.record import Chunk, read_chunks
from embedforge.corpus.settings import ChunkSettings
from embedforge.corpus.sources import SourceDocument, SourceFailure, iter_sources
from embedforge.corpus.summary import DocumentRun
from embedforge.engine import EngineSettings
from embedforge.errors import EmbedforgeError
from embedforge.files import atomic_open_text, dumps_line
from embedforge.outdir import Output
from embedforge.progress import bar, logs_above_bars
from embedforge.settings import CONFIG_FILE

log = logging.getLogger(__name__)

CHUNKS_FILE = "chunks.jsonl"
# `embedforge chunk --out DIR`: the chunks and the settings that made them; rewritten freely.
CHUNKS_OUTPUT = Output("chunks", frozenset({CHUNKS_FILE, CONFIG_FILE}), complete=CHUNKS_FILE)


@dataclass
class CorpusSummary(DocumentRun):
    """What a corpus run did.

    Attributes:
        documents_read: documents parsed successfully.
        chunks_kept: chunks written.
        dropped: chunks dropped, by reason (too_short, no_content, duplicate, near_duplicate).
        failures: (source, one-line reason) per document that could not be read.
        warnings: non-fatal problems (e.g. content lost by the HTML parser).
        token_counts: tokens (incl. special tokens) of each kept chunk, in output order.
        output: the chunks.jsonl written.
    """

    chunks_kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    token_counts: list[int] = field(default_factory=list)

    def format(self) -> str:
        """The human summary the CLI prints."""
        dropped = ", ".join(f"{reason} {count}" for reason, count in sorted(self.dropped.items())) or "none"
        lines = [f"documents read: {self.documents_read}", f"chunks kept: {self.chunks_kept}",
                 f"chunks dropped: {sum(self.dropped.values())} ({dropped})"]
        if self.token_counts:
            lines.append(f"chunk tokens: min {min(self.token_counts)}, median "
                         f"{statistics.median(self.token_counts):g}, max {max(self.token_counts)}")
        return "\n".join(lines + self.outcome_lines())


def chunk_documents(sources: Iterable[str | os.PathLike[str]], out_dir: str | os.PathLike[str],
                    settings: ChunkSettings | None = None, *, engine: EngineSettings | None = None) -> CorpusSummary:
    """Chunk every document of ``sources`` into ``out_dir/chunks.jsonl``.

    Args:
        sources: files, folders (recursive) and TOML manifests.
        out_dir: created if missing; ``chunks.jsonl`` replaced atomically.
        settings: chunk size, filters, strictness, parse limits.
        engine: where documents are parsed (``local`` when None; ``ray``: docs/scale.md); same chunks either way.

    Returns:
        The summary; ``summary.failures`` lists documents that could not be read.

    Raises:
        EmbedforgeError: bad settings, no SOURCE at all, or (``strict``) the first failing document.
    """
    settings = (settings or ChunkSettings()).validate()
    items = list(iter_sources(sources))  # paths only: cheap, and the progress bar gets a total
    if not items:
        raise EmbedforgeError("no documents found in the given sources; pass .html, .pdf, .md or .txt files")
    output = Path(out_dir) / CHUNKS_FILE
    summary = CorpusSummary(output=output)
    # Loads (or downloads) the tokenizer now: a bad embedder fails before any document. Parse workers get it pickled.
    chunker = Chunker(settings)
    keep = ChunkFilter(settings)
    dropped: Counter[str] = Counter()
    documents = _chunked(items, settings, chunker, engine or EngineSettings())
    with atomic_open_text(output) as out, logs_above_bars(), closing(documents):
        for item, document in zip(bar(items, desc="chunking", unit="doc", show=len(items) > 1), documents,
                                  strict=True):
            if isinstance(document, EmbedforgeError):
                _fail(summary, settings, item.label, str(document))
                continue
            summary.documents_read += 1
            summary.warnings += document.warnings
            # Filtered here, in document order, whatever the engine; the worker fingerprinted each chunk.
            for (chunk, tokens), chunk_print in zip(document.chunks, document.prints, strict=True):
                reason = keep.admit(chunk_print)
                if reason is not None:
                    dropped[reason] += 1
                    continue
                out.write(dumps_line(chunk.to_dict()) + "\n")
                summary.chunks_kept += 1
                summary.token_counts.append(tokens)
    summary.dropped = dict(sorted(dropped.items()))
    log.info("corpus: %d documents, %d chunks kept, %d failed", summary.documents_read, summary.chunks_kept,
             len(summary.failures))
    return summary


def chunk_in_memory(sources: Iterable[str | os.PathLike[str]], settings: ChunkSettings | None = None) -> list[Chunk]:
    """The chunks :func:`chunk_documents` keeps from ``sources``, written to a temporary folder only.

    For commands that look at chunks without producing them (``--dry-run``, ``dataset preview``,
    ``prompt show --source``): the same walk, parse, chunk and filters, nothing left behind.
    """
    with tempfile.TemporaryDirectory(prefix="embedforge-chunks-") as folder:
        chunk_documents(list(sources), folder, settings)
        return read_chunks(Path(folder) / CHUNKS_FILE)


def _chunked(items: list[SourceDocument | SourceFailure], settings: ChunkSettings, chunker: Chunker,
             engine: EngineSettings) -> Generator[ChunkedDocument | EmbedforgeError, None, None]:
    """Each item's chunked document, or its error, in order: here, or on Ray (``--engine ray``)."""
    if engine.is_ray:
        from embedforge.corpus.ray_stage import chunk_on_ray

        found = [item for item in items if isinstance(item, SourceDocument)]
        results = chunk_on_ray(found, settings, engine, chunker.tokenizer)
        for item in items:
            yield EmbedforgeError(item.reason) if isinstance(item, SourceFailure) else next(results)
        return
    with IsolatedParser(settings.limits, settings, tokenizer=chunker.tokenizer) as parser:
        for item in items:
            if isinstance(item, SourceFailure):
                yield EmbedforgeError(item.reason)
                continue
            try:
                yield parser.chunk(item.path, item.kind, item.label)
            except EmbedforgeError as exc:
                yield exc


def _fail(summary: CorpusSummary, settings: ChunkSettings, label: str, reason: str) -> None:
    if settings.strict:
        raise EmbedforgeError(reason)
    log.warning("%s", reason)
    summary.failures.append((label, reason))
