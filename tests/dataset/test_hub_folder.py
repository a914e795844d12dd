"""The dataset folder as the ecosystem reads it: 🤗 datasets configs, BEIR's loader, the card's YAML."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from embedforge.dataset import DatasetSettings, import_dataset, load_dataset_dir


@pytest.fixture()
def folder(pair_files: dict[str, Path], tmp_path: Path) -> Path:
    out = tmp_path / "ds"
    import_dataset(pair_files["li_train"], pair_files["li_eval"], out,
                   DatasetSettings(license="cc-by-4.0", language="en,fr"))
    return out


def test_every_config_loads_with_datasets_as_is(folder: Path, tmp_path: Path) -> None:
    from datasets import load_dataset as hf_load

    def load_dataset(path: str, name: str | None = None):  # type: ignore[no-untyped-def]
        return hf_load(path, name, cache_dir=str(tmp_path / "hf-cache"))  # never the user's cache

    ds = load_dataset_dir(folder)
    corpus = load_dataset(str(folder), "corpus")["corpus"]
    assert sorted(corpus["_id"]) == sorted(ds.corpus) and set(corpus["title"]) == {""}
    queries = load_dataset(str(folder), "queries")["queries"]
    assert sorted(queries["_id"]) == sorted(ds.queries)
    qrels = load_dataset(str(folder), "qrels")
    assert set(qrels) == {"train", "test"}  # no dev split in a two-file import: not listed
    assert {(r["query-id"], r["corpus-id"]) for r in qrels["test"]} == {
        (q, c) for q, rel in ds.qrels["eval"].items() for c in rel}
    assert qrels["test"].features["query-id"].dtype == "string"
    train = load_dataset(str(folder), "train")["train"]
    assert train.column_names == ["anchor", "positive"] and len(train) == len(ds.pairs("train"))
    assert set(load_dataset(str(folder))) == {"train", "test"}  # the default config is the qrels


def test_beir_loader_reads_the_test_split(folder: Path) -> None:
    from beir.datasets.data_loader import GenericDataLoader

    corpus, queries, qrels = GenericDataLoader(str(folder)).load(split="test")
    ds = load_dataset_dir(folder)
    assert set(corpus) == set(ds.corpus) and all(doc["title"] == "" for doc in corpus.values())
    assert {q: set(rel) for q, rel in qrels.items()} == ds.qrels["eval"]
    assert queries == ds.split_queries("eval")


def test_card_front_matter_has_the_hub_fields(folder: Path) -> None:
    from huggingface_hub import DatasetCard

    data = DatasetCard.load(folder / "README.md").data.to_dict()
    assert data["license"] == "cc-by-4.0" and data["language"] == ["en", "fr"]
    assert data["task_categories"] == ["text-retrieval"]
    assert [c["config_name"] for c in data["configs"]] == ["corpus", "queries", "qrels", "train"]
    assert "embedforge" not in DatasetCard.load(folder / "README.md").text.split("## Loading")[1].split("```")[1]


def test_the_default_license_is_left_to_the_user(pair_files: dict[str, Path], tmp_path: Path) -> None:
    from huggingface_hub import DatasetCard

    import_dataset(pair_files["reference"], None, tmp_path / "ds")
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    assert DatasetCard.load(tmp_path / "ds" / "README.md").data.to_dict()["license"] == "unknown"
    assert "yours to state" in card.split("---")[1]


def test_a_folder_with_the_old_eval_name_still_loads(folder: Path) -> None:
    before = load_dataset_dir(folder).qrels["eval"]
    shutil.move(folder / "qrels" / "test.tsv", folder / "qrels" / "eval.tsv")
    assert load_dataset_dir(folder).qrels["eval"] == before
