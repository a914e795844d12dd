"""Query likelihood: how much more likely the LLM finds a question once it has read the chunk.

A generic question ("What is your medical problem?") is about as likely with or without its
chunk; a question only that chunk answers becomes much more likely after reading it. The
score of a question for a chunk is

    specificity = log P(question | chunk) - log P(question | empty chunk)

under the bundled GGUF model, both with the same template (``TEMPLATE``), so only the chunk
differs. The dataset stage keeps each chunk's most specific questions (``dataset/specific.py``).

Each probability is read token by token from llama.cpp's logits: the prefix (template and
chunk) is decoded once per chunk, its last logits kept, and each question is decoded on top
of it, one token at a time, the KV cache truncated back to the prefix between questions. So no
logits matrix of the whole prompt is ever held (Gemma 3's vocabulary has 262,144 tokens).
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np

TEMPLATE = 'Passage: """{context}"""\nQuestion:'


class QueryLikelihood:
    """log P(question | prefix) under one ``llama_cpp.Llama`` (``logits_all`` off)."""

    def __init__(self, llm: Any) -> None:
        self.llm = llm
        self._prefix: list[int] = []
        self._prefix_logits: np.ndarray | None = None

    @classmethod
    def load(cls, model_path: str, n_ctx: int = 2048) -> QueryLikelihood:
        """Load a GGUF model for scoring (a context of ``n_ctx`` tokens). Raises what llama.cpp raises."""
        from llama_cpp import Llama

        return cls(Llama(model_path=model_path, n_ctx=n_ctx, verbose=False, rope_freq_base=0.0,
                         rope_freq_scale=0.0))

    def specificity(self, chunk_text: str, questions: list[str]) -> list[float]:
        """log P(question | chunk) - log P(question | empty chunk), in nats, for each question.

        All questions with the chunk first, then all without it: each prefix is decoded once.
        """
        with_chunk = [self.log_prob(TEMPLATE.format(context=chunk_text.strip()), q) for q in questions]
        alone = [self.log_prob(TEMPLATE.format(context=""), q) for q in questions]
        return [a - b for a, b in zip(with_chunk, alone, strict=True)]

    def log_prob(self, prefix: str, question: str) -> float:
        """Sum of log P(token | prefix, earlier tokens) over the question's tokens (after one space)."""
        prefix_tokens, tokens = self._split(prefix, question)
        logits = self._decode_prefix(prefix_tokens)
        total = 0.0
        for position, token in enumerate(tokens):
            total += float(logits[token] - _logsumexp(logits))
            if position + 1 < len(tokens):
                self.llm.eval([token])
                logits = self._last_logits()
        return total

    def _split(self, prefix: str, question: str) -> tuple[list[int], list[int]]:
        """The prefix's tokens and the question's, as the whole text tokenizes (so a joint scorer agrees)."""
        head = self.llm.tokenize(prefix.encode("utf-8"), add_bos=True)
        whole = self.llm.tokenize((prefix + " " + question.strip()).encode("utf-8"), add_bos=True)
        if whole[: len(head)] != head:  # a token spans the boundary: keep the prefix as it tokenizes alone
            whole = head + self.llm.tokenize((" " + question.strip()).encode("utf-8"), add_bos=False)
        return head, whole[len(head):]

    def _decode_prefix(self, tokens: list[int]) -> np.ndarray:
        """Decode ``tokens`` (or reuse them when they are the prefix decoded last); their last logits."""
        if tokens != self._prefix or self._prefix_logits is None:
            self.llm.reset()
            self.llm.eval(tokens)
            self._prefix, self._prefix_logits = list(tokens), self._last_logits()
        self.llm.n_tokens = len(tokens)  # the next eval drops the KV entries past the prefix
        return self._prefix_logits

    def _last_logits(self) -> np.ndarray:
        pointer = self.llm._ctx.get_logits()  # the last decoded token's logits (llama_get_logits)
        array = np.ctypeslib.as_array(ctypes.cast(pointer, ctypes.POINTER(ctypes.c_float)),
                                      shape=(self.llm.n_vocab(),))
        return array.astype(np.float64)


def _logsumexp(logits: np.ndarray) -> float:
    top = float(logits.max())
    return top + float(np.log(np.exp(logits - top).sum()))
