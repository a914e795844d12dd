"""A LangChain LLM over one ``llama_cpp.Llama``: the bundled backend without langchain-community.

``langchain_community.llms.LlamaCpp`` is deprecated upstream (langchain-community is being
sunset, and importing it printed a DeprecationWarning in every run). :class:`GgufLLM` is the
small part of it embedforge used, on ``langchain_core``'s maintained ``LLM`` base: it loads
the model with the same parameters and calls ``Llama.create_completion`` with the same
sampling arguments (top_p 0.95, top_k 40, no echo, no suffix), so a prompt gives the same
output as before. The ``Llama`` is ``client``, as it was, for the KV-prefix bookkeeping.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.llms import LLM


class GgufLLM(LLM):
    """Completion-style GGUF model; ``invoke(prompt, stop=..., temperature=..., max_tokens=..., seed=...)``."""

    client: Any = None
    max_tokens: int = 64
    temperature: float = 0.0
    top_p: float = 0.95
    top_k: int = 40
    repeat_penalty: float = 1.0

    @classmethod
    def load(cls, path: str, n_ctx: int, seed: int, n_batch: int = 512) -> GgufLLM:
        """Load ``path`` with a context of ``n_ctx`` tokens.

        Rope base and scale 0 mean "as the model file says" (a fixed 10000 / 1 breaks Gemma 3,
        whose rope base is 1e6, on long prompts). Raises whatever llama.cpp raises for a bad file.
        """
        from llama_cpp import Llama

        client = Llama(model_path=path, n_ctx=n_ctx, n_batch=n_batch, seed=seed, verbose=False,
                       rope_freq_base=0.0, rope_freq_scale=0.0, last_n_tokens_size=64)
        return cls(client=client)

    @property
    def _llm_type(self) -> str:
        return "embedforge-gguf"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": getattr(self.client, "model_path", None), "top_p": self.top_p, "top_k": self.top_k,
                "repeat_penalty": self.repeat_penalty}

    def _call(self, prompt: str, stop: list[str] | None = None,
              run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> str:
        params = {"suffix": None, "max_tokens": self.max_tokens, "temperature": self.temperature,
                  "top_p": self.top_p, "logprobs": None, "echo": False, "stop": stop or [],
                  "repeat_penalty": self.repeat_penalty, "top_k": self.top_k, **kwargs}
        result = self.client(prompt=prompt, **params)
        return str(result["choices"][0]["text"])
