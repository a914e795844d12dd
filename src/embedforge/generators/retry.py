"""One retry layer for LLM calls: classify the error, back off, honour Retry-After.

The OpenAI SDK and LangChain each retry on their own; stacked, a dead server costs
retries x retries calls. Backends set the client's ``max_retries=0`` and every retry
happens here. Retried: timeouts, dropped connections, 429 and 5xx. Not retried: an
invalid response or another 4xx (that call fails with its reason). 400, 401, 403
and 404 mean every call will fail (bad key, model, URL or parameter), so they stop
the run at once with :class:`EmbedforgeError`; finished generations are already cached.
What a client's own exceptions mean is its kind's to say (``LlmSpec.verdict``, e.g. the
OpenAI SDK's in ``backends/openai.py``); :func:`classify` handles the rest.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timezone
from typing import Any, TypeVar

from embedforge.errors import EmbedforgeError
from embedforge.redact import remove_secrets

log = logging.getLogger(__name__)
T = TypeVar("T")
FATAL_STATUS = {
    400: "bad request",
    401: "the API key was rejected",
    403: "access denied",
    404: "model or URL not found",
}
MAX_RETRY_AFTER = 120.0


class CallFailed(Exception):
    """An LLM call that failed for good: ``reason`` is recorded with the chunk."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class Verdict:
    """What an exception means: a reason, whether to retry, a server-given delay, whether to stop the run."""

    reason: str
    retry: bool
    retry_after: float | None = None
    fatal: bool = False
    fix: str = "check --llm and the model name"  # what to do, said when ``fatal`` stops the run


def retry_after(headers: Any) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date), or None when absent or unparseable.

    A value that is neither a finite number nor an HTTP date ("soon-ish", "inf", "nan") is
    None: the caller then backs off as if no header had come.
    """
    value = headers.get("retry-after") if headers is not None else None
    if not value:
        return None
    seconds: float | None
    try:
        seconds = float(value)
    except ValueError:
        seconds = _seconds_until(str(value))
    if seconds is None or not math.isfinite(seconds):
        log.info("Retry-After %r is not a number of seconds or an HTTP date; backing off as usual", str(value)[:40])
        return None
    return max(0.0, seconds)


def _seconds_until(value: str) -> float | None:
    """Seconds from now to the HTTP date ``value``, or None when it is no date."""
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:  # "-0000": a time in UTC, of unknown origin (RFC 5322)
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp() - time.time()


def _call_failed(exc: BaseException) -> CallFailed | None:
    """``exc``, or the exception it was raised from, when that is a CallFailed.

    The HTTP client's body cap (``backends/capped_http.py``) raises CallFailed while httpx
    reads; the OpenAI SDK re-raises it as a connection error ``from`` it.
    """
    seen: BaseException | None = exc
    for _ in range(8):  # a short chain; a loop of causes cannot hold us
        if seen is None or isinstance(seen, CallFailed):
            return seen
        seen = seen.__cause__
    return None


def classify(exc: BaseException, known: Callable[[BaseException], Verdict | None] | None = None) -> Verdict:
    """Map an exception from a backend to a :class:`Verdict`; ``known`` maps its client's own (``LlmSpec.verdict``)."""
    failed = _call_failed(exc)
    if failed is not None:
        return Verdict(failed.reason, retry=False)
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return Verdict("timeout", retry=True)
    verdict = known(exc) if known is not None else None
    if verdict is not None:
        return verdict
    if isinstance(exc, (ValueError, KeyError, TypeError)):
        return Verdict("invalid_response", retry=False)
    return Verdict(type(exc).__name__, retry=False)


def delay_for(attempt: int, verdict: Verdict, backoff: float) -> float:
    """Seconds before retry ``attempt`` (0-based): Retry-After if given, else exponential with jitter."""
    if verdict.retry_after is not None:
        return min(verdict.retry_after, MAX_RETRY_AFTER)
    return backoff * (2**attempt) * random.uniform(1.0, 1.25)


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    max_retries: int,
    backoff: float,
    timeout: float | None,
    where: str,
    secrets: tuple[str, ...] = (),
    known: Callable[[BaseException], Verdict | None] | None = None,
) -> T:
    """Run ``call`` until it succeeds or fails for good; ``known`` classifies the client's exceptions.

    Raises:
        CallFailed: a non-retryable error, or retries exhausted (reason of the last error).
        EmbedforgeError: 400/401/403/404: the whole run cannot succeed.
    """
    for attempt in range(max_retries + 1):
        try:
            if timeout is None:
                return await call()
            return await asyncio.wait_for(call(), timeout)
        except Exception as exc:
            verdict = classify(exc, known)
            detail = remove_secrets(" ".join(str(exc)[:2000].split()), secrets)[:300]
            if verdict.fatal:
                code = int(verdict.reason.split("_")[1])
                raise EmbedforgeError(
                    f"{where}: {FATAL_STATUS[code]} (HTTP {code}: {detail}); {verdict.fix}; "
                    "finished generations are cached, rerun to continue"
                ) from None
            if not verdict.retry or attempt == max_retries:
                raise CallFailed(verdict.reason, detail) from None
            wait = delay_for(attempt, verdict, backoff)
            log.info("%s: %s, retry %d/%d in %.2fs", where, verdict.reason, attempt + 1, max_retries, wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover
