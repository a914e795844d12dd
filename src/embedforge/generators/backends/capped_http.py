"""The HTTP client of the OpenAI backends, with a cap on the bytes read per answer.

httpx reads a whole response body into memory before the OpenAI SDK parses it, so a
server that streams without end (or a gzip bomb) grows the process until the call's
timeout: about 170 MB/s, gigabytes per call. The client made here reads at most
:data:`MAX_ANSWER_BYTES` of each body, decoded, and then fails that call with the reason
``answer_too_large`` (recorded like any failed call, not retried: a server that sent
that much once will again). It is the SDK's own default client otherwise (its timeouts,
connection limits, redirects, proxies from the environment), with the cap added by
httpx event hooks, which run for every transport, proxied or not.

Bodies are asked for uncompressed (``Accept-Encoding: identity``); one sent gzip or
deflate anyway is decoded here, under the same cap; any other encoding fails the call.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx2  # the OpenAI SDK's HTTP client (its fork of httpx)

from embedforge.generators.retry import CallFailed

# 4 MiB. The longest answer any model gives is about 128k output tokens; written as JSON
# escapes of non-ASCII text (up to 12 bytes a character) that is about 1.5 MiB. So a real
# answer never comes near the cap, and 4 calls in flight hold at most 16 MiB of bodies.
MAX_ANSWER_BYTES = 4 * 1024 * 1024
TOO_LARGE = "answer_too_large"


class _CappedStream(httpx2.AsyncByteStream):
    """An httpx async byte stream: ``inner``'s bytes (decoded by ``decoder`` if any), failing past ``limit``."""

    def __init__(self, inner: Any, limit: int, decoder: Any = None) -> None:
        self._inner, self._limit, self._decoder, self._seen = inner, limit, decoder, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            if self._decoder is not None:
                # max_length: one chunk of a gzip bomb never expands past the cap in one step
                chunk = self._decoder.decompress(chunk, self._limit + 1 - self._seen)
            self._count(chunk)
            yield chunk
        if self._decoder is not None:
            tail = self._decoder.flush()
            self._count(tail)
            yield tail

    def _count(self, chunk: bytes) -> None:
        self._seen += len(chunk)
        if self._seen > self._limit or (self._decoder is not None and self._decoder.unconsumed_tail):
            raise CallFailed(TOO_LARGE, f"the server's answer exceeds {self._limit} bytes; stopped reading it")

    async def aclose(self) -> None:
        await self._inner.aclose()


def _decoder(encoding: str) -> Any:
    """A zlib decoder for a gzip or deflate body, None for an identity one."""
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise CallFailed("invalid_response", f"the server sent its answer as {encoding!r}, which was not asked for")


def capped_hooks(limit: int = MAX_ANSWER_BYTES) -> dict[str, list[Any]]:
    """httpx ``event_hooks`` that cap every response body at ``limit`` decoded bytes."""

    async def on_response(response: Any) -> None:
        encoding = response.headers.get("content-encoding", "").strip().lower()
        decoder = _decoder(encoding)
        if decoder is not None:
            del response.headers["content-encoding"]  # decoded here, so httpx must not decode it again
        response.stream = _CappedStream(response.stream, limit, decoder)

    return {"request": [], "response": [on_response]}


def capped_async_client(timeout: float, limit: int = MAX_ANSWER_BYTES) -> Any:
    """The OpenAI SDK's default async httpx client, reading at most ``limit`` bytes of each answer."""
    import openai

    return openai.DefaultAsyncHttpxClient(timeout=timeout, headers={"Accept-Encoding": "identity"},
                                          event_hooks=capped_hooks(limit))
