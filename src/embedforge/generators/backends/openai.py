"""``openai:MODEL`` and ``openai-compatible:MODEL@URL`` (vLLM, Ollama, a llama.cpp server) through langchain-openai.

The two kinds (:class:`OpenAISpec`, :class:`OpenAICompatibleSpec`) and their one backend.
Chat models get the prompt as messages (``ChatOpenAI``); base models behind a
compatible server get it as one completion text (``OpenAI``, ``--completions``).
The client's own retries are off (``max_retries=0``): :mod:`..retry` is the one
retry layer. The key comes from ``OPENAI_API_KEY`` and lives only in the client
(as a ``SecretStr``); it is never logged, cached or written. Each answer's body is read
through :mod:`.capped_http` (at most ``MAX_ANSWER_BYTES``); a null answer (or an empty chat
one, which LangChain makes of a null) fails its call (``empty_answer``) rather than being
cached as a success.
"""

from __future__ import annotations

import os
import re
from typing import Any, ClassVar
from urllib.parse import urlparse

from pydantic import SecretStr

from embedforge.errors import EmbedforgeError
from embedforge.generators.backends.base import Backend, Completion, LlmSpec, Request
from embedforge.generators.prompt import Prompt
from embedforge.generators.retry import FATAL_STATUS, CallFailed, Verdict, retry_after
from embedforge.generators.tokens import TokenCounter, tiktoken_counter

KEY_ENV = "OPENAI_API_KEY"
# A local server needs no key, but the client insists on one.
PLACEHOLDER_KEY = "sk-no-key-needed"
# OpenAI's chat and completion APIs take at most 4 stop sequences.
MAX_STOPS = 4
# USD per million (input, output) tokens.
PRICES = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-3.5-turbo": (0.50, 1.50),
}


class OpenAIApiSpec(LlmSpec):
    """What both OpenAI-API kinds share: chat unless ``--completions``, ``OPENAI_API_KEY``, 4 stops, SDK errors."""

    chat = True
    secret_env = (KEY_ENV,)
    needs_key: ClassVar[bool] = False

    def api_key(self) -> str:
        """``OPENAI_API_KEY``; required for ``openai:``, a placeholder for a compatible server without one.

        Raises:
            EmbedforgeError: no key, and this kind needs one.
        """
        key = os.environ.get(KEY_ENV, "").strip()
        if key:
            return key
        if self.needs_key:
            raise EmbedforgeError(f"--llm {self.raw}: {KEY_ENV} is not set; export your OpenAI API key")
        return PLACEHOLDER_KEY

    def preflight(self, need_key: bool) -> None:
        if need_key:
            self.api_key()

    def check_prompt(self, prompt: Prompt) -> None:
        if len(prompt.stop) > MAX_STOPS:
            raise EmbedforgeError(f"{prompt.source}: stop: {len(prompt.stop)} stop sequences, but the OpenAI API "
                                  f"takes at most {MAX_STOPS}; keep {MAX_STOPS} or fewer")

    def verdict(self, exc: BaseException) -> Verdict | None:
        return openai_verdict(exc)

    def backend(self, *, timeout: float = 120.0, completions: bool = False) -> Backend:
        return OpenAIBackend(self, timeout=timeout, completions=completions)


class OpenAISpec(OpenAIApiSpec):
    """``openai:MODEL``: OpenAI's API (key from ``OPENAI_API_KEY``), counted with tiktoken, priced."""

    kind = "openai"
    usage = "openai:MODEL"
    needs_key = True

    def token_counter(self) -> TokenCounter:
        return tiktoken_counter(self.model)

    def price(self) -> tuple[float, float] | None:
        return PRICES.get(self.model)


