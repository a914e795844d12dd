"""The generators' fault proxy with the faults a long reliability run adds: latency, resets, truncated bodies.

``tests/fault_proxy.py`` injects timeouts, 429 (Retry-After), 500,
dropped connections and invalid JSON. :class:`ReliabilityProxy` adds ``latency``
(a slow but good answer), ``reset`` (a TCP RST instead of an answer) and
``truncated`` (a 200 whose body stops half-way), and records for every request
which chunk it asked about, so a test can check the delay after each 429.
"""

from __future__ import annotations

import asyncio
import random
import re
import socket
import struct
import time
from typing import Any

from fault_proxy import FAULTS, FaultProxy

KINDS = (*FAULTS, "latency", "reset", "truncated")
_MARKER = re.compile(rb"Record (\d+):")


class ReliabilityProxy(FaultProxy):
    """A :class:`FaultProxy` over a seeded schedule drawn from :data:`KINDS`; ``requests`` logs each one."""

    def __init__(self, upstream: str, seed: int, rates: dict[str, float], n: int, *,
                 latency_s: float = 0.4, **kwargs: Any) -> None:
        super().__init__(upstream, ["ok"], **kwargs)
        unknown = set(rates) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown faults {sorted(unknown)}")
        rng = random.Random(seed)
        names = ["ok", *rates]
        weights = [max(0.0, 1.0 - sum(rates.values())), *rates.values()]
        self.schedule, self.cycle = rng.choices(names, weights, k=n), False
        self.latency_s = latency_s
        self.requests: list[tuple[float, str, int | None]] = []  # (monotonic time, fault, record number)

    def reset(self, schedule: list[str]) -> None:  # type: ignore[override]
        super().reset(schedule)
        self.requests.clear()

    async def _answer(self, fault: str, lines: list[str], body: bytes, writer: asyncio.StreamWriter) -> None:
        marker = _MARKER.search(body)
        self.requests.append((time.monotonic(), fault, int(marker.group(1)) if marker else None))
        if fault == "latency":
            await asyncio.sleep(self.latency_s)
            fault = "ok"
        if fault == "reset":
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return
        if fault == "truncated":
            partial = b'{"id":"cmpl-1","object":"text_completion","choices":[{"index":0,"text":"What is'
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n"
                         b"Connection: close\r\n\r\n" + partial)
            await writer.drain()
            return
        await super()._answer(fault, lines, body, writer)
