"""The backend interface: a kind of LLM spec (:class:`LlmSpec`) and the calls it makes (:class:`Backend`).

Like simonw/llm's ``Model``, one class per kind owns everything about that kind. An
:class:`LlmSpec` subclass is one kind of ``--llm`` spec (``openai:MODEL``...): how its part
of the spec is parsed, what preflight checks (a key, a package), chat or completion mode,
the token counter of the dry run, the price, what its client's errors mean for retries,
the environment variables holding its secrets, and its help line. Its instances are parsed
specs: small frozen values, picklable, so a Ray actor gets one as it is. ``registry.py``
keys the kinds by name; nothing outside ``backends/`` asks which kind a spec is.

A :class:`Backend` is the call: it turns a :class:`Request` (prompt, chunk, how many
questions, sampling) into a :class:`Completion` (raw text and token counts). Retries,
caching, concurrency and parsing live outside, so a backend is only the call. Backends
raise the client's own exceptions (or :class:`~embedforge.generators.retry.CallFailed`);
:mod:`..retry` classifies them, with the kind's :meth:`LlmSpec.verdict` for its client's own.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from embedforge.corpus.record import Chunk
from embedforge.generators.prompt import Prompt
from embedforge.generators.render import Rendered, render
from embedforge.generators.retry import Verdict
from embedforge.generators.tokens import TokenCounter, estimate_counter


@dataclass(frozen=True)
class LlmSpec:
    """A parsed spec of one kind: ``model`` (name or .gguf path), ``base_url`` or None, ``raw`` as written.

    Subclasses set the class attributes and override what differs from these defaults.
    """

    model: str
    base_url: str | None = None
    raw: str = ""

    kind: ClassVar[str] = ""  # the name before the colon (the whole spec when ``bare``)
    usage: ClassVar[str] = ""  # how it is written, for help and errors: ``openai:MODEL``
    note: ClassVar[str] = ""  # said after ``usage`` in ``--llm``'s help
    bare: ClassVar[bool] = False  # written as the kind alone (``bundled``), no colon
    path_arg: ClassVar[bool] = False  # what follows the colon is a file path (re-based in configuration files)
    local: ClassVar[bool] = False  # run in this process, one call at a time
    chat: ClassVar[bool] = False  # prompted with chat messages, unless ``--completions``
    ray_only: ClassVar[bool] = False  # its calls run only as its own Ray stage (``Backend.ray_answers``)
    secret_env: ClassVar[tuple[str, ...]] = ()  # environment variables holding its secrets

    @classmethod
    def parse(cls, rest: str, raw: str) -> LlmSpec:
        """The spec of this kind from ``rest`` (after the colon, stripped; "" when ``bare``) of ``raw``.

        Raises:
            EmbedforgeError: ``rest`` is not a spec of this kind.
        """
        return cls(rest, None, raw)

    def preflight(self, need_key: bool) -> None:
        """Check what the calls need (a key, a package, a file) without calling; ``need_key=False`` skips keys.

        Raises:
            EmbedforgeError: what is missing, and how to get it.
        """

    def mode(self, completions: bool = False) -> str:
        """``completion`` or ``chat``: how the prompt is rendered (part of the cache key)."""
        return "chat" if self.chat and not completions else "completion"

    def check_prompt(self, prompt: Prompt) -> None:
        """Refuse a prompt field this kind's backend cannot take, naming the field.

        Raises:
            EmbedforgeError: the field and the limit.
        """

    def gguf_path(self) -> str | None:
        """The .gguf file of an in-process model (its context is checked before the first call), else None."""
        return None

    def token_counter(self) -> TokenCounter:
        """The dry run's counter of input tokens: the model's own tokenizer where there is one."""
        return estimate_counter()

    def price(self) -> tuple[float, float] | None:
        """USD per million (input, output) tokens, or None when unknown (never a guess)."""
        return None

    def verdict(self, exc: BaseException) -> Verdict | None:
        """What an exception of this kind's client means for retries; None for any other exception."""
        return None

    def backend(self, *, timeout: float = 120.0, completions: bool = False) -> Backend:
        """The backend that makes this spec's calls.

        Raises:
            EmbedforgeError: what it needs is missing (a key, a model file).
        """
        raise NotImplementedError(f"{type(self).__name__} makes no backend")


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

    def __init__(self, spec: LlmSpec, completions: bool = False) -> None:
        self.spec = spec
        self.completions = completions

    @property
    def mode(self) -> str:
        """``completion`` or ``chat``: how the prompt is rendered (part of the cache key)."""
        return self.spec.mode(self.completions)

    def render(self, request: Request) -> Rendered:
        """Exactly what this backend sends for ``request`` (its digest is part of the cache key)."""
        return render(request.prompt, request.chunk, request.n, self.mode)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Strings to redact from any message: the values of the spec's ``secret_env``."""
        return tuple(value for name in self.spec.secret_env if (value := os.environ.get(name, "").strip()))

    def cache_params(self, request: Request) -> dict[str, Any]:
        """Everything besides chunk, prompt and spec that changes the output."""
        return {
            "mode": self.mode,
            "n": request.n,
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "seed": request.seed,
        }

    def ray_answers(self, ray: Any, todo: list[Any], engine: Any) -> Iterator[dict[str, Any]] | None:
        """Answer rows for ``todo`` (jobs) from its own Ray stage (``ray_only`` kinds); None: the generic actors."""
        return None

    @abstractmethod
    async def complete(self, request: Request) -> Completion:
        """Run one call; raise on failure."""
