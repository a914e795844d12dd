"""LLM backends: one class per kind of ``--llm`` spec (``registry.py``), and the backend it makes."""

from __future__ import annotations

from embedforge.generators.backends.base import Backend, Completion, LlmSpec, Request
from embedforge.generators.backends.registry import parse_spec, register


def make_backend(spec: str | LlmSpec, *, timeout: float = 120.0, completions: bool = False) -> Backend:
    """The backend for ``spec`` (a string is parsed: :func:`~.registry.parse_spec`).

    Raises:
        EmbedforgeError: a bad spec, a missing model file or a missing OPENAI_API_KEY.
    """
    parsed = parse_spec(spec) if isinstance(spec, str) else spec
    return parsed.backend(timeout=timeout, completions=completions)


__all__ = ["Backend", "Completion", "LlmSpec", "Request", "make_backend", "parse_spec", "register"]
