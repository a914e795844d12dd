"""Parse documents in a worker process that a bad file cannot take down the run with.

A malicious or broken file can make a parser loop for hours or eat all memory
(deep nesting, decompression bombs, pathological PDFs). :class:`IsolatedParser`
keeps one long-lived worker interpreter with an address-space cap (RLIMIT_AS) and
gives each document ``timeout_s``; a worker that times out, runs out of memory
or crashes is killed and replaced, and that document is reported as failed.
"""

from __future__ import annotations

import logging
import multiprocessing.connection
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from embedforge.corpus.document import Document
from embedforge.corpus.loader import parse_document
from embedforge.corpus.settings import ParseLimits
from embedforge.errors import EmbedforgeError

log = logging.getLogger(__name__)


class IsolatedParser:
    """Parses documents with :func:`parse_document`, in a worker process when ``limits.isolate``.

    Use as a context manager; :meth:`parse` raises EmbedforgeError for any failure.
    """

    def __init__(self, limits: ParseLimits) -> None:
        self.limits = limits
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
        name = label or str(path)
        conn = self._ensure_worker()
        conn.send((str(path), kind, label))
        if not conn.poll(self.limits.timeout_s):
            self._kill()
            raise EmbedforgeError(f"{name}: parsing took over {self.limits.timeout_s:g} s; "
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
            except (OSError, subprocess.TimeoutExpired):
                log.debug("worker did not stop by itself", exc_info=True)
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
            self._conn.send(self.limits)
        assert self._conn is not None
        return self._conn

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
    limits: ParseLimits = conn.recv()
    _serve(conn, limits)


def _serve(conn: multiprocessing.connection.Connection, limits: ParseLimits) -> None:
    """Worker loop: receive (path, kind, label), send ("ok", Document) or ("error", message)."""
    _cap_memory(limits.memory_mb)
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        path, kind, label = request
        name = label or path
        try:
            reply: tuple[str, Any] = ("ok", parse_document(Path(path), limits, kind, label))
        except EmbedforgeError as exc:
            reply = ("error", str(exc))
        except MemoryError:
            reply = ("error", f"{name}: needs over {limits.memory_mb} MiB to parse; raise the memory limit "
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
