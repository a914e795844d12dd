"""``compare``, sentence-transformers' evaluator and an MTEB retrieval task over the folder agree at every dim.

The folder is written by embedforge's own writer from chunks that carry their documents' titles
(``titled_folder``). MTEB and BEIR embed ``title + text``; embedforge keeps the corpus ``title`` empty,
so all three embed the same text. Before that rule MTEB scored this base model 0.9816 at 384 dims where
``compare`` said 0.9531. MTEB runs offline here: the task reads the local folder, the model is a folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from titled_folder import write_titled_folder

DIMS = (384, 256, 128, 64)
pytestmark = pytest.mark.slow


def _mteb_ndcg(folder: Path, model_dir: str, dim: int) -> float:
    import mteb
    from mteb.abstasks.retrieval import AbsTaskRetrieval
    from mteb.abstasks.task_metadata import TaskMetadata
    from sentence_transformers import SentenceTransformer

    class Folder(AbsTaskRetrieval):
        metadata = TaskMetadata(
            name="EmbedforgeFolder", description="an embedforge dataset folder", reference=None,
            dataset={"path": str(folder), "revision": "local"}, type="Retrieval", category="t2t",
            eval_splits=["test"], eval_langs=["eng-Latn"], main_score="ndcg_at_10", date=None, domains=None,
            task_subtypes=None, license="cc-by-4.0", annotations_creators=None, dialect=None,
            sample_creation=None, bibtex_citation="", modalities=["text"],
        )

    model = SentenceTransformer(model_dir, device="cpu", truncate_dim=dim)
    result = mteb.evaluate(model, Folder(), cache=None, show_progress_bar=False)
    return float(result[0].scores["test"][0]["ndcg_at_10"])


def _st_ndcg(folder: Path, model_dir: str, dim: int) -> float:
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.evaluation import InformationRetrievalEvaluator

    from embedforge.dataset import load_dataset_dir

    ds = load_dataset_dir(folder)
    corpus = {cid: f"{row['title']} {row['text']}".strip() for cid, row in ds.corpus.items()}  # as BEIR does
    evaluator = InformationRetrievalEvaluator(ds.split_queries("eval"), corpus, ds.qrels["eval"], name="test",
                                              truncate_dim=dim, show_progress_bar=False)
    scores: dict[str, Any] = evaluator(SentenceTransformer(model_dir, device="cpu"))
    return float(scores["test_cosine_ndcg@10"])


def test_compare_st_and_mteb_agree_at_every_dim(
    als_dataset: Any, tuned_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datasets

    # datasets fixed its cache folder when first imported, before the test redirected HF_HOME
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-cache")
    from embedforge.embedder import bundled_model_path
    from embedforge.evaluation import CompareSettings, compare

    folder = write_titled_folder(als_dataset, tmp_path / "ds")
    models = {"base": str(bundled_model_path("bundled-minilm")), "tuned": str(tuned_model_dir)}
    result = compare(folder, models, tmp_path / "report",
                     CompareSettings(device="cpu", dims=DIMS, bootstrap_samples=0))
    metrics = result.metrics()
    for name, model_dir in models.items():
        for dim in DIMS:
            ours = metrics[name][dim]["ndcg@10"]
            assert abs(_mteb_ndcg(folder, model_dir, dim) - ours) < 1e-4, (name, dim)
            assert abs(_st_ndcg(folder, model_dir, dim) - ours) < 1e-4, (name, dim)

