"""``embedforge.Retriever``: dense and hybrid search, the corpus-embedding cache, the LangChain retriever."""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from embedforge.dataset.layout import RetrievalDataset, write_dataset_dir
from embedforge.errors import EmbedforgeError
from embedforge.evaluation.bm25 import BM25Index
from embedforge.evaluation.embedding_cache import CACHE_DIR, MODEL_KEYS, folder_hash, model_key
from embedforge.evaluation.fusion import choose_weight, convex_fusion
from embedforge.evaluation.metrics import RelevancePairs
from embedforge.evaluation.retriever import Retriever


@pytest.fixture(scope="module")
def folder(als_dataset: RetrievalDataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ALS dataset with its first six train questions as a dev split."""
    train = dict(als_dataset.qrels["train"])
    dev = {qid: train.pop(qid) for qid in list(train)[:6]}
    out = tmp_path_factory.mktemp("search") / "dataset"
    write_dataset_dir(out, replace(als_dataset, qrels={"train": train, "dev": dev, "eval": als_dataset.qrels["eval"]}))
    return out


@pytest.fixture(scope="module")
def dense(folder: Path) -> Retriever:
    return Retriever(folder, "bundled-minilm", device="cpu")


def test_verbatim_chunk_comes_first(dense: Retriever, als_dataset: RetrievalDataset) -> None:
    for chunk_id in list(als_dataset.corpus)[::25]:
        hits = dense.search(str(als_dataset.corpus[chunk_id]["text"]), k=3)
        assert [h.rank for h in hits] == [1, 2, 3] and hits[0].chunk_id == chunk_id
        assert hits[0].score >= hits[1].score >= hits[2].score


def test_cache_is_reused_and_never_trusted_when_bad(dense: Retriever, folder: Path, tmp_path: Path) -> None:
    assert len(list((folder / CACHE_DIR).glob("corpus-*.npz"))) == 1
    again = Retriever(folder, "bundled-minilm", device="cpu")
    assert again.cache_hit and np.array_equal(again.corpus, dense.corpus)
    small = tmp_path / "small"  # a corpus of three chunks: recomputing it costs nothing
    write_dataset_dir(small, RetrievalDataset(corpus={c: {"title": "", "text": f"chunk about {c}"}
                                                      for c in ("muscles", "breathing", "genes")}, queries={}))
    first = Retriever(small, "bundled-minilm", device="cpu")
    (path,) = (small / CACHE_DIR).glob("corpus-*.npz")
    assert not first.cache_hit
    path.write_bytes(b"not an npz")  # corrupt: recomputed and rewritten
    fresh = Retriever(small, "bundled-minilm", device="cpu")
    assert not fresh.cache_hit and np.allclose(fresh.corpus, first.corpus, atol=1e-5)
    with np.load(path) as data:  # stale: the same file name holding another key
        embeddings = data["embeddings"]
    np.savez(path.with_suffix(".tmp.npz"), key=np.array("another model:another corpus"), embeddings=embeddings * 0)
    path.with_suffix(".tmp.npz").replace(path)
    stale = Retriever(small, "bundled-minilm", device="cpu")
    assert not stale.cache_hit and np.allclose(stale.corpus, first.corpus, atol=1e-5)
    assert Retriever(small, "bundled-minilm", device="cpu").cache_hit


def test_hybrid_scores_are_the_convex_fusion(dense: Retriever, folder: Path) -> None:
    question = "How is ALS diagnosed if there is no single test?"
    hybrid = Retriever(folder, "bundled-minilm", hybrid=0.6, device="cpu")
    expected = convex_fusion(dense.dense_scores(dense.embed_questions([question])),
                             BM25Index(dense.texts).scores([question]), 0.6)[0]
    hits = hybrid.search(question, k=4)
    assert [h.chunk_id for h in hits] == [dense.chunk_ids[i] for i in np.argsort(-expected, kind="stable")[:4]]
    assert all(abs(h.score - expected[dense.chunk_ids.index(h.chunk_id)]) < 1e-9 for h in hits)


def test_auto_weight_is_chosen_on_dev(folder: Path, dense: Retriever, als_dataset: RetrievalDataset) -> None:
    auto = Retriever(folder, "bundled-minilm", hybrid="auto", dim=128, device="cpu")
    assert auto.choice is not None and auto.choice.chosen_by == "dev (generated)" and auto.choice.questions == 6
    dev = list(als_dataset.qrels["train"])[:6]
    texts = [str(als_dataset.queries[q]["text"]) for q in dev]
    expected = choose_weight(auto.dense_scores(auto.embed_questions(texts)), BM25Index(dense.texts).scores(texts),
                             RelevancePairs(dense.chunk_ids, [frozenset(als_dataset.qrels["train"][q]) for q in dev]),
                             "dev (generated)")
    assert auto.weight == expected.weight


def test_bad_arguments_are_one_line_errors(folder: Path, dense: Retriever, tmp_path: Path) -> None:
    with pytest.raises(EmbedforgeError, match="dataset folder not found"):
        Retriever(tmp_path / "missing", "bundled-minilm")
    with pytest.raises(EmbedforgeError, match="--dim 4096: the model bundled-minilm outputs 384 dims"):
        Retriever(folder, "bundled-minilm", dim=4096, device="cpu")
    with pytest.raises(EmbedforgeError, match=r"--hybrid 1\.5"):
        Retriever(folder, "bundled-minilm", hybrid=1.5)
    with pytest.raises(EmbedforgeError, match="question: empty"):
        dense.search("  ")
    no_dev = tmp_path / "no_dev"
    write_dataset_dir(no_dev, RetrievalDataset(corpus={"a": {"title": "", "text": "one chunk"}}, queries={}))
    with pytest.raises(EmbedforgeError, match=r"--hybrid auto: .* has no dev questions"):
        Retriever(no_dev, "bundled-minilm", hybrid="auto", device="cpu")


def test_langchain_retriever_returns_documents(dense: Retriever, als_dataset: RetrievalDataset) -> None:
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever

    chain = dense.as_langchain(k=3)
    assert isinstance(chain, BaseRetriever)
    chunk_id = next(iter(als_dataset.corpus))
    docs = chain.invoke(str(als_dataset.corpus[chunk_id]["text"]))
    assert len(docs) == 3 and all(isinstance(d, Document) for d in docs)
    first = docs[0]
    assert first.page_content == als_dataset.corpus[chunk_id]["text"] and first.id == chunk_id
    assert first.metadata["chunk_id"] == chunk_id and first.metadata["rank"] == 1
    assert first.metadata["source"] == als_dataset.corpus[chunk_id]["source"] and "section" in first.metadata


def test_model_key_follows_the_weights_not_the_card(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"weights")
    (tmp_path / "README.md").write_text("card", encoding="utf-8")
    key = folder_hash(tmp_path)
    (tmp_path / "README.md").write_text("card with the fusion weights compare wrote", encoding="utf-8")
    assert folder_hash(tmp_path) == key
    (tmp_path / "model.safetensors").write_bytes(b"other weights")
    assert folder_hash(tmp_path) != key


def _age(folder: Path, seconds: float) -> None:
    """Set every file's mtime ``seconds`` back (its ctime becomes now: what a copy or `touch` does)."""
    for path in folder.iterdir():
        then = time.time_ns() - int(seconds * 1e9)
        os.utime(path, ns=(then, then))


def test_model_key_is_remembered_by_the_files_stat(tmp_path: Path) -> None:
    model, dataset = tmp_path / "model", tmp_path / "dataset"
    model.mkdir()
    (model / "model.safetensors").write_bytes(b"weights")
    memo = dataset / CACHE_DIR / MODEL_KEYS
    assert model_key(model, dataset) == folder_hash(model)
    assert not memo.exists(), "a key of files whose ctime is this second must not be remembered"
    _age(model, 3600)
    time.sleep(2.1)  # the ctime that utime set must settle too
    key = model_key(model, dataset)
    remembered = json.loads(memo.read_text(encoding="utf-8"))
    assert list(remembered.values()) == [key]
    memo.write_text(json.dumps(dict.fromkeys(remembered, "planted")), encoding="utf-8")
    assert model_key(model, dataset) == "planted", "the remembered key must answer without hashing the files"
    (model / "model.safetensors").write_bytes(b"wEights")  # same size: only the stat's times and ctime differ
    assert model_key(model, dataset) == folder_hash(model) != key
