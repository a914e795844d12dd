"""Our metrics equal sentence-transformers' InformationRetrievalEvaluator(truncate_dim=d):
every metric, every dim."""

from __future__ import annotations

from pathlib import Path

import pytest
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.evaluation import InformationRetrievalEvaluator

from embedforge.dataset.layout import RetrievalDataset, write_dataset_dir
from embedforge.evaluation import METRIC_NAMES, CompareSettings, compare

TOLERANCE = 1e-6


def evaluator_metrics(model: SentenceTransformer, dataset: RetrievalDataset, dim: int) -> dict[str, float]:
    evaluator = InformationRetrievalEvaluator(
        queries=dataset.split_queries("eval"),
        corpus=dataset.corpus_texts(),
        relevant_docs=dataset.qrels["eval"],
        truncate_dim=dim,
        batch_size=64,
        write_csv=False,
    )
    found = evaluator(model)
    return {name: float(found[f"cosine_{name}"]) for name in METRIC_NAMES}


def assert_equal_everywhere(
    ours: dict[int, dict[str, float]], model: SentenceTransformer, dataset: RetrievalDataset, dims: list[int]
) -> float:
    worst = 0.0
    assert sorted(ours) == dims
    for dim, metrics in ours.items():
        theirs = evaluator_metrics(model, dataset, dim)
        for name in METRIC_NAMES:
            diff = abs(metrics[name] - theirs[name])
            assert diff <= TOLERANCE, f"{name} at dim {dim}: ours {metrics[name]} vs evaluator {theirs[name]}"
            worst = max(worst, diff)
    return worst


@pytest.mark.parametrize("name", ["base", "tuned"])
def test_every_metric_and_dim_equals_information_retrieval_evaluator(
    name: str,
    compare_run,
    bundled_embedder,
    tuned_model_dir: Path,
    als_dataset: RetrievalDataset,  # type: ignore[no-untyped-def]
) -> None:
    model = bundled_embedder if name == "base" else SentenceTransformer(str(tuned_model_dir), device="cpu")
    worst = assert_equal_everywhere(compare_run.metrics()[name], model, als_dataset, [64, 128, 256, 384])
    print(f"{name}: max abs difference vs InformationRetrievalEvaluator = {worst:.3g}")


def test_ties_and_several_relevant_chunks_equal_evaluator(
    als_dataset: RetrievalDataset,
    bundled_embedder,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    """Duplicate chunks under other ids tie exactly; both sides must break ties by corpus id."""
    corpus = dict(list(als_dataset.corpus.items())[:12])
    for cid, row in list(corpus.items())[:5]:
        corpus[f"0dup-{cid}"] = dict(row)  # sorts before the original: ties decide the order
        corpus[f"zdup-{cid}"] = dict(row)  # sorts after it
    ids = list(corpus)
    questions = [
        "What is ALS?",
        "How does ALS progress?",
        "Which genes cause familial ALS?",
        "How is ALS treated?",
        "What research does NINDS fund?",
        "How do caregivers cope?",
    ]
    queries = {f"q{i}": {"text": text} for i, text in enumerate(questions)}
    # three relevant chunks each, one of them a duplicate that ties with its original
    relevant = {f"q{i}": {ids[i], ids[13 + 2 * (i % 5)], ids[(i + 6) % 12]} for i in range(6)}
    dataset = RetrievalDataset(corpus=corpus, queries=queries, qrels={"train": {}, "eval": relevant})
    write_dataset_dir(tmp_path / "ds", dataset)
    result = compare(
        tmp_path / "ds",
        {"base": "bundled-minilm"},
        tmp_path / "out",
        CompareSettings(dims=(64,), bootstrap_samples=0, device="cpu"),
    )
    assert_equal_everywhere(result.metrics()["base"], bundled_embedder, dataset, [64, 384])
    ranks = result.eval.ranks["base"][64]
    assert (ranks[:, :3] < 1e9).all(), "every query has its three relevant chunks ranked"
