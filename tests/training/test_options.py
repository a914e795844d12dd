"""Hard negatives, the GradCache loss and query prompts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.evaluation import InformationRetrievalEvaluator

from embedforge.dataset.layout import load_dataset_dir, write_dataset_dir
from embedforge.fingerprint import text_hash
from embedforge.training import TrainSettings, train
from embedforge.training.data import load_training_data, mine_negatives


@pytest.fixture
def two_relevant_dataset(small_dataset: Path, tmp_path: Path) -> tuple[Path, str, str]:
    """The small dataset plus a near-copy of one train chunk, relevant to that chunk's first question."""
    data = load_dataset_dir(small_dataset)
    qid, cids = next(iter(data.qrels["train"].items()))
    original = data.corpus[next(iter(cids))]
    copy_text = original["text"] + " This is repeated here."
    data.corpus[text_hash(copy_text)] = {**original, "text": copy_text}
    data.qrels["train"][qid] = {*cids, text_hash(copy_text)}
    write_dataset_dir(tmp_path / "ds", data)
    return tmp_path / "ds", data.queries[qid]["text"], copy_text


def test_mined_negatives_are_never_relevant(  # type: ignore[no-untyped-def]
    two_relevant_dataset, bundled_embedder
) -> None:
    folder, question, copy_text = two_relevant_dataset
    data = load_training_data(folder, batch_size=2)
    rows = mine_negatives(data, bundled_embedder, 3)
    assert rows.column_names == ["anchor", "positive", "negative_1", "negative_2", "negative_3"]
    assert len(rows) == len(data.pairs)
    for row in rows:
        negatives = [row[f"negative_{i}"] for i in (1, 2, 3)]
        assert len(set(negatives)) == 3 and row["positive"] not in negatives
        assert not set(negatives) & data.relevant_texts[row["anchor"]]
        assert all(n in data.corpus.values() for n in negatives)
    # The near-copy is the question's closest chunk after its own; it must still never be a negative.
    for row in rows.filter(lambda r: r["anchor"] == question):
        assert copy_text not in (row["negative_1"], row["negative_2"], row["negative_3"])


def test_cached_loss_with_hard_negatives_and_a_query_prompt(small_dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    result = train(small_dataset, out, TrainSettings(
        base_model="bundled-minilm", batch_size=4, epochs=1, device="cpu", loss="cached-mnrl", mini_batch_size=2,
        hard_negatives=1, query_prompt="query: ", card_examples=True,
    ))
    assert result.query_prompt == "query: "
    config = json.loads((out / "config_sentence_transformers.json").read_text(encoding="utf-8"))
    assert config["prompts"]["query"] == "query: "
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "CachedMultipleNegativesRankingLoss" in card and "'query: '" in card
    assert "negative_1" in card  # --card-examples keeps sentence-transformers' card: (anchor, positive, negative) rows
    # Evaluation used the prompt: the stock evaluator on the saved model (whose encode_query adds it) agrees.
    model = SentenceTransformer(str(out), device="cpu")
    data = load_dataset_dir(small_dataset)
    stock = InformationRetrievalEvaluator(
        data.split_queries("dev"), data.corpus_texts(), data.qrels["dev"], truncate_dim=384, name="s",
    )(model)
    assert result.best_metrics[384]["ndcg@10"] == pytest.approx(stock["s_cosine_ndcg@10"], abs=1e-4)
    shutil.rmtree(out)


def test_hard_negatives_larger_than_the_corpus(small_dataset: Path, tmp_path: Path) -> None:
    from embedforge.errors import EmbedforgeError

    with pytest.raises(EmbedforgeError, match="--hard-negatives 500"):
        train(small_dataset, tmp_path / "m", TrainSettings(batch_size=4, device="cpu", hard_negatives=500))
