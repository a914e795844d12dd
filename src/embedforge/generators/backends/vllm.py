"""``vllm:MODEL``: a Hugging Face model (id or folder) run by vLLM engines on Ray GPU workers.

The backend object only says how calls are keyed (completion prompts, like the in-process GGUF
models); the calls themselves are made by :mod:`embedforge.generators.ray_vllm`, never here.
"""

from __future__ import annotations

from embedforge.errors import EmbedforgeError
from embedforge.generators.backends.base import Backend, Completion, Request


class VllmBackend(Backend):
    """Calls go through Ray Data's vLLM processor; :meth:`complete` is never the way."""

    remote = True

    async def complete(self, request: Request) -> Completion:
        raise EmbedforgeError(f"--llm {self.spec.raw}: vLLM runs only as a Ray stage; pass --engine ray")
