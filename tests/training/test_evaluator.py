"""The per-epoch evaluator gives the same numbers as sentence-transformers' own, at every dim."""

from __future__ import annotations

from pathlib import Path

import pytest
from sentence_transformers.sentence_transformer.evaluation import InformationRetrievalEvaluator

from embedforge.dataset.layout import load_dataset_dir
from embedforge.training.data import load_training_data
from embedforge.training.evaluator import build_evaluator, metrics_by_dim

DIMS = (384, 256, 128, 64)


def test_shared_embeddings_equal_the_stock_evaluator(  # type: ignore[no-untyped-def]
    small_dataset: Path, bundled_embedder
) -> None:
    data = load_training_data(small_dataset, batch_size=2)
    ours = metrics_by_dim(build_evaluator(data, DIMS)(bundled_embedder), DIMS, "cosine")
    dataset = load_dataset_dir(small_dataset)
    assert set(data.corpus) == set(dataset.corpus), "evaluation must be over the whole corpus"
    for dim in DIMS:
        stock = InformationRetrievalEvaluator(
            dataset.split_queries("dev"), dataset.corpus_texts(), dataset.qrels["dev"],
            truncate_dim=dim, name="x",
        )(bundled_embedder)
        for metric in ("ndcg@10", "mrr@10", "map@100", "recall@10", "accuracy@1"):
            assert ours[dim][metric] == pytest.approx(stock[f"x_cosine_{metric}"], abs=1e-6), (dim, metric)
    # The dims really differ: a truncated embedding is a different retriever.
    assert len({round(ours[d]["ndcg@10"], 6) for d in DIMS}) > 1
