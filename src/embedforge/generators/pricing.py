"""USD prices of OpenAI models, for the cost of a run (manifest) and of a dry run (estimate).

Prices are per million (input, output) tokens; a model not listed has no known price
and its cost is None, never a guess.
"""

from __future__ import annotations

# USD per million (input, output) tokens.
PRICES = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-3.5-turbo": (0.50, 1.50),
}


def price(llm: str) -> tuple[float, float] | None:
    """(input, output) USD per million tokens of an ``openai:MODEL`` spec, else None."""
    if not llm.startswith("openai:"):
        return None
    return PRICES.get(llm.split(":", 1)[1])


def estimate_cost(llm: str, tokens_in: int, tokens_out: int) -> float | None:
    """USD for an ``openai:MODEL`` run with a known price, else None."""
    known = price(llm)
    return None if known is None else round((tokens_in * known[0] + tokens_out * known[1]) / 1e6, 6)
