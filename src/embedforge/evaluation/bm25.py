"""BM25 for the evaluation stage: the scorer lives in ``dataset/bm25.py``, which the dataset stage uses too."""

from __future__ import annotations

from embedforge.dataset.bm25 import BM25Index, bm25_scores

__all__ = ["BM25Index", "bm25_scores"]
