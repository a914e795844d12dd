"""Parse and chunk documents in a worker process that a bad file cannot take down the run with.

A malicious or broken file can make a parser loop for hours or eat all memory
(deep nesting, decompression bombs, pathological PDFs), and the text it yields can be
huge. :class:`IsolatedParser` keeps one long-lived worker interpreter with an
address-space cap (RLIMIT_AS) and gives each document ``timeout_s`` for parsing and
chunking together; a worker that times out, runs out of memory or crashes is killed
and replaced, and that document is reported as failed, in one line: how it ended (exit code or
signal) and the last thing it printed (``memory allocation of N bytes failed``), not the
backtrace itself. The worker's side, and how it dies with this process, is :mod:`.worker`.
"""

from __future__ import annotations

import logging
import multiprocessing.connection
import os
import pickle
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embedforge.corpus.chunker import Chunker
from embedforge.corpus.document import Document
from embedforge.corpus.filters import ChunkPrint, fingerprint
from embedforge.corpus.loader import parse_document
from embedforge.corpus.record import Chunk
from embedforge.corpus.settings import ChunkSettings, ParseLimits
from embedforge.corpus.worker_output import ended, last_words, output_file
from embedforge.errors import EmbedforgeError

log = logging.getLogger(__name__)
STARTUP_S = 300.0  # the worker imports the parsers and loads the tokenizer before its first document


