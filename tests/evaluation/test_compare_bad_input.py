"""Bad input gives one line naming the problem: models, qrels, empty split, names, hand-written files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from embedforge.dataset.layout import RetrievalDataset, write_dataset_dir
from embedforge.errors import EmbedforgeError
from embedforge.evaluation import CompareSettings, compare, load_handwritten, parse_model_specs

FAST = CompareSettings(bootstrap_samples=0, device="cpu")


def one_line_error(excinfo: pytest.ExceptionInfo[EmbedforgeError], *needles: str) -> str:
    message = str(excinfo.value)
    assert "\n" not in message
    for needle in needles:
        assert needle in message, message
    return message


def test_missing_model_folder(dataset_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(EmbedforgeError) as excinfo:
        compare(dataset_dir, {"base": "bundled-minilm", "tuned": str(tmp_path / "nope")}, tmp_path / "out", FAST)
    one_line_error(excinfo, "nope", "folder not found")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content", ["{not json", json.dumps({"model_type": "no-such-architecture"})])
def test_corrupt_model_folder(dataset_dir: Path, tmp_path: Path, content: str) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text(content)
    with pytest.raises(EmbedforgeError) as excinfo:
        compare(dataset_dir, {"broken": str(broken)}, tmp_path / "out", FAST)
    one_line_error(excinfo, str(broken), "could not load the model")


def test_qrels_naming_unknown_ids(als_dataset: RetrievalDataset, tmp_path: Path) -> None:
    write_dataset_dir(tmp_path / "ds", als_dataset)
    qrels = tmp_path / "ds" / "qrels" / "test.tsv"
    qrels.write_text(qrels.read_text() + "q-unknown\tc-unknown\t1\n")
    with pytest.raises(EmbedforgeError) as excinfo:
        compare(tmp_path / "ds", {"base": "bundled-minilm"}, tmp_path / "out", FAST)
    one_line_error(excinfo, "test.tsv", "unknown")


def test_empty_eval_split(als_dataset: RetrievalDataset, tmp_path: Path) -> None:
    empty = RetrievalDataset(als_dataset.corpus, als_dataset.queries, {"train": als_dataset.qrels["train"]})
    write_dataset_dir(tmp_path / "ds", empty)
    with pytest.raises(EmbedforgeError) as excinfo:
        compare(tmp_path / "ds", {"base": "bundled-minilm"}, tmp_path / "out", FAST)
    one_line_error(excinfo, "eval", "empty")


def test_name_given_twice() -> None:
    with pytest.raises(EmbedforgeError) as excinfo:
        parse_model_specs(["base=bundled", "tuned=models/a", "base=models/b"])
    one_line_error(excinfo, "'base'", "twice")
    assert parse_model_specs(["base=bundled", "models/run1/"]) == {"base": "bundled", "run1": "models/run1/"}


@pytest.mark.parametrize("item", ["=bundled", "base=", "bad name=bundled"])
def test_malformed_model_argument(item: str) -> None:
    with pytest.raises(EmbedforgeError) as excinfo:
        parse_model_specs([item])
    one_line_error(excinfo, repr(item))


def test_bm25_name_clash(dataset_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(EmbedforgeError) as excinfo:
        compare(dataset_dir, {"bm25": "bundled"}, tmp_path / "out", CompareSettings(bm25=True))
    one_line_error(excinfo, "bm25")


def test_handwritten_file(als_dataset: RetrievalDataset, tmp_path: Path) -> None:
    chunk_id = next(iter(als_dataset.corpus))
    path = tmp_path / "q.jsonl"
    path.write_text(
        json.dumps({"question": "What is ALS?", "chunk_id": chunk_id})
        + "\n"
        + json.dumps({"question": "Who was Lou Gehrig?", "answer": "LOU  GEHRIG'S disease"})
        + "\n"
    )
    found = load_handwritten(path, als_dataset)
    assert found.relevant[0] == {chunk_id} and len(found.relevant[1]) == 1
    path.write_text(json.dumps({"question": "Q?", "chunk_id": "c-unknown"}) + "\n")
    with pytest.raises(EmbedforgeError) as excinfo:
        load_handwritten(path, als_dataset)
    one_line_error(excinfo, "q.jsonl:1", "unknown chunk id")
    path.write_text(json.dumps({"question": "Q?", "answer": "text that appears nowhere"}) + "\n")
    with pytest.raises(EmbedforgeError) as excinfo:
        load_handwritten(path, als_dataset)
    one_line_error(excinfo, "q.jsonl:1", "in no chunk")
