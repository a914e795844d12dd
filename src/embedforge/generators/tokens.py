"""Input tokens of a rendered call, for the dry run: the backend's tokenizer where there is one.

Each kind of spec picks its counter (``LlmSpec.token_counter``) from these: in-process GGUF
models are counted with llama.cpp's own tokenizer (:func:`gguf_counter`), loaded with
``vocab_only=True`` (the vocabulary, no weights: well under a second), exactly as the backend
counts a real call's ``tokens_in``. OpenAI models are counted with tiktoken when its encoding
is available offline (:func:`tiktoken_counter`, plus OpenAI's per-message overhead for chat).
Anything else is estimated at 4 characters a token (:func:`estimate_counter`), and said so.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

from embedforge.generators.render import Rendered

log = logging.getLogger(__name__)
CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD = 4  # tokens OpenAI adds per chat message (role and separators)
REPLY_PRIMING = 3  # tokens OpenAI adds to prime the reply


@dataclass(frozen=True)
class TokenCounter:
    """``count(text) -> tokens``; ``name`` says which tokenizer; ``exact`` is False for the estimate."""

    name: str
    exact: bool
    count_text: Callable[[str], int]

    def count(self, rendered: Rendered) -> int:
        """Input tokens of one call."""
        if rendered.mode == "completion":
            return self.count_text(rendered.text or "")
        messages = rendered.messages or ()
        return sum(self.count_text(content) + MESSAGE_OVERHEAD for _, content in messages) + REPLY_PRIMING


def _estimate(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def estimate_counter() -> TokenCounter:
    """The estimate: 4 characters a token."""
    return TokenCounter(f"estimate ({CHARS_PER_TOKEN} characters a token)", False, _estimate)


def gguf_counter(where: str, path: Callable[[], str]) -> TokenCounter:
    """llama.cpp's tokenizer of the .gguf file ``path()``, else the estimate (a broken file: the run will say so)."""
    try:
        return _gguf_counter(path())
    except Exception as exc:  # a broken file: the real run will say so; here estimate
        log.warning("%s: cannot load the tokenizer (%s); estimating tokens", where, exc)
        return estimate_counter()


def _gguf_counter(path: str) -> TokenCounter:
    """llama.cpp's tokenizer of ``path``, as LlamaCppBackend counts ``tokens_in`` (with BOS, no special parsing)."""
    import llama_cpp

    try:  # the model's vocabulary alone, without the context whose creation prints a warning
        from llama_cpp._internals import LlamaModel

        params = llama_cpp.llama_model_default_params()
        params.vocab_only = True
        model = LlamaModel(path_model=path, params=params, verbose=False)
        return TokenCounter("llama.cpp", True, lambda text: len(model.tokenize(text.encode("utf-8"), True, False)))
    except (ImportError, AttributeError, TypeError):  # another llama-cpp-python layout: its public class
        vocab = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
        return TokenCounter("llama.cpp", True, lambda text: len(vocab.tokenize(text.encode("utf-8"))))


def tiktoken_counter(model: str) -> TokenCounter:
    """tiktoken's encoding of OpenAI's ``model``, else the estimate."""
    try:
        import tiktoken

        encoding = tiktoken.encoding_for_model(model)
    except Exception as exc:  # no tiktoken, unknown model, or its encoding file cannot be fetched offline
        log.info("tiktoken unavailable for %s (%s); estimating tokens at 4 characters each", model, _reason(exc))
        return estimate_counter()
    return TokenCounter(f"tiktoken {encoding.name}", True, lambda text: len(encoding.encode(text)))


def _reason(exc: Exception) -> str:
    """Why tiktoken failed, in one short line (a network error's text is a page of connection-pool detail)."""
    if isinstance(exc, OSError) or "ConnectionPool" in str(exc):  # requests' errors are OSErrors
        return "its encoding file cannot be downloaded here"
    return " ".join(str(exc).split())[:160]
