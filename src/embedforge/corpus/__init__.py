"""The corpus stage: documents (HTML, PDF, Markdown, text) in, clean section-aware chunks out.

Public API: :func:`chunk_documents` (``embedforge chunk``), :func:`chunk_in_memory`, :func:`extract_documents`
(``embedforge extract``), :func:`fetch_manifest`
(``embedforge corpus fetch``), :func:`load_manifest`, :func:`locate_documents`,
and the records :class:`Chunk`, :class:`ChunkSettings`, :class:`CorpusSummary`.

Names load on first use, so a module that needs only the chunk record (``embedforge.corpus.record``,
as the dataset readers and ``embedforge search`` do) does not import the parsers and their workers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from embedforge.lazy import lazy_getattr

if TYPE_CHECKING:
    from embedforge.corpus.extract import DOCUMENTS_FILE, DOCUMENTS_OUTPUT, ExtractSummary, extract_documents
    from embedforge.corpus.manifest import Manifest, fetch_manifest, load_manifest, locate_documents
    from embedforge.corpus.record import Chunk, read_chunks, write_chunks
    from embedforge.corpus.settings import ChunkSettings, ParseLimits
    from embedforge.corpus.stage import CHUNKS_FILE, CHUNKS_OUTPUT, CorpusSummary, chunk_documents, chunk_in_memory

_LAZY = {
    **dict.fromkeys(("DOCUMENTS_FILE", "DOCUMENTS_OUTPUT", "ExtractSummary", "extract_documents"),
                    "embedforge.corpus.extract"),
    **dict.fromkeys(("Manifest", "fetch_manifest", "load_manifest", "locate_documents"), "embedforge.corpus.manifest"),
    **dict.fromkeys(("Chunk", "read_chunks", "write_chunks"), "embedforge.corpus.record"),
    **dict.fromkeys(("ChunkSettings", "ParseLimits"), "embedforge.corpus.settings"),
    **dict.fromkeys(("CHUNKS_FILE", "CHUNKS_OUTPUT", "CorpusSummary", "chunk_documents", "chunk_in_memory"),
                    "embedforge.corpus.stage"),
}


__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = [
    "CHUNKS_FILE",
    "CHUNKS_OUTPUT",
    "DOCUMENTS_FILE",
    "DOCUMENTS_OUTPUT",
    "Chunk",
    "ChunkSettings",
    "CorpusSummary",
    "ExtractSummary",
    "Manifest",
    "ParseLimits",
    "chunk_documents",
    "chunk_in_memory",
    "extract_documents",
    "fetch_manifest",
    "load_manifest",
    "locate_documents",
    "read_chunks",
    "write_chunks",
]
