"""The backend interface: one abstract async method, ``complete``.

Like simonw/llm's ``Model``: a backend turns a :class:`Request` (prompt, chunk,
how many questions, sampling) into a :class:`Completion` (raw text and token
counts). Retries, caching, concurrency and parsing live outside, so a backend is
only the call. Backends raise the client's own exceptions (or
:class:`~embedforge.generators.retry.CallFailed`); :mod:`..retry` classifies them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from embedforge.corpus.record import Chunk
from embedforge.generators.prompt import Prompt
from embedforge.generators.render import Rendered, render
from embedforge.generators.spec import LlmSpec


@dataclass(frozen=True)
class Request:
    """One LLM call: ``n`` questions about ``chunk`` with ``prompt``."""

    prompt: Prompt
    chunk: Chunk
    n: int
    temperature: float
    max_tokens: int
    seed: int


@dataclass(frozen=True)
class Completion:
    """The raw output of one call and its token counts."""

    text: str
    tokens_in: int
    tokens_out: int


class Backend(ABC):
    """A model behind a spec. Remote backends get a per-call timeout; local ones run one call at a time."""

    remote: bool = True

    def __init__(self, spec: LlmSpec) -> None:
        self.spec = spec

    @property
    def mode(self) -> str:
        """``completion`` or ``chat``: how the prompt is rendered (part of the cache key)."""
        return "completion"

    def render(self, request: Request) -> Rendered:
        """Exactly what this backend sends for ``request`` (its digest is part of the cache key)."""
        return render(request.prompt, request.chunk, request.n, self.mode)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Strings to redact from any message (API keys)."""
        return ()

    def cache_params(self, request: Request) -> dict[str, Any]:
        """Everything besides chunk, prompt and spec that changes the output."""
        return {
            "mode": self.mode,
            "n": request.n,
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "seed": request.seed,
        }

    @abstractmethod
    async def complete(self, request: Request) -> Completion:
        """Run one call; raise on failure."""
