"""A small fault-injecting HTTP proxy for tests of the LLM client's reliability.

Sits between a client and a real server (a llama.cpp server) and, for request
number i, applies ``schedule(i)``: ``ok`` (forward), ``timeout`` (hold the request
past the client's timeout, then close), ``429`` (with Retry-After), ``500``,
``drop`` (close the connection without an answer), ``invalid_json`` (a 200 whose
body is not JSON), ``401`` (echoing the bearer token, as careless servers do)
or ``404``. A schedule is a list (cycled) or a seeded random mix, so a run
is reproducible; ``log`` records (i, fault, path) for assertions.

Runs its own event loop in a thread, so synchronous tests (and code that runs
its own loop, like ``generate_questions``) can use it. Re-usable for longer
reliability tests: ``FaultProxy.random(upstream, seed, rates, n)``.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Sequence
from urllib.parse import urlparse

FAULTS = ("ok", "timeout", "429", "500", "drop", "invalid_json", "401", "404")


def _response(status: str, body: bytes, extra: str = "") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return (head + extra + "Connection: close\r\n\r\n").encode() + body


class FaultProxy:
    """Proxy on 127.0.0.1:``port`` forwarding to ``upstream`` (``http://host:port``) with scheduled faults."""

    def __init__(
        self, upstream: str, schedule: Sequence[str], *, retry_after: str = "0.2", hang_s: float = 5.0
    ) -> None:
        unknown = set(schedule) - set(FAULTS)
        if unknown or not schedule:
            raise ValueError(f"schedule needs faults from {FAULTS}, got {sorted(unknown)}")
        parsed = urlparse(upstream)
        self.upstream = (parsed.hostname or "127.0.0.1", parsed.port or 80)
        self.schedule = list(schedule)
        self.retry_after, self.hang_s = retry_after, hang_s
        self.log: list[tuple[int, str, str, float]] = []
        self.port = 0
        self.cycle = True
        self._count = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fault-proxy", daemon=True)

    @classmethod
    def random(
        cls, upstream: str, seed: int, rates: dict[str, float], n: int, **kwargs: object
    ) -> FaultProxy:
        """A proxy whose first ``n`` requests get faults drawn with ``rates`` (the rest: ``ok``), seeded."""
        rng = random.Random(seed)
        names = ["ok", *rates]
        weights = [max(0.0, 1.0 - sum(rates.values())), *rates.values()]
        proxy = cls(upstream, rng.choices(names, weights, k=n), **kwargs)  # type: ignore[arg-type]
        proxy.cycle = False
        return proxy

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fault(self, index: int) -> str:
        """The fault for request ``index``: a list schedule cycles; after a random one, all are ``ok``."""
        if index < len(self.schedule):
            return self.schedule[index]
        return self.schedule[index % len(self.schedule)] if self.cycle else "ok"

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()
        pending = asyncio.all_tasks(self._loop)  # requests still held by a "timeout" fault
        for task in pending:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.run_until_complete(server.wait_closed())
        self._loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            return
        lines = head.decode("latin-1").split("\r\n")
        length = next((int(h.split(":", 1)[1]) for h in lines if h.lower().startswith("content-length:")), 0)
        body = await reader.readexactly(length) if length else b""
        index, self._count = self._count, self._count + 1
        fault = self.fault(index)
        self.log.append((index, fault, lines[0].split(" ")[1] if " " in lines[0] else "", time.monotonic()))
        try:
            await self._answer(fault, lines, body, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away (its own timeout): nothing to answer
        finally:
            writer.close()

    async def _answer(self, fault: str, lines: list[str], body: bytes, writer: asyncio.StreamWriter) -> None:
        if fault == "drop":
            return
        if fault == "timeout":
            await asyncio.sleep(self.hang_s)
            return
        if fault == "429":
            writer.write(
                _response(
                    "429 Too Many Requests",
                    b'{"error":{"message":"slow down"}}',
                    f"Retry-After: {self.retry_after}\r\n",
                )
            )
        elif fault == "500":
            writer.write(_response("500 Internal Server Error", b'{"error":{"message":"boom"}}'))
        elif fault == "401":
            token = next((h.split()[-1] for h in lines if h.lower().startswith("authorization:")), "")
            message = f'{{"error":{{"message":"Incorrect API key provided: {token}"}}}}'.encode()
            writer.write(_response("401 Unauthorized", message))
        elif fault == "404":
            writer.write(_response("404 Not Found", b'{"error":{"message":"model not found"}}'))
        elif fault == "invalid_json":
            writer.write(_response("200 OK", b'{"choices": [{"text": "Wha'))
        else:
            writer.write(await self._forward(lines, body))
        await writer.drain()

    async def _forward(self, lines: list[str], body: bytes) -> bytes:
        """Send the request upstream on a fresh connection and return its whole answer."""
        kept = [h for h in lines[1:] if h and not h.lower().startswith(("connection:", "host:"))]
        host = f"{self.upstream[0]}:{self.upstream[1]}"
        head = "\r\n".join([lines[0], f"Host: {host}", *kept, "Connection: close", "", ""]).encode("latin-1")
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        up_writer.write(head + body)
        await up_writer.drain()
        answer = await up_reader.read(-1)
        up_writer.close()
        return answer

    def reset(self, schedule: Sequence[str]) -> None:
        """A new schedule, counted from request 0 again; the log is cleared."""
        self.schedule, self._count, self.cycle = list(schedule), 0, True
        self.log.clear()

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
