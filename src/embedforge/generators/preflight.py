"""Everything about question generation that can be checked before any work.

:func:`check_generation` parses the LLM spec and runs its kind's preflight (``LlmSpec.preflight``:
the API key an ``openai:`` spec needs, the bundled model's package, Ray for ``vllm:``; a local GGUF
file is checked by the parse), and loads the prompts (refusing a field the backend cannot take),
all without loading a model or calling one. ``dataset build`` and ``embedforge run``
call it first, so a wrong ``--llm`` is one line before chunking, not after.
"""

from __future__ import annotations

from embedforge.generators.backends.base import LlmSpec
from embedforge.generators.context import check_context
from embedforge.generators.prompt import load_prompt
from embedforge.generators.settings import GenerationSettings


def check_generation(settings: GenerationSettings, *, need_key: bool = True) -> LlmSpec:
    """Check ``settings``' LLM spec, key and prompt; return the parsed spec.

    ``need_key=False`` (a dry run, which calls nothing) skips the API key.

    Raises:
        EmbedforgeError: a malformed spec, a missing key, GGUF file, bundled model or prompt.
    """
    spec = settings.spec
    spec.preflight(need_key)
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
        spec.check_prompt(prompt)
        check_context(prompt, spec, n, settings.max_tokens * n)
