"""The corpus stage: documents (HTML, PDF, Markdown, text) in, clean section-aware chunks out.

Public API: :func:`chunk_documents` (``embedforge chunk``), :func:`chunk_in_memory`, :func:`extract_documents`
(``embedforge extract``), :func:`fetch_manifest`
(``embedforge corpus fetch``), :func:`load_manifest`, :func:`locate_documents`,
and the records :class:`Chunk`, :class:`ChunkSettings`, :class:`CorpusSummary`.
"""

from __future__ import annotations

from embedforge.corpus.extract import DOCUMENTS_FILE, DOCUMENTS_OUTPUT, ExtractSummary, extract_documents
from embedforge.corpus.manifest import Manifest, fetch_manifest, load_manifest, locate_documents
from embedforge.corpus.record import Chunk, read_chunks, write_chunks
from embedforge.corpus.settings import ChunkSettings, ParseLimits
from embedforge.corpus.stage import CHUNKS_FILE, CHUNKS_OUTPUT, CorpusSummary, chunk_documents, chunk_in_memory

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
