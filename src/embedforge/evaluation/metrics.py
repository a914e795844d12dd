"""Vectorised IR metrics, per query, equal to sentence-transformers' ``InformationRetrievalEvaluator``.

Why not call theirs: ``compute_metrics`` loops in Python over per-query hit lists
and returns only means, and ``compute_all_metrics`` re-encodes the queries; the
bootstrap and the per-query report need every query's value, from embeddings
encoded once. So this module reproduces their definitions exactly (a test checks
every metric at every dim against the evaluator to 1e-6):

- ranking by descending score, ties broken by ascending corpus id (their total order);
- binary relevance; accuracy@k = a relevant chunk in the top k; precision@k = hits/k;
  recall@k = hits/|relevant|; mrr@10 = 1/first relevant rank if <= 10;
  ndcg@10 = sum 1/log2(rank+1) over relevant ranks <= 10, divided by the ideal DCG over
  min(|relevant|, 10) positions; map@100 = sum of precision at each relevant rank <= 100,
  divided by min(100, |relevant|).

Everything follows from the exact rank of each relevant chunk among all chunks,
counted as 1 + (chunks scoring higher) + (equal-scoring chunks with a smaller id):
no top-k selection, no per-query Python loop.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from embedforge.evaluation.encode import ScoreFn
from embedforge.evaluation.settings import ACCURACY_AT, MAP_AT, MRR_AT, NDCG_AT, PRECISION_RECALL_AT

# Query rows scored at once; bounds the (rows x corpus) score matrix at ~64M floats.
_MAX_SCORE_CELLS = 1 << 26


class RelevancePairs:
    """The (query row, corpus column) pairs of relevant chunks, plus the tie-break order.

    Args:
        corpus_ids: corpus ids in embedding-row order.
        relevant: for each query, its relevant corpus ids.
    """

    def __init__(self, corpus_ids: Sequence[str], relevant: Sequence[frozenset[str]]) -> None:
        column = {cid: i for i, cid in enumerate(corpus_ids)}
        order = sorted(range(len(corpus_ids)), key=corpus_ids.__getitem__)
        self.id_rank = torch.empty(len(corpus_ids), dtype=torch.long)
        self.id_rank[torch.tensor(order, dtype=torch.long)] = torch.arange(len(corpus_ids))
        rows = [q for q, rel in enumerate(relevant) for _ in rel]
        cols = [column[cid] for rel in relevant for cid in sorted(rel)]
        self.rows = torch.tensor(rows, dtype=torch.long)
        self.cols = torch.tensor(cols, dtype=torch.long)
        self.n_queries = len(relevant)
        self.n_relevant = np.array([len(rel) for rel in relevant], dtype=np.int64)


def ranks_from_scores(scores: torch.Tensor, pairs: RelevancePairs, row_offset: int = 0) -> np.ndarray:
    """1-based rank of each relevant chunk whose query row lies in ``scores`` (rows from ``row_offset``)."""
    in_block = (pairs.rows >= row_offset) & (pairs.rows < row_offset + scores.shape[0])
    rows = (pairs.rows[in_block] - row_offset).to(scores.device)
    cols = pairs.cols[in_block].to(scores.device)
    id_rank = pairs.id_rank.to(scores.device)
    row_scores = scores[rows]  # (pairs, corpus)
    own = row_scores.gather(1, cols[:, None])
    higher = (row_scores > own).sum(dim=1)
    tied_before = ((row_scores == own) & (id_rank[None, :] < id_rank[cols][:, None])).sum(dim=1)
    return (1 + higher + tied_before).cpu().numpy()


def relevant_ranks(
    queries: torch.Tensor, corpus: torch.Tensor, score: ScoreFn, pairs: RelevancePairs
) -> np.ndarray:
    """Rank of every relevant pair, scoring the queries in row blocks that fit in memory."""
    block = max(1, _MAX_SCORE_CELLS // max(1, corpus.shape[0]))
    parts = []
    with torch.inference_mode():
        for start in range(0, queries.shape[0], block):
            scores = score(queries[start : start + block], corpus)
            parts.append(ranks_from_scores(scores, pairs, row_offset=start))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def rank_table(pair_ranks: np.ndarray, pairs: RelevancePairs) -> np.ndarray:
    """(queries x max relevant) matrix of each query's relevant ranks, ascending, padded with +inf."""
    width = int(pairs.n_relevant.max()) if pairs.n_queries else 1
    table = np.full((pairs.n_queries, width), np.inf)
    rows = pairs.rows.numpy()
    # pairs are grouped by query; a pair's slot is its position inside its query's group
    starts = np.concatenate([[0], np.cumsum(pairs.n_relevant)[:-1]])
    slot = np.arange(len(rows)) - starts[rows]
    table[rows, slot] = pair_ranks
    return np.sort(table, axis=1)


def per_query_metrics(ranks: np.ndarray, n_relevant: np.ndarray) -> dict[str, np.ndarray]:
    """Every metric of the reference set, one value per query, from a :func:`rank_table`."""
    out: dict[str, np.ndarray] = {}
    n_rel = n_relevant.astype(np.float64)
    first = ranks[:, 0]
    for k in ACCURACY_AT:
        out[f"accuracy@{k}"] = (first <= k).astype(np.float64)
    for k in PRECISION_RECALL_AT:
        hits = (ranks <= k).sum(axis=1)
        out[f"precision@{k}"] = hits / k
        out[f"recall@{k}"] = hits / n_rel
    gains = np.where(ranks <= NDCG_AT, 1.0 / np.log2(np.minimum(ranks, NDCG_AT) + 1), 0.0)
    ideal_discounts = 1.0 / np.log2(np.arange(NDCG_AT) + 2)
    ideal = np.cumsum(ideal_discounts)[np.minimum(n_relevant, NDCG_AT) - 1]
    out[f"ndcg@{NDCG_AT}"] = gains.sum(axis=1) / ideal
    out[f"mrr@{MRR_AT}"] = np.where(first <= MRR_AT, 1.0 / first, 0.0)
    position = np.arange(1, ranks.shape[1] + 1)[None, :]  # i-th relevant hit: precision i / rank
    precisions = np.where(ranks <= MAP_AT, position / np.minimum(ranks, MAP_AT), 0.0)
    out[f"map@{MAP_AT}"] = precisions.sum(axis=1) / np.minimum(n_rel, MAP_AT)
    return out


def mean_metrics(per_query: dict[str, np.ndarray]) -> dict[str, float]:
    """Mean over queries of each per-query metric, as plain floats."""
    return {name: float(values.mean()) for name, values in per_query.items()}
