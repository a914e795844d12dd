"""The reference run's settings on ~100 ALS pairs beat the base model at the full dimension."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.evaluation import InformationRetrievalEvaluator

from embedforge.dataset.layout import load_dataset_dir
from embedforge.training import TrainSettings, train


@pytest.mark.slow
def test_reference_settings_beat_the_base_model(  # type: ignore[no-untyped-def]
    reference_dataset: Path, bundled_embedder, tmp_path: Path, record_property
) -> None:
    # batch 10, 10 epochs, lr 5e-5, seed 42: the reference's
    settings = TrainSettings(base_model="bundled-minilm", device="cpu")
    assert (settings.batch_size, settings.epochs, settings.learning_rate) == (10, 10, 5e-5)
    started = time.perf_counter()
    result = train(reference_dataset, tmp_path / "model", settings)
    record_property("train_seconds", round(time.perf_counter() - started, 1))
    record_property("samples_per_second", round(result.samples_per_second, 3))
    assert result.train_samples >= 98

    data = load_dataset_dir(reference_dataset)
    tuned = SentenceTransformer(str(tmp_path / "model"), device="cpu")
    scores = {}
    for name, model in (("base", bundled_embedder), ("tuned", tuned)):
        for dim in result.dims:
            key = f"{name}_{dim}"
            scores[key] = InformationRetrievalEvaluator(
                data.split_queries("dev"), data.corpus_texts(), data.qrels["dev"],
                truncate_dim=dim, name=key,
            )(model)[f"{key}_cosine_ndcg@10"]
            record_property(f"ndcg@10_{key}", round(scores[key], 4))
    assert scores["tuned_384"] > scores["base_384"]
    assert scores["tuned_384"] == pytest.approx(result.best_metrics[384]["ndcg@10"], abs=1e-4)
