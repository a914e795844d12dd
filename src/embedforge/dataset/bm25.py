"""BM25 scores over the corpus: the lexical yardstick.

The dataset stage uses it to say how much its dev questions reward word matching
(``dataset/bias.py``); the evaluation stage scores it beside every embedder, a dense
model that loses to plain word overlap on its own domain's questions has a problem worth
seeing next to its numbers. bm25s (Lucene's BM25 variant, English stop words removed)
scores every chunk for every question.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

log = logging.getLogger(__name__)


def bm25_scores(corpus_texts: Sequence[str], query_texts: Sequence[str]) -> np.ndarray:
    """(questions x chunks) BM25 scores, float32.

    Args:
        corpus_texts: chunk texts, in corpus order.
        query_texts: question texts.
    """
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(list(corpus_texts), stopwords="en", show_progress=False), show_progress=False
    )
    tokenized = bm25s.tokenize(list(query_texts), stopwords="en", return_ids=False, show_progress=False)
    scores = np.zeros((len(query_texts), len(corpus_texts)), dtype=np.float32)
    for row, tokens in enumerate(tokenized):
        if tokens:  # a question of stop words only scores nothing: every chunk ties at 0
            scores[row] = retriever.get_scores(list(tokens))
    log.info("bm25: scored %d questions over %d chunks", len(query_texts), len(corpus_texts))
    return scores
