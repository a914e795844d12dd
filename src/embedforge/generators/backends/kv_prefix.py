"""Re-use the prompt's fixed part (instructions, few-shot examples) across calls to llama.cpp.

Every chunk's prompt starts with the same instructions and examples and ends with the
chunk's own block. Decoding the whole prompt for every chunk spends most of the time on
that fixed part (twice the time of a loop that re-uses it). llama.cpp's own prefix
re-use is not enough: it keeps whatever the previous call left, and KV entries decoded in
one batch with the previous chunk's tokens differ in the last bits from those decoded
alone, so a question would depend on which chunk came before it (a resumed run would
then write other questions than an uninterrupted one).

:class:`FixedPrefix` keeps the KV cache holding exactly the fixed part, decoded alone
from an empty cache: every call then decodes only its block on top of the same state,
and its output depends on its own prompt only.
"""

from __future__ import annotations

from typing import Any

MIN_TOKENS = 32  # a shorter fixed part is not worth the bookkeeping


class FixedPrefix:
    """The token prefix last decoded alone into one ``llama_cpp.Llama``'s KV cache."""

    def __init__(self) -> None:
        self.tokens: list[int] = []

    def prepare(self, client: Any, prompt: str, block: str) -> int:
        """Leave ``client``'s cache holding the fixed part of ``prompt`` (the text before ``block``).

        Inputs: a ``llama_cpp.Llama``, the whole prompt, and its chunk-specific tail.
        Output: the number of prompt tokens that will not be decoded again (0: full decode).
        ``client.create_completion(prompt)`` afterwards decodes only the rest, through
        llama-cpp-python's own prefix match.
        """
        fixed = self._fixed_tokens(client, prompt, block)
        if fixed and fixed == self.tokens and client.n_tokens >= len(fixed) and self._truncate(client, len(fixed)):
            return len(fixed)
        client.reset()
        self.tokens = []
        if fixed:
            client.eval(fixed)
            self.tokens = fixed
        return len(fixed)

    @staticmethod
    def _fixed_tokens(client: Any, prompt: str, block: str) -> list[int]:
        """Tokens of the prompt that the text before ``block`` fixes, as create_completion tokenises."""
        if not prompt.endswith(block):
            return []
        full = client.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
        head = client.tokenize(prompt[: len(prompt) - len(block)].encode("utf-8"), add_bos=True, special=True)
        shared = 0
        for a, b in zip(full, head, strict=False):
            if a != b:
                break
            shared += 1
        shared -= 1  # the head's last token may merge with the block's first in the whole prompt
        return list(full[:shared]) if shared >= MIN_TOKENS else []

    @staticmethod
    def _truncate(client: Any, length: int) -> bool:
        """Drop every cached token after ``length``; False where llama.cpp cannot (then decode afresh)."""
        if not client._ctx.kv_cache_seq_rm(-1, length, -1):  # the call llama-cpp-python's prefix match makes
            return False
        client.n_tokens = length
        return True
