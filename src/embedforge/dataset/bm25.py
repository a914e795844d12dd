"""BM25 scores over the corpus: the lexical yardstick a fine-tuned embedder should beat.

The dataset stage uses it to say how much its dev questions reward word matching
(``dataset/bias.py``); the evaluation stage scores it beside every embedder and fuses it
with them (``evaluation/hybrid.py``): a dense model that loses to plain word overlap on its
own domain's questions has a problem worth seeing next to its numbers. bm25s (Lucene's BM25 variant, English
stop words removed) scores every chunk for every question; the scores go through
the same rank and metric code as the embedders, ties broken by chunk id as there.
:class:`BM25Index` keeps the index for a retriever that scores question after question.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

log = logging.getLogger(__name__)


class BM25Index:
    """A bm25s index over chunk texts, built once.

    Args:
        corpus_texts: chunk texts, in corpus order.
    """

    def __init__(self, corpus_texts: Sequence[str]) -> None:
        import bm25s

        self._bm25s: Any = bm25s
        self._retriever = bm25s.BM25()
        self._retriever.index(
            bm25s.tokenize(list(corpus_texts), stopwords="en", show_progress=False), show_progress=False
        )
        self.size = len(corpus_texts)

    def scores(self, query_texts: Sequence[str]) -> np.ndarray:
        """(questions x chunks) BM25 scores, float32."""
        tokenized = self._bm25s.tokenize(list(query_texts), stopwords="en", return_ids=False, show_progress=False)
        scores = np.zeros((len(query_texts), self.size), dtype=np.float32)
        for row, tokens in enumerate(tokenized):
            if tokens:  # a question of stop words only scores nothing: every chunk ties at 0
                scores[row] = self._retriever.get_scores(list(tokens))
        return scores


def bm25_scores(corpus_texts: Sequence[str], query_texts: Sequence[str]) -> np.ndarray:
    """(questions x chunks) BM25 scores, float32.

    Args:
        corpus_texts: chunk texts, in corpus order.
        query_texts: question texts.
    """
    scores = BM25Index(corpus_texts).scores(query_texts)
    log.info("bm25: scored %d questions over %d chunks", len(query_texts), len(corpus_texts))
    return scores
