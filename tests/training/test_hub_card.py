"""The saved model's card, parsed as the Hub parses it (``huggingface_hub.ModelCard``), field by field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from embedforge.dataset.layout import load_dataset_dir
from embedforge.training.hub_card import base_identity, split_front_matter

pytestmark = pytest.mark.slow


def test_card_fields_a_hub_user_expects(small_run: Any, small_dataset: Path) -> None:
    from huggingface_hub import ModelCard

    result, out = small_run
    card = ModelCard.load(out / "README.md")
    data = card.data
    assert data.base_model == "sentence-transformers/all-MiniLM-L6-v2"
    assert data.license == "apache-2.0" and data.language == ["en"]
    assert data.datasets == [small_dataset.resolve().name]
    assert data.pipeline_tag == "sentence-similarity" and data.library_name == "sentence-transformers"
    results = data.eval_results
    assert {r.task_type for r in results} == {"retrieval"}
    assert {r.metric_type for r in results} == {"ndcg_at_10"}
    assert {r.metric_config: r.metric_value for r in results} == {
        f"dim_{dim}": round(values["ndcg@10"], 4) for dim, values in result.best_metrics.items()}
    body = split_front_matter(card.content)[1]
    paragraph = body.split("\n\n")[1]
    assert paragraph.startswith("This is [sentence-transformers/all-MiniLM-L6-v2]") and "20 (question, passage)" \
        in paragraph
    assert "trained." not in body and "_dim" not in card.content.split("---")[1]


def test_card_quotes_no_document_text(small_run: Any, small_dataset: Path) -> None:
    _, out = small_run
    card = (out / "README.md").read_text(encoding="utf-8")
    ds = load_dataset_dir(small_dataset)
    texts = [row["text"] for row in ds.corpus.values()] + [row["text"] for row in ds.queries.values()]
    leaked = [t for t in texts if t[:40] in card]
    assert not leaked, leaked[:1]
    assert "widget" not in split_front_matter(card)[0]


def test_base_identity_of_the_bundled_models_and_hub_ids() -> None:
    assert base_identity("bundled") == ("sentence-transformers/all-mpnet-base-v2", "apache-2.0")
    assert base_identity("bundled-minilm") == ("sentence-transformers/all-MiniLM-L6-v2", "apache-2.0")
    assert base_identity("BAAI/bge-small-en-v1.5") == ("BAAI/bge-small-en-v1.5", None)