class OpenAICompatibleSpec(OpenAIApiSpec):
    """``openai-compatible:MODEL@URL``: vLLM, Ollama, a llama.cpp server... at ``URL`` (e.g. http://host:8000/v1).

    The spec string never holds a key, so it is safe to record in caches and manifests: credentials
    (``user:pass@``) and query strings (``?api-key=...``) in the URL are refused without echoing the spec.
    """

    kind = "openai-compatible"
    usage = "openai-compatible:MODEL@URL"

    @classmethod
    def parse(cls, rest: str, raw: str) -> LlmSpec:
        match = re.match(r"^(?P<model>[^@]+)@(?P<url>https?://\S+)$", rest)
        parsed = urlparse(match["url"]) if match else None
        if parsed is not None and (parsed.username or parsed.password):
            # Never echo the spec here: it holds a secret.
            raise EmbedforgeError("--llm: do not put credentials in the URL; set OPENAI_API_KEY instead")
        if parsed is not None and (parsed.query or parsed.fragment or "?" in rest or "#" in rest):
            # Nor here: a query string is where keys go (?api-key=...), and the spec is recorded everywhere.
            raise EmbedforgeError("--llm: the openai-compatible URL has a query string or fragment (?... or #...), "
                                  "which would be recorded in caches, manifests and cards; give the URL without it "
                                  "and set OPENAI_API_KEY for a key")
        if match is None or parsed is None or not parsed.netloc:
            raise EmbedforgeError(
                f"--llm {raw!r}: expected openai-compatible:MODEL@URL with an http(s) URL, "
                "e.g. openai-compatible:llama3@http://127.0.0.1:8000/v1"
            )
        return cls(match["model"], match["url"].rstrip("/"), raw)


def openai_verdict(exc: BaseException) -> Verdict | None:
    """What an OpenAI SDK exception means for retries (:mod:`..retry`); None for another exception."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return Verdict("timeout", retry=True)
    if isinstance(exc, openai.APIConnectionError):
        return Verdict("connection_error", retry=True)
    if isinstance(exc, openai.APIStatusError):
        code = exc.status_code
        if code == 429 or code >= 500:
            return Verdict(f"http_{code}", retry=True, retry_after=retry_after(exc.response.headers))
        return Verdict(f"http_{code}", retry=False, fatal=code in FATAL_STATUS,
                       fix=f"check --llm, the model name and {KEY_ENV}")
    if isinstance(exc, openai.APIResponseValidationError):
        return Verdict("invalid_response", retry=False)
    return None


class OpenAIBackend(Backend):
    """A model behind the OpenAI API or a compatible server."""

    remote = True

    def __init__(self, spec: OpenAIApiSpec, *, timeout: float, completions: bool = False) -> None:
        super().__init__(spec, completions)
        self._key = spec.api_key()
        self.timeout = timeout
        self._clients: dict[tuple[float, int, int], Any] = {}

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self._key,)

    def _client(self, request: Request) -> Any:
        """One LangChain model object per sampling setting (the run has one)."""
        key = (request.temperature, request.max_tokens, request.seed)
        if key not in self._clients:
            from langchain_openai import ChatOpenAI, OpenAI

            from embedforge.generators.backends.capped_http import capped_async_client

            cls: Any = OpenAI if self.completions else ChatOpenAI
            self._clients[key] = cls(
                model=self.spec.model,
                base_url=self.spec.base_url,
                api_key=SecretStr(self._key),
                timeout=self.timeout,
                max_retries=0,
                temperature=request.temperature,
                max_tokens=request.max_tokens,
                seed=request.seed,
                http_async_client=capped_async_client(self.timeout),  # bytes read per answer capped
            )
        return self._clients[key]

    async def complete(self, request: Request) -> Completion:
        rendered = self.render(request)
        stops, client = list(rendered.stop), self._client(request)
        if self.completions:
            result = await client.agenerate([rendered.text or ""], stop=stops)
            usage = (result.llm_output or {}).get("token_usage", {})
            output = result.generations[0][0].text
            if output is None:  # a null text: not an answer (an empty one is: the model said nothing)
                raise CallFailed("empty_answer", "the server answered with a null text")
            return Completion(
                output, int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))
            )
        message = await client.ainvoke(list(rendered.messages or ()), stop=stops)
        usage = message.usage_metadata or {}
        content = _answer(message.content)
        return Completion(content, int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0)))


def _answer(content: Any) -> str:
    """A chat answer's text; a null or empty one fails the call, so it is not cached and is asked again next run.

    LangChain turns a chat answer's ``null`` content into "", so the two cannot be told apart here.
    """
    if isinstance(content, list):  # content parts: their text
        content = "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    if not isinstance(content, str) or not content.strip():
        raise CallFailed("empty_answer", "the server answered with no text (null or empty)")
    return content
