"""``vllm:MODEL``: a Hugging Face model (id or folder) run by vLLM engines on Ray GPU workers.

The backend object only says how calls are keyed (completion prompts, like the in-process GGUF
models); the calls themselves are made by :mod:`embedforge.generators.ray_vllm`, never here.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import Any

from embedforge.errors import EmbedforgeError
from embedforge.generators.backends.base import Backend, Completion, LlmSpec, Request


class VllmSpec(LlmSpec):
    """``vllm:MODEL``: vLLM on Ray GPU workers (``--engine ray`` is implied); needs Ray on the driver."""

    kind = "vllm"
    usage = "vllm:MODEL"
    note = "on Ray, docs/scale.md"
    ray_only = True

    def preflight(self, need_key: bool) -> None:
        if importlib.util.find_spec("ray") is None:
            raise EmbedforgeError(f"--llm {self.raw}: vLLM runs on Ray; pip install 'embedforge[vllm]'")

    def backend(self, *, timeout: float = 120.0, completions: bool = False) -> Backend:
        return VllmBackend(self)


class VllmBackend(Backend):
    """Calls go through Ray Data's vLLM processor; :meth:`complete` is never the way."""

    remote = True

    def ray_answers(self, ray: Any, todo: list[Any], engine: Any) -> Iterator[dict[str, Any]]:
        from embedforge.generators.ray_vllm import vllm_answers

        return vllm_answers(ray, todo, self, engine)

    async def complete(self, request: Request) -> Completion:
        raise EmbedforgeError(f"--llm {self.spec.raw}: vLLM runs only as a Ray stage; pass --engine ray")
