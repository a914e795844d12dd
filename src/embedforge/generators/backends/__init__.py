"""LLM backends, built from a spec string by :func:`make_backend`."""

from __future__ import annotations

from embedforge.generators.backends.base import Backend, Completion, Request
from embedforge.generators.spec import LlmSpec, parse_spec


def make_backend(spec: str | LlmSpec, *, timeout: float = 120.0, completions: bool = False) -> Backend:
    """The backend for ``spec`` (see :mod:`embedforge.generators.spec`).

    Raises:
        EmbedforgeError: a bad spec, a missing model file or a missing OPENAI_API_KEY.
    """
    parsed = parse_spec(spec) if isinstance(spec, str) else spec
    if parsed.local:
        from embedforge.generators.backends.llamacpp import LlamaCppBackend

        return LlamaCppBackend(parsed)
    if parsed.kind == "vllm":
        from embedforge.generators.backends.vllm import VllmBackend

        return VllmBackend(parsed)
    from embedforge.generators.backends.openai import OpenAIBackend

    return OpenAIBackend(parsed, timeout=timeout, completions=completions)


__all__ = ["Backend", "Completion", "Request", "make_backend"]
