"""One scored question set (the eval split, or a hand-written file) across models and dims.

:class:`SectionResult` holds, per model and dim, each question's relevant-chunk ranks
and per-query metrics; its means are the metrics table and its per-query values feed
the bootstrap and the per-query report. :func:`evaluate_queries` is the lower-level
entry point: given embeddings already encoded (or BM25 scores), it scores any
question set against the corpus, so a hand-written file costs no extra corpus pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from embedforge.evaluation.bootstrap import Interval, paired_interval, resample_indices
from embedforge.evaluation.encode import score_function, truncate
from embedforge.evaluation.metrics import (
    RelevancePairs,
    mean_metrics,
    per_query_metrics,
    rank_table,
    ranks_from_scores,
    relevant_ranks,
)
from embedforge.evaluation.queries import EvalQueries
from embedforge.evaluation.settings import PRIMARY_METRIC


@dataclass
class SectionResult:
    """Scores of one question set.

    Attributes:
        name: ``eval`` or ``handwritten``.
        queries: the questions scored.
        ranks: model -> dim -> (questions x relevant) ranks, ascending, +inf padded.
        per_query: model -> dim -> metric -> one value per question.
        intervals: paired bootstrap intervals of ndcg@10 against the first model, per shared dim.
    """

    name: str
    queries: EvalQueries
    ranks: dict[str, dict[int, np.ndarray]] = field(default_factory=dict)
    per_query: dict[str, dict[int, dict[str, np.ndarray]]] = field(default_factory=dict)
    intervals: list[Interval] = field(default_factory=list)

    @property
    def models(self) -> list[str]:
        return list(self.per_query)

    def dims(self, model: str) -> list[int]:
        """The dims ``model`` was scored at, largest first."""
        return sorted(self.per_query[model], reverse=True)

    def metrics(self) -> dict[str, dict[int, dict[str, float]]]:
        """model -> dim -> metric -> mean over the questions."""
        return {m: {d: mean_metrics(v) for d, v in by_dim.items()} for m, by_dim in self.per_query.items()}

    def interval(self, model: str, dim: int) -> Interval | None:
        return next((i for i in self.intervals if i.model == model and i.dim == dim), None)

    def to_json(self, bootstrap_samples: int, seed: int) -> dict[str, Any]:
        """The ``metrics.json`` shape: {"models": {NAME: {"DIM": {metric: value}}}, "bootstrap": {...}}."""
        models = {m: {str(d): values for d, values in by_dim.items()} for m, by_dim in self.metrics().items()}
        intervals: dict[str, dict[str, Any]] = {}
        for item in self.intervals:
            intervals.setdefault(item.model, {})[str(item.dim)] = item.to_dict()
        return {
            "models": models,
            "order": self.models,
            "queries": len(self.queries),
            "bootstrap": {
                "baseline": self.models[0] if self.models else None,
                "metric": PRIMARY_METRIC,
                "confidence": 0.95,
                "samples": bootstrap_samples,
                "seed": seed,
                "intervals": intervals,
            },
        }


def evaluate_queries(
    section: SectionResult,
    model: str,
    queries: torch.Tensor,
    corpus: torch.Tensor,
    similarity: str,
    dims: Sequence[int],
    pairs: RelevancePairs,
) -> None:
    """Score ``section``'s questions for one embedding model at each dim; store ranks and metrics.

    Args:
        queries, corpus: full-dim embeddings (questions in ``section.queries`` order, corpus in id order
            of ``pairs``); each dim is a truncated, re-normalised view, never a re-encode.
        similarity: the model's similarity function name.
        dims: dims to score, each at most the embeddings' width.
    """
    score = score_function(similarity)
    for dim in dims:
        pair_ranks = relevant_ranks(
            truncate(queries, dim, similarity), truncate(corpus, dim, similarity), score, pairs
        )
        _store(section, model, dim, rank_table(pair_ranks, pairs), pairs)


def evaluate_scores(
    section: SectionResult, model: str, scores: np.ndarray, dims: Sequence[int], pairs: RelevancePairs
) -> None:
    """Score a dimension-free ranker (BM25) from its (questions x chunks) scores, stored under every dim."""
    table = rank_table(ranks_from_scores(torch.from_numpy(scores), pairs), pairs)
    for dim in dims:
        _store(section, model, dim, table, pairs)


def add_intervals(section: SectionResult, samples: int, seed: int) -> None:
    """Paired bootstrap of ndcg@10, every model against the first, at each dim both were scored at."""
    if samples <= 0 or len(section.models) < 2:
        return
    indices = resample_indices(len(section.queries), samples, seed)
    baseline, *others = section.models
    for model in others:
        for dim in section.dims(model):
            if dim in section.per_query[baseline]:
                section.intervals.append(
                    paired_interval(
                        section.per_query[model][dim][PRIMARY_METRIC],
                        section.per_query[baseline][dim][PRIMARY_METRIC],
                        indices,
                        model=model,
                        baseline=baseline,
                        dim=dim,
                        metric=PRIMARY_METRIC,
                    )
                )


def _store(section: SectionResult, model: str, dim: int, table: np.ndarray, pairs: RelevancePairs) -> None:
    section.ranks.setdefault(model, {})[dim] = table
    section.per_query.setdefault(model, {})[dim] = per_query_metrics(table, pairs.n_relevant)
