"""``compare`` with BM25: hybrid and RRF rows at every dim, the weight chosen on dev only, the recommendation."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from embedforge.dataset.layout import RetrievalDataset, write_dataset_dir
from embedforge.evaluation import CompareSettings, compare
from embedforge.evaluation.choosing import DEV_GENERATED, choosing_queries

DIMS = (384, 128)


def with_dev(dataset: RetrievalDataset, eval_qrels: dict[str, set[str]] | None = None) -> RetrievalDataset:
    """The dataset with its first six train questions moved to a dev split (and the eval qrels replaced)."""
    train = dict(dataset.qrels["train"])
    dev = {qid: train.pop(qid) for qid in list(train)[:6]}
    return replace(dataset, qrels={"train": train, "dev": dev, "eval": eval_qrels or dataset.qrels["eval"]})


@pytest.fixture(scope="module")
def trained_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model folder as `embedforge train` leaves it (selection.json, a Hub card): MiniLM's files."""
    from embedforge.embedder import bundled_model_path

    folder = tmp_path_factory.mktemp("trained") / "model"
    shutil.copytree(bundled_model_path("bundled-minilm"), folder)
    (folder / "selection.json").write_text('{"checkpoint": {"epoch": 1, "chosen_by": "dev"}}', encoding="utf-8")
    (folder / "README.md").write_text("---\nlibrary_name: sentence-transformers\n---\n\n# tuned\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def hybrid_run(als_dataset: RetrievalDataset, trained_copy: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("dev_dataset")
    write_dataset_dir(folder, with_dev(als_dataset))
    settings = CompareSettings(bm25=True, dims=DIMS, device="cpu", bootstrap_samples=200)
    return compare(folder, {"tuned": str(trained_copy)}, folder.parent / "report", settings)


def test_fused_rows_at_every_dim_with_intervals(hybrid_run) -> None:  # type: ignore[no-untyped-def]
    data = json.loads((hybrid_run.out_dir / "metrics.json").read_text())
    fused = ["hybrid(bm25+tuned)", "rrf(bm25+tuned)"]
    assert data["order"] == ["tuned", "bm25", *fused]
    for name in fused:
        assert sorted(data["models"][name], key=int) == ["128", "384"]
        assert set(data["bootstrap"]["intervals"][name]) == {"128", "384"}
    fusion = data["fusion"]
    assert fusion["chosen_by"] == DEV_GENERATED and fusion["choosing_queries"] == 6 and fusion["rrf_k"] == 60
    for choice in fusion["weights"]["hybrid(bm25+tuned)"].values():
        assert choice["weight"] in [i / 10 for i in range(11)] and len(choice["candidates"]) == 11


def test_report_opens_with_the_recommendation(hybrid_run) -> None:  # type: ignore[no-untyped-def]
    report = (hybrid_run.out_dir / "report.md").read_text()
    first = report.split("\n\n")[1]
    assert first.startswith("**Recommendation.** Use ") and "95% interval" in first and "runner-up" in first
    assert "**" not in hybrid_run.recommendation.sentence  # plain text: the terminal and `run` print it as is
    assert "chosen per model and dim from 0.0, 0.1, … 1.0 by mean ndcg@10 on the 6 dev (generated) questions" in report
    rec = json.loads((hybrid_run.out_dir / "metrics.json").read_text())["recommendation"]
    assert rec["judged_on"] == "eval" and rec["sentence"] == hybrid_run.recommendation.sentence
    best = max(v["ndcg@10"] for by_dim in hybrid_run.metrics().values() for v in by_dim.values())
    assert rec["ndcg@10"] == pytest.approx(best)


def test_card_of_a_trained_folder_records_the_weight(hybrid_run, trained_copy: Path) -> None:  # type: ignore[no-untyped-def]
    card = (trained_copy / "README.md").read_text()
    assert card.startswith("---\nlibrary_name: sentence-transformers\n---\n") and card.count("## BM25 fusion") == 1
    weights = hybrid_run.fusion.weights["hybrid(bm25+tuned)"]
    assert f"| 384 | {weights[384].weight:.1f} |" in card and "6 dev (generated) questions" in card


def test_eval_never_chooses_the_weight(hybrid_run, als_dataset: RetrievalDataset, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Eval relabelled so that dense alone is perfect on it: a weight chosen on eval would be 1.0 everywhere."""
    from embedforge.evaluation.retriever import Retriever

    chosen = {d: c.weight for d, c in hybrid_run.fusion.weights["hybrid(bm25+tuned)"].items()}
    dim = next((d for d, w in chosen.items() if w < 1.0), None)
    assert dim is not None, "precondition: dev must choose some w < 1 for this test to bite"
    dense = Retriever(hybrid_run.dataset_dir, "bundled-minilm", dim=dim, device="cpu")
    relabelled = {qid: {dense.search(str(als_dataset.queries[qid]["text"]), 1)[0].chunk_id}
                  for qid in als_dataset.qrels["eval"]}
    folder = tmp_path / "relabelled"
    write_dataset_dir(folder, with_dev(als_dataset, relabelled))
    result = compare(folder, {"tuned": "bundled-minilm"}, tmp_path / "report",
                     CompareSettings(bm25=True, dims=(dim,), device="cpu", bootstrap_samples=0))
    assert result.metrics()["tuned"][dim]["ndcg@10"] == 1.0  # eval now rewards w = 1.0 at that dim
    assert result.fusion.weights["hybrid(bm25+tuned)"][dim].weight == chosen[dim]
    dev = choosing_queries(with_dev(als_dataset))
    assert dev is not None and result.fusion.choosing is not None
    assert result.fusion.choosing[0].ids == dev[0].ids and not set(dev[0].ids) & set(als_dataset.qrels["eval"])


def test_no_dev_split_no_fused_rows(compare_run) -> None:  # type: ignore[no-untyped-def]
    report = (compare_run.out_dir / "report.md").read_text()
    assert "No hybrid or RRF rows: the dataset has no dev split" in report
    assert report.split("\n\n")[1].startswith("**Recommendation.** Use ")
    assert "hand-written questions" in compare_run.recommendation.sentence
