"""Split by chunk: seeded, order-independent, no chunk in both splits, eval searches the whole corpus."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from embedforge.dataset import DatasetSettings, import_dataset, load_dataset_dir
from embedforge.dataset.split import assign_split, eval_count, read_split
from embedforge.errors import EmbedforgeError
from embedforge.fingerprint import text_hash

IDS = [text_hash(f"chunk {i}") for i in range(200)]


def test_same_ids_and_seed_give_same_split_whatever_the_order() -> None:
    shuffled = IDS[:]
    random.Random(1).shuffle(shuffled)
    assert assign_split(IDS, IDS, 0.2, 42) == assign_split(shuffled, reversed(shuffled), 0.2, 42)


def test_fraction_is_respected_and_seed_matters() -> None:
    split = assign_split(IDS, IDS, 0.2, 42)
    assert sum(v == "eval" for v in split.values()) == 40
    assert assign_split(IDS, IDS, 0.2, 7) != split


def test_adding_a_chunk_moves_at_most_one_other() -> None:
    before = assign_split(IDS[:100], IDS[:100], 0.2, 42)
    after = assign_split(IDS[:101], IDS[:101], 0.2, 42)
    moved = [cid for cid in before if before[cid] != after[cid]]
    assert len(moved) <= 1


def test_small_sets_keep_one_chunk_on_each_side() -> None:
    assert eval_count(2, 0.01) == 1 and eval_count(2, 0.99) == 1 and eval_count(1, 0.5) == 0
    split = assign_split(IDS[:3], IDS[:3], 0.01, 42)
    assert sorted(split.values()) == ["eval", "train", "train"]


def test_chunks_without_questions_get_a_split_too() -> None:
    split = assign_split(IDS[:10], IDS, 0.2, 42)
    assert set(split) == set(IDS)
    assert sum(split[c] == "eval" for c in IDS[:10]) == 2


def _folder_bytes(folder: Path) -> dict[str, bytes]:
    files = {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    manifest = json.loads(files.pop("manifest.json"))
    manifest.pop("created_at")
    files["manifest.json"] = json.dumps(manifest, sort_keys=True).encode()
    return files


def test_folders_are_byte_identical_and_split_by_chunk(pair_files: dict[str, Path], tmp_path: Path) -> None:
    settings = DatasetSettings(eval_fraction=0.3, seed=42)
    import_dataset(pair_files["reference"], None, tmp_path / "a", settings)
    import_dataset(pair_files["reference"], None, tmp_path / "b", settings)
    assert _folder_bytes(tmp_path / "a") == _folder_bytes(tmp_path / "b")
    assert {"corpus.jsonl", "queries.jsonl", "qrels/train.tsv", "qrels/test.tsv", "train.parquet",
            "manifest.json", "README.md", "chunks.jsonl", "split.json"} <= set(_folder_bytes(tmp_path / "a"))

    ds = load_dataset_dir(tmp_path / "a")
    split = read_split(tmp_path / "a")
    for name in ("train", "eval"):
        assert all(split[c] == name for rel in ds.qrels[name].values() for c in rel)
    assert set(split) == set(ds.corpus)  # the eval corpus is the whole corpus, every chunk has a split
    assert (tmp_path / "a" / "qrels" / "test.tsv").read_text().splitlines()[0] == "query-id\tcorpus-id\tscore"

    import_dataset(pair_files["reference"], None, tmp_path / "c", DatasetSettings(eval_fraction=0.3, seed=3))
    assert read_split(tmp_path / "c") != split


def test_train_parquet_holds_the_train_pairs(pair_files: dict[str, Path], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    import_dataset(pair_files["reference"], None, tmp_path / "a")
    table = pq.read_table(tmp_path / "a" / "train.parquet").to_pylist()
    ds = load_dataset_dir(tmp_path / "a")
    assert table and [(r["anchor"], r["positive"]) for r in table] == ds.pairs("train")


@pytest.mark.parametrize("kwargs", [{"eval_fraction": 0.0}, {"eval_fraction": 1.0}, {"roundtrip_k": -1}])
def test_bad_settings_are_refused(kwargs: dict) -> None:
    with pytest.raises(EmbedforgeError):
        DatasetSettings(**kwargs)


def test_dev_split_comes_after_eval_and_leaves_eval_unchanged() -> None:
    from embedforge.dataset.split import MIN_DEV_CHUNKS

    plain = assign_split(IDS, IDS, 0.2, 42)
    three = assign_split(IDS, IDS, 0.2, 42, dev_fraction=0.2)
    assert {c for c, s in three.items() if s == "eval"} == {c for c, s in plain.items() if s == "eval"}
    assert sum(s == "dev" for s in three.values()) == 40 and sum(s == "train" for s in three.values()) == 120
    shuffled = IDS[:]
    random.Random(3).shuffle(shuffled)
    assert assign_split(shuffled, shuffled, 0.2, 42, dev_fraction=0.2) == three
    small = assign_split(IDS[: MIN_DEV_CHUNKS - 1], IDS[: MIN_DEV_CHUNKS - 1], 0.2, 42, dev_fraction=0.2)
    assert "dev" not in small.values()  # too few chunks to choose anything by: no dev split
    enough = assign_split(IDS[:MIN_DEV_CHUNKS], IDS[:MIN_DEV_CHUNKS], 0.2, 42, dev_fraction=0.2)
    assert sorted(enough.values()).count("dev") == 4


def test_dev_fraction_is_checked() -> None:
    with pytest.raises(EmbedforgeError, match=r"dev_fraction 0\.9"):
        DatasetSettings(eval_fraction=0.2, dev_fraction=0.9)
