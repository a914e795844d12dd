"""Parse and chunk documents in a worker process that a bad file cannot take down the run with.

A malicious or broken file can make a parser loop for hours or eat all memory
(deep nesting, decompression bombs, pathological PDFs), and the text it yields can be
huge. :class:`IsolatedParser` keeps one long-lived worker interpreter with an
address-space cap (RLIMIT_AS) and gives each document ``timeout_s`` for parsing and
chunking together; a worker that times out, runs out of memory or crashes is killed
and replaced, and that document is reported as failed.
"""

from __future__ import annotations

import logging
import multiprocessing.connection
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embedforge.corpus.chunker import Chunker
from embedforge.corpus.document import Document
from embedforge.corpus.loader import parse_document
from embedforge.corpus.record import Chunk
from embedforge.corpus.settings import ChunkSettings, ParseLimits
from embedforge.errors import EmbedforgeError

log = logging.getLogger(__name__)
STARTUP_S = 300.0  # the worker imports the parsers and loads the tokenizer before its first document


@dataclass
class ChunkedDocument:
    """One document's chunks, each with its token count, and the parser's warnings."""

    chunks: list[tuple[Chunk, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_and_chunk(chunker: Chunker, path: Path, limits: ParseLimits, kind: str | None,
                    label: str | None) -> ChunkedDocument:
    """Parse one document and cut it into chunks (what the worker does for each request)."""
    document = parse_document(path, limits, kind, label)
    chunks = [(chunk, chunker.tokens(chunk.text)) for chunk in chunker.chunk(document, label or str(path))]
    return ChunkedDocument(chunks, list(document.warnings))


class IsolatedParser:
    """Parses (and, given chunk settings, chunks) documents, in a worker process when ``limits.isolate``.

    Use as a context manager; :meth:`parse` and :meth:`chunk` raise EmbedforgeError for any failure.

    Args:
        limits: time, memory and isolation limits.
        chunk_settings: needed by :meth:`chunk`.
        chunker: a Chunker the caller already built from ``chunk_settings``, used when not isolated
            (so the tokenizer is not loaded twice in this process); built on first use otherwise.
    """

    def __init__(self, limits: ParseLimits, chunk_settings: ChunkSettings | None = None,
                 chunker: Chunker | None = None) -> None:
        self.limits = limits
        self.chunk_settings = chunk_settings
        self._chunker = chunker  # in-process chunking, when not isolated
        self._process: Any = None
        self._conn: multiprocessing.connection.Connection | None = None

    def __enter__(self) -> IsolatedParser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def parse(self, path: Path, kind: str | None = None, label: str | None = None) -> Document:
        """One document, or EmbedforgeError naming it and the reason (timeout, memory, crash, content)."""
        if not self.limits.isolate:
            return parse_document(path, self.limits, kind, label)
        return self._ask("parse", path, kind, label)  # type: ignore[no-any-return]

    def chunk(self, path: Path, kind: str | None = None, label: str | None = None) -> ChunkedDocument:
        """One document's chunks, parsed and chunked within the limits; errors as :meth:`parse`."""
        if self.chunk_settings is None:
            raise ValueError("IsolatedParser.chunk needs chunk_settings")
        if not self.limits.isolate:
            self._chunker = self._chunker or Chunker(self.chunk_settings)
            return parse_and_chunk(self._chunker, path, self.limits, kind, label)
        return self._ask("chunk", path, kind, label)  # type: ignore[no-any-return]

    def _ask(self, job: str, path: Path, kind: str | None, label: str | None) -> Any:
        name = label or str(path)
        conn = self._ensure_worker()
        conn.send((job, str(path), kind, label))
        if not conn.poll(self.limits.timeout_s):
            self._kill()
            work = "parsing and chunking" if job == "chunk" else "parsing"
            raise EmbedforgeError(f"{name}: {work} took over {self.limits.timeout_s:g} s; "
                                  "raise the timeout or remove the file")
        try:
            status, payload = conn.recv()
        except (EOFError, OSError) as exc:
            code = self._process.poll() if self._process is not None else None
            self._kill()
            raise EmbedforgeError(f"{name}: the parser crashed (exit code {code}); the file may be malformed "
                                  f"or need over {self.limits.memory_mb} MiB") from exc
        if status == "ok":
            return payload  # type: ignore[no-any-return]
        raise EmbedforgeError(payload)

    def close(self) -> None:
        """Stop the worker (politely, then by force)."""
        if self._conn is not None and self._process is not None and self._process.poll() is None:
            try:
                self._conn.send(None)
                self._process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired) as exc:
                log.debug("worker did not stop by itself (%s); stopping it", type(exc).__name__)
        self._kill()

    def _ensure_worker(self) -> multiprocessing.connection.Connection:
        if self._process is None or self._process.poll() is not None:
            self._kill()
            # A fresh interpreter that imports only this module: no fork of a parent holding threads (torch,
            # tokenizers), and unlike multiprocessing's spawn it never re-runs the caller's __main__.
            ours, theirs = socket.socketpair()
            code = f"from embedforge.corpus.isolation import serve_fd; serve_fd({theirs.fileno()})"
            self._process = subprocess.Popen([sys.executable, "-c", code], pass_fds=(theirs.fileno(),))
            theirs.close()
            self._conn = multiprocessing.connection.Connection(ours.detach())
            self._conn.send((self.limits, self.chunk_settings))
            self._wait_ready(self._conn)
        assert self._conn is not None
        return self._conn

    def _wait_ready(self, conn: multiprocessing.connection.Connection) -> None:
        """The worker says "ready" once set up, so set-up time never counts against a document."""
        try:
            status, payload = conn.recv() if conn.poll(STARTUP_S) else ("error", f"no answer in {STARTUP_S:g} s")
        except (EOFError, OSError):
            status, payload = "error", f"it exited (within {self.limits.memory_mb} MiB?)"
        if status != "ready":
            self._kill()
            raise EmbedforgeError(f"the parsing worker could not start: {payload}; raise the memory limit "
                                  "or run with --debug for details")

    def _kill(self) -> None:
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait(timeout=5)
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn = None, None


def serve_fd(fd: int) -> None:
    """Worker entry point: serve parse requests on the socket ``fd`` until told to stop."""
    conn = multiprocessing.connection.Connection(fd)
    limits, chunk_settings = conn.recv()
    _cap_memory(limits.memory_mb)
    try:
        chunker = Chunker(chunk_settings) if chunk_settings is not None else None
    except (EmbedforgeError, MemoryError, ImportError, OSError) as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    _serve(conn, limits, chunker)


def _serve(conn: multiprocessing.connection.Connection, limits: ParseLimits, chunker: Chunker | None) -> None:
    """Worker loop: receive (job, path, kind, label), send ("ok", result) or ("error", message)."""
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        job, path, kind, label = request
        name = label or path
        try:
            if job == "chunk" and chunker is not None:
                result: Any = parse_and_chunk(chunker, Path(path), limits, kind, label)
            else:
                result = parse_document(Path(path), limits, kind, label)
            reply: tuple[str, Any] = ("ok", result)
        except EmbedforgeError as exc:
            reply = ("error", str(exc))
        except MemoryError:
            reply = ("error", f"{name}: needs over {limits.memory_mb} MiB to parse and chunk; raise the memory limit "
                              "or remove the file")
        except Exception as exc:  # report, don't die: the next document should still be parsed
            reply = ("error", f"{name}: could not parse ({type(exc).__name__}: {exc}); check the file")
        conn.send(reply)


def _cap_memory(memory_mb: int) -> None:
    try:
        import resource
    except ImportError:  # not on POSIX: run without a memory cap
        log.warning("no RLIMIT_AS on this platform; parsing runs without a memory limit")
        return
    limit = memory_mb * 2**20
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
