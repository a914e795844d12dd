"""The parsing worker's side of :mod:`embedforge.corpus.isolation`: serve documents, die with the parent.

The worker is a fresh interpreter started by :class:`~embedforge.corpus.isolation.IsolatedParser`.
It caps its own address space, takes the tokenizer its parent loaded (a Rust ``tokenizers``
object, pickled: 0.05 s to unpickle, no transformers or torch), then answers (job, path, kind, label)
requests on a socket until told to stop. It never outlives the run that started it: on Linux
the kernel kills it when its parent dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)``); elsewhere, and
for the moment before that call, a watchdog thread exits once ``os.getppid()`` changes (the
worker was re-parented). A SIGKILLed ``embedforge`` therefore leaves no orphan parsing on.
"""

from __future__ import annotations

import logging
import multiprocessing.connection
import os
import pickle
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from embedforge.corpus.chunker import Chunker
from embedforge.corpus.settings import ParseLimits
from embedforge.errors import EmbedforgeError

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1
WATCH_S = 0.25  # how often the fallback watchdog looks for its parent


def serve_fd(fd: int, parent: int | None = None) -> None:
    """Worker entry point: serve parse requests on the socket ``fd`` until told to stop.

    ``parent``: the pid of the process that started the worker; the worker exits when it is gone.
    """
    if parent is not None:
        die_with_parent(parent)
    conn = multiprocessing.connection.Connection(fd)
    limits, chunk_settings, tokenizer = conn.recv()
    _cap_memory(limits.memory_mb)
    try:
        chunker = Chunker(chunk_settings, _unpickled(tokenizer)) if chunk_settings is not None else None
    except (EmbedforgeError, MemoryError, ImportError, OSError) as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    _serve(conn, limits, chunker)


def _unpickled(tokenizer: bytes | None) -> Any:
    """The parent's tokenizer, or None (then loaded by name) where this interpreter cannot unpickle it.

    Unpickling fails only where this worker's ``tokenizers`` cannot read its driver's (a Ray node
    set up apart); loading by name then gives this node's own.
    """
    if tokenizer is None:
        return None
    try:
        return pickle.loads(tokenizer)
    except Exception as exc:  # any unpickling failure: the by-name load below still gives a tokenizer
        log.warning("the driver's tokenizer does not unpickle here (%s: %s); loading it by name",
                    type(exc).__name__, exc)
        return None


def die_with_parent(parent: int) -> None:
    """Make this process exit as soon as ``parent`` (its parent now) is gone."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no usable libc: the watchdog below still works
            log.debug("prctl(PR_SET_PDEATHSIG) unavailable", exc_info=True)
    if os.getppid() != parent:  # the parent died before the kernel was told to watch it
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="parent-watch", daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_S)
    os._exit(1)  # re-parented: the run that wanted this work is gone


def _serve(conn: multiprocessing.connection.Connection, limits: ParseLimits, chunker: Chunker | None) -> None:
    """Worker loop: receive (job, path, kind, label), send ("ok", result) or ("error", message)."""
    from embedforge.corpus.isolation import parse_and_chunk
    from embedforge.corpus.loader import parse_document

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
            # Pickled apart from the reply, so a relay can pass the bytes on without unpickling them.
            reply: tuple[str, Any] = ("ok", pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
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