@dataclass
class ChunkedDocument:
    """One document's chunks, each with its token count, the filter's fingerprint of each, and the warnings."""

    chunks: list[tuple[Chunk, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    prints: list[ChunkPrint] = field(default_factory=list)  # one per chunk: the filter's per-chunk work


def parse_and_chunk(chunker: Chunker, path: Path, limits: ParseLimits, kind: str | None,
                    label: str | None) -> ChunkedDocument:
    """Parse one document, cut it into chunks and fingerprint them (what the worker does for each request).

    The fingerprints (MinHash signatures) are computed here, in the worker, so the driver's global
    filter is left only look-ups: on a cluster that work is spread over every parse worker.
    """
    document = parse_document(path, limits, kind, label)
    chunks = [(chunk, chunker.tokens(chunk.text)) for chunk in chunker.chunk(document, label or str(path))]
    prints = [fingerprint(chunk.text, tokens, chunker.settings) for chunk, tokens in chunks]
    return ChunkedDocument(chunks, list(document.warnings), prints)


class IsolatedParser:
    """Parses (and, given chunk settings, chunks) documents, in a worker process when ``limits.isolate``.

    Use as a context manager, from one thread; :meth:`parse` and :meth:`chunk` raise EmbedforgeError for
    any failure. (On Linux the worker is killed when the thread that started it ends: PR_SET_PDEATHSIG
    follows the thread, not the process.)

    Args:
        limits: time, memory and isolation limits.
        chunk_settings: needed by :meth:`chunk`.
        tokenizer: the embedder's (:func:`~embedforge.embedder.load_fast_tokenizer`), already loaded
            by the caller: the object, or its pickle (bytes, as a Ray actor relays it), sent to the
            worker once; None: the worker loads it by name.
        env: environment variables for the worker, over this process's (the Hub settings of a Ray
            actor's driver).
    """

    def __init__(self, limits: ParseLimits, chunk_settings: ChunkSettings | None = None, *,
                 tokenizer: Any = None, env: dict[str, str] | None = None) -> None:
        self.limits = limits
        self.chunk_settings = chunk_settings
        self._tokenizer = tokenizer
        self._env = dict(env or {})
        self._chunker: Chunker | None = None  # in-process chunking, when not isolated
        self._process: Any = None
        self._conn: multiprocessing.connection.Connection | None = None
        self._output: Any = None  # the worker's stderr

    def __enter__(self) -> IsolatedParser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def parse(self, path: Path, kind: str | None = None, label: str | None = None) -> Document:
        """One document, or EmbedforgeError naming it and the reason (timeout, memory, crash, content)."""
        if not self.limits.isolate:
            return parse_document(path, self.limits, kind, label)
        return pickle.loads(self._ask("parse", path, kind, label))  # type: ignore[no-any-return]

    def chunk(self, path: Path, kind: str | None = None, label: str | None = None) -> ChunkedDocument:
        """One document's chunks, parsed and chunked within the limits; errors as :meth:`parse`."""
        if not self.limits.isolate:
            return parse_and_chunk(self._in_process_chunker(), path, self.limits, kind, label)
        return pickle.loads(self.chunk_pickled(path, kind, label))  # type: ignore[no-any-return]

    def chunk_pickled(self, path: Path, kind: str | None = None, label: str | None = None) -> bytes:
        """:meth:`chunk`'s ChunkedDocument as the worker pickled it: a relay (a Ray actor) passes it on unopened."""
        if not self.limits.isolate:
            return pickle.dumps(self.chunk(path, kind, label), protocol=pickle.HIGHEST_PROTOCOL)
        self._require_chunk_settings()
        return self._ask("chunk", path, kind, label)

    def _in_process_chunker(self) -> Chunker:
        if self._chunker is None:
            tokenizer = pickle.loads(self._tokenizer) if isinstance(self._tokenizer, bytes) else self._tokenizer
            self._chunker = Chunker(self._require_chunk_settings(), tokenizer)
        return self._chunker

    def _pickled_tokenizer(self) -> bytes | None:
        """The tokenizer for the worker, pickled once (a replaced worker gets the same bytes)."""
        if self._tokenizer is not None and not isinstance(self._tokenizer, bytes):
            self._tokenizer = pickle.dumps(self._tokenizer, protocol=pickle.HIGHEST_PROTOCOL)
        return self._tokenizer

    def _require_chunk_settings(self) -> ChunkSettings:
        if self.chunk_settings is None:
            raise ValueError("IsolatedParser.chunk needs chunk_settings")
        return self.chunk_settings

    def _ask(self, job: str, path: Path, kind: str | None, label: str | None) -> bytes:
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
            how = self._how_it_ended()
            self._kill()
            raise EmbedforgeError(f"{name}: the parser crashed ({how}); the file may be malformed "
                                  f"or need over {self.limits.memory_mb} MiB") from exc
        self._relay_output()
        if status == "ok":
            return payload  # type: ignore[no-any-return]  # the result, pickled by the worker
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
            code = f"from embedforge.corpus.worker import serve_fd; serve_fd({theirs.fileno()}, {os.getpid()})"
            self._output = output_file()
            # RUST_BACKTRACE=0: a tokenizer aborting out of memory prints one line, not a 100-line backtrace.
            self._process = subprocess.Popen([sys.executable, "-c", code], pass_fds=(theirs.fileno(),),
                                             stderr=self._output,
                                             env={**os.environ, **self._env, "RUST_BACKTRACE": "0"})
            theirs.close()
            self._conn = multiprocessing.connection.Connection(ours.detach())
            tokenizer = self._pickled_tokenizer() if self.chunk_settings is not None else None
            self._conn.send((self.limits, self.chunk_settings, tokenizer))
            self._wait_ready(self._conn)
        assert self._conn is not None
        return self._conn

    def _wait_ready(self, conn: multiprocessing.connection.Connection) -> None:
        """The worker says "ready" once set up, so set-up time never counts against a document."""
        try:
            status, payload = conn.recv() if conn.poll(STARTUP_S) else ("error", f"no answer in {STARTUP_S:g} s")
        except (EOFError, OSError):
            status, payload = "error", f"{self._how_it_ended()}, within {self.limits.memory_mb} MiB"
        if status != "ready":
            self._kill()
            raise EmbedforgeError(f"the parsing worker could not start: {payload}; raise the memory limit "
                                  "or run with --debug for details")

    def _how_it_ended(self) -> str:
        """The dead worker's exit (code or signal) and the last line it printed that says why."""
        code = None
        if self._process is not None:
            try:
                code = self._process.wait(timeout=5)  # the socket closes a moment before the exit is seen
            except subprocess.TimeoutExpired:
                code = None
        words = last_words(self._read_output())
        return ended(code) + (f": {words}" if words else "")

    def _relay_output(self) -> None:
        """What the worker printed besides its answers (third-party noise), to the debug log only."""
        text = self._read_output()
        if text.strip():
            log.debug("parsing worker printed: %s", text.strip()[-2000:])

    def _read_output(self) -> str:
        if self._output is None:
            return ""
        fd = self._output.fileno()
        data = os.pread(fd, 1 << 20, max(0, os.fstat(fd).st_size - (1 << 20)))  # the last MiB is enough
        os.ftruncate(fd, 0)  # the worker appends (O_APPEND), so it goes on writing at the new end
        return data.decode("utf-8", "replace")

    def _kill(self) -> None:
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait(timeout=5)
        if self._conn is not None:
            self._conn.close()
        if self._output is not None:
            self._output.close()
        self._process, self._conn, self._output = None, None, None
