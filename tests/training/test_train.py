"""Training the bundled model on a small ALS dataset: the saved model, its metrics, log, card, determinism."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.evaluation import InformationRetrievalEvaluator

from embedforge.dataset.layout import load_dataset_dir
from embedforge.training import TrainSettings, train
from embedforge.training.progress import format_epoch


def _log(model_dir: Path) -> list[dict]:  # type: ignore[type-arg]
    lines = (model_dir / "training_log.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_saved_model_loads_plainly_and_truncates(small_run) -> None:  # type: ignore[no-untyped-def]
    result, out = small_run
    assert result.dims == (384, 256, 128, 64)
    assert (out / "model.safetensors").is_file() and not list(out.glob("**/pytorch_model.bin"))
    assert not (out / "checkpoints").exists(), "checkpoints are removed after a finished run"
    model = SentenceTransformer(str(out), device="cpu")
    assert model.get_embedding_dimension() == 384
    for dim in result.dims:
        assert model.encode(["What causes ALS?"], truncate_dim=dim).shape == (1, dim)


def test_metrics_equal_the_stock_evaluator_on_the_saved_model(  # type: ignore[no-untyped-def]
    small_run, small_dataset
) -> None:
    result, out = small_run
    model = SentenceTransformer(str(out), device="cpu")
    data = load_dataset_dir(small_dataset)
    for dim in (384, 64):  # all dims are checked against the stock evaluator in test_evaluator.py
        stock = InformationRetrievalEvaluator(
            data.split_queries("dev"), data.corpus_texts(), data.qrels["dev"], truncate_dim=dim, name="s",
        )(model)
        assert result.best_metrics[dim]["ndcg@10"] == pytest.approx(stock["s_cosine_ndcg@10"], abs=1e-4)
        assert result.best_metrics[dim]["mrr@10"] == pytest.approx(stock["s_cosine_mrr@10"], abs=1e-4)


def test_log_has_every_epoch_and_the_saved_model_is_the_best(  # type: ignore[no-untyped-def]
    small_run
) -> None:
    result, out = small_run
    records = _log(out)
    assert [round(r["epoch"]) for r in records] == [1, 2]
    assert all(set(r["metrics"]) == {str(d) for d in result.dims} for r in records)
    assert all(isinstance(r["loss"], float) for r in records)
    def mean_ndcg(record: dict) -> float:  # what the checkpoint is chosen by: every dim counts
        return sum(record["metrics"][str(d)]["ndcg@10"] for d in result.dims) / len(result.dims)

    best = max(records, key=mean_ndcg)  # first maximum, as the Trainer keeps
    assert result.best_epoch == best["epoch"]
    for dim in result.dims:
        expected = best["metrics"][str(dim)]["ndcg@10"]
        assert result.best_metrics[dim]["ndcg@10"] == pytest.approx(expected, abs=1e-4)
    assert result.train_samples == 20 and result.samples_per_second > 0


def test_model_card_records_the_training(small_run) -> None:  # type: ignore[no-untyped-def]
    result, out = small_run
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "sentence-transformers" in card and "MatryoshkaLoss" in card  # sentence-transformers' own card
    section = card[card.index("## embedforge training"):]
    assert "`bundled-minilm`" in section and "384, 256, 128, 64" in section and "20 train rows" in section
    assert f"{result.best_metrics[384]['ndcg@10']:.4f}" in section
    assert "`learning_rate`: `5e-05`" in section and "`batch_size`: `5`" in section


def test_same_data_and_seed_give_the_same_metrics(  # type: ignore[no-untyped-def]
    small_run, small_dataset, small_settings, tmp_path, caplog
) -> None:
    result, out = small_run
    with caplog.at_level(logging.INFO, logger="embedforge.training.progress"):
        again = train(small_dataset, tmp_path / "again", TrainSettings(**small_settings))
    for first, second in zip(_log(out), _log(tmp_path / "again"), strict=True):
        assert first["loss"] == pytest.approx(second["loss"], abs=1e-4)
        for dim, values in first["metrics"].items():
            assert values["ndcg@10"] == pytest.approx(second["metrics"][dim]["ndcg@10"], abs=1e-4)
    for dim in result.dims:
        expected = result.best_metrics[dim]["ndcg@10"]
        assert again.best_metrics[dim]["ndcg@10"] == pytest.approx(expected, abs=1e-4)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("epoch ")]
    assert len(lines) == 2 and lines[0].startswith("epoch 1/2  loss ") and " 384:" in lines[0]


def test_epoch_line_format() -> None:
    record = {"epoch": 3.0, "loss": 0.41234, "metrics": {"384": {"ndcg@10": 0.71}, "256": {"ndcg@10": 0.69}}}
    assert format_epoch(record, 10) == "epoch 3/10  loss 0.4123  ndcg@10 384:0.7100 256:0.6900"
