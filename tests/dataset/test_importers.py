"""Import of LlamaIndex and reference-notebook JSON, export to LlamaIndex, and the round trip."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from embedforge.dataset import DatasetSettings, export_dataset, import_dataset, load_dataset_dir
from embedforge.errors import EmbedforgeError
from embedforge.fingerprint import text_hash


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_import_llamaindex_train_and_eval_files(pair_files: dict[str, Path], tmp_path: Path) -> None:
    train, evald = _load(pair_files["li_train"]), _load(pair_files["li_eval"])
    summary = import_dataset(pair_files["li_train"], pair_files["li_eval"], tmp_path / "ds")
    ds = load_dataset_dir(tmp_path / "ds")

    union = set(train["corpus"].values()) | set(evald["corpus"].values())
    assert {row["text"] for row in ds.corpus.values()} == union
    assert len(ds.corpus) == len(union) < len(train["corpus"]) + len(evald["corpus"])  # overlap merged
    assert set(ds.corpus) == {text_hash(t) for t in union}  # re-keyed by content
    assert sorted(ds.split_queries("train").values()) == sorted(train["queries"].values())
    assert sorted(ds.split_queries("eval").values()) == sorted(evald["queries"].values())
    for split, payload in (("train", train), ("eval", evald)):
        expected = {(q, payload["corpus"][d]) for q_id, q in payload["queries"].items()
                    for d in payload["relevant_docs"][q_id]}
        assert set(ds.pairs(split)) == expected
    assert (summary.train_queries, summary.eval_queries) == (len(train["queries"]), len(evald["queries"]))
    assert summary.chunks == len(union)


def test_import_reference_single_file_splits_by_chunk(pair_files: dict[str, Path], tmp_path: Path) -> None:
    ref = _load(pair_files["reference"])
    settings = DatasetSettings(eval_fraction=0.2)
    summary = import_dataset(pair_files["reference"], None, tmp_path / "ds", settings)
    ds = load_dataset_dir(tmp_path / "ds")

    assert len(ds.corpus) == len(ref["corpus"])
    assert len(ds.queries) == len(ref["questions"])
    train_chunks = {c for rel in ds.qrels["train"].values() for c in rel}
    eval_chunks = {c for rel in ds.qrels["eval"].values() for c in rel}
    assert not train_chunks & eval_chunks
    assert len(eval_chunks) == round(0.2 * len(ref["corpus"]))
    assert summary.questions == len(ds.qrels["train"]) + len(ds.qrels["eval"]) == len(ref["questions"])
    manifest = _load(tmp_path / "ds" / "manifest.json")
    assert manifest["kind"] == "import"
    digest = hashlib.sha256(pair_files["reference"].read_bytes()).hexdigest()
    assert manifest["inputs"]["files"] == {str(pair_files["reference"]): digest}


def test_export_then_import_round_trips(pair_files: dict[str, Path], tmp_path: Path) -> None:
    import_dataset(pair_files["li_train"], pair_files["li_eval"], tmp_path / "a")
    files = export_dataset(tmp_path / "a", tmp_path / "export", format="llamaindex")
    assert [f.name for f in files] == ["train.json", "eval.json"]
    exported = _load(files[1])
    assert set(exported) == {"queries", "corpus", "relevant_docs", "mode"}
    assert len(exported["corpus"]) == len(load_dataset_dir(tmp_path / "a").corpus)  # eval searches everything

    import_dataset(files[0], files[1], tmp_path / "b")
    a, b = load_dataset_dir(tmp_path / "a"), load_dataset_dir(tmp_path / "b")
    assert a.corpus_texts() == b.corpus_texts()
    assert {q: r["text"] for q, r in a.queries.items()} == {q: r["text"] for q, r in b.queries.items()}
    assert a.qrels == b.qrels


def test_llamaindex_library_reads_the_export(pair_files: dict[str, Path], tmp_path: Path) -> None:
    finetune = pytest.importorskip("llama_index.core.evaluation", reason="llama-index-core not installed")
    import_dataset(pair_files["li_train"], None, tmp_path / "a")
    files = export_dataset(tmp_path / "a", tmp_path / "export")
    loaded = finetune.EmbeddingQAFinetuneDataset.from_json(str(files[0]))
    assert len(loaded.queries) == len(load_dataset_dir(tmp_path / "a").qrels["train"])


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("not json", "not JSON"),
        ('{"queries": {}, "corpus": {}}', "unknown format"),
        ('{"queries": {"q": "Why?"}, "corpus": {"a": "x"}, "relevant_docs": {"q": ["b"]}}', "not in the"),
        ('{"queries": {"q": "Why?"}, "corpus": {"a": "text"}, "relevant_docs": {}}', "nothing to import"),
    ],
)
def test_import_rejects_bad_files_with_one_line(tmp_path: Path, payload: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(payload, encoding="utf-8")
    with pytest.raises(EmbedforgeError, match=message) as info:
        import_dataset(bad, None, tmp_path / "out")
    assert "\n" not in str(info.value) and str(bad) in str(info.value)


def test_export_rejects_unknown_format(pair_files: dict[str, Path], tmp_path: Path) -> None:
    import_dataset(pair_files["reference"], None, tmp_path / "a")
    with pytest.raises(EmbedforgeError, match="unknown export format"):
        export_dataset(tmp_path / "a", tmp_path / "x", format="csv")
