"""OpenAI and OpenAI-compatible servers (vLLM, Ollama, llama.cpp) through langchain-openai.

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
from typing import Any

from pydantic import SecretStr

from embedforge.errors import EmbedforgeError
from embedforge.generators.backends.base import Backend, Completion, Request
from embedforge.generators.backends.capped_http import capped_async_client
from embedforge.generators.render import mode_for
from embedforge.generators.retry import CallFailed
from embedforge.generators.spec import LlmSpec

KEY_ENV = "OPENAI_API_KEY"
# A local server needs no key, but the client insists on one.
PLACEHOLDER_KEY = "sk-no-key-needed"


def api_key(spec: LlmSpec) -> str:
    """The key for ``spec``: ``OPENAI_API_KEY``; required for ``openai:``, optional for compatible servers."""
    key = os.environ.get(KEY_ENV, "").strip()
    if key:
        return key
    if spec.kind == "openai":
        raise EmbedforgeError(f"--llm {spec.raw}: {KEY_ENV} is not set; export your OpenAI API key")
    return PLACEHOLDER_KEY


class OpenAIBackend(Backend):
    """A model behind the OpenAI API or a compatible server."""

    remote = True

    def __init__(self, spec: LlmSpec, *, timeout: float, completions: bool = False) -> None:
        super().__init__(spec)
        self.completions = completions
        self._key = api_key(spec)
        self.timeout = timeout
        self._clients: dict[tuple[float, int, int], Any] = {}

    @property
    def mode(self) -> str:
        return mode_for(self.spec, self.completions)

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self._key,)

    def _client(self, request: Request) -> Any:
        """One LangChain model object per sampling setting (the run has one)."""
        key = (request.temperature, request.max_tokens, request.seed)
        if key not in self._clients:
            from langchain_openai import ChatOpenAI, OpenAI

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
