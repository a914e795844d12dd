"""One retry layer for LLM calls: classify the error, back off, honour Retry-After.

The OpenAI SDK and LangChain each retry on their own; stacked, a dead server costs
retries x retries calls. Backends set the client's ``max_retries=0`` and every retry
happens here. Retried: timeouts, dropped connections, 429 and 5xx. Not retried: an
invalid response or another 4xx (that call fails with its reason). 400, 401, 403
and 404 mean every call will fail (bad key, model, URL or parameter), so they stop
the run at once with :class:`EmbedforgeError`; finished generations are already cached.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import os
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from embedforge.errors import EmbedforgeError

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


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with the OpenAI key (and any other ``secrets``) replaced by ``***``."""
    for secret in (*secrets, os.environ.get("OPENAI_API_KEY", "")):
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def retry_after(headers: Any) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date), or None."""
    value = headers.get("retry-after") if headers is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def classify(exc: BaseException) -> Verdict:
    """Map an exception from a backend to a :class:`Verdict`."""
    import openai

    if isinstance(exc, CallFailed):
        return Verdict(exc.reason, retry=False)
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError, openai.APITimeoutError)):
        return Verdict("timeout", retry=True)
    if isinstance(exc, openai.APIConnectionError):
        return Verdict("connection_error", retry=True)
    if isinstance(exc, openai.APIStatusError):
        code = exc.status_code
        if code == 429 or code >= 500:
            return Verdict(f"http_{code}", retry=True, retry_after=retry_after(exc.response.headers))
        return Verdict(f"http_{code}", retry=False, fatal=code in FATAL_STATUS)
    if isinstance(exc, (openai.APIResponseValidationError, ValueError, KeyError, TypeError)):
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
) -> T:
    """Run ``call`` until it succeeds or fails for good.

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
            verdict = classify(exc)
            detail = redact(" ".join(str(exc).split())[:300], secrets)
            if verdict.fatal:
                code = int(verdict.reason.split("_")[1])
                raise EmbedforgeError(
                    f"{where}: {FATAL_STATUS[code]} (HTTP {code}: {detail}); check --llm, the model name and "
                    "OPENAI_API_KEY; finished generations are cached, rerun to continue"
                ) from None
            if not verdict.retry or attempt == max_retries:
                raise CallFailed(verdict.reason, detail) from None
            wait = delay_for(attempt, verdict, backoff)
            log.info("%s: %s, retry %d/%d in %.2fs", where, verdict.reason, attempt + 1, max_retries, wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover
