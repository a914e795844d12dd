"""generators stage: an LLM writes questions about each chunk.

Public API: :func:`generate_questions` (and its async twin), :class:`GenerationSettings`,
:class:`GenerationResult` / :class:`QuestionRecord`, :func:`load_prompt`, :func:`parse_spec`,
:func:`plan_generation` (the dry run: calls, cache hits, tokens, cost).
"""

from __future__ import annotations

from embedforge.generators.backends.base import LlmSpec
from embedforge.generators.backends.registry import parse_spec
from embedforge.generators.generate import agenerate_questions, generate_questions
from embedforge.generators.plan import CallPlan, plan_generation
from embedforge.generators.prompt import Prompt, load_prompt
from embedforge.generators.records import GenerationResult, QuestionRecord
from embedforge.generators.settings import GenerationSettings, default_cache_path

__all__ = [
    "CallPlan",
    "GenerationResult",
    "GenerationSettings",
    "LlmSpec",
    "Prompt",
    "QuestionRecord",
    "agenerate_questions",
    "default_cache_path",
    "generate_questions",
    "load_prompt",
    "parse_spec",
    "plan_generation",
]
