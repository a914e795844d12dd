"""The USD cost of a run (manifest) and of a dry run (estimate), at the spec's price.

A kind of spec knows its prices (``LlmSpec.price``: per million (input, output) tokens,
``backends/openai.py`` lists OpenAI's); a model without a known price costs None, never a guess.
"""

from __future__ import annotations

from embedforge.generators.backends.base import LlmSpec
from embedforge.generators.backends.registry import parse_spec


def estimate_cost(llm: LlmSpec | str, tokens_in: int, tokens_out: int) -> float | None:
    """USD for ``tokens_in`` and ``tokens_out`` of ``llm`` (a spec or its string) at a known price, else None."""
    known = (parse_spec(llm) if isinstance(llm, str) else llm).price()
    return None if known is None else round((tokens_in * known[0] + tokens_out * known[1]) / 1e6, 6)
