"""Bad input is a one-line error before any training starts (no checkpoint is ever written)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from embedforge.dataset.layout import RetrievalDataset, load_dataset_dir, write_dataset_dir
from embedforge.errors import EmbedforgeError
from embedforge.training import TrainSettings, train


def _fails(dataset: Path, out: Path, match: str, **settings: object) -> str:
    with pytest.raises(EmbedforgeError, match=match) as caught:
        train(dataset, out, TrainSettings(device="cpu", **settings))  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message
    assert not (out / "checkpoints").exists(), "training started before the check"
    return message


def _copy(small_dataset: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(small_dataset, tmp_path / "dataset"))


def test_empty_dataset(tmp_path: Path) -> None:
    write_dataset_dir(tmp_path / "ds", RetrievalDataset(corpus={}, queries={}))
    _fails(tmp_path / "ds", tmp_path / "out", "no chunks")


def test_no_train_pairs(small_dataset: Path, tmp_path: Path) -> None:
    data = load_dataset_dir(small_dataset)
    data.qrels["train"] = {}
    write_dataset_dir(tmp_path / "ds", data)
    _fails(tmp_path / "ds", tmp_path / "out", "no train pairs")


def test_no_dev_split_keeps_the_last_epoch_and_the_rule_alpha(small_dataset: Path, tmp_path: Path) -> None:
    from embedforge.training.interpolation import RULE_ALPHA

    data = load_dataset_dir(small_dataset)
    data.qrels["dev"] = {}
    write_dataset_dir(tmp_path / "ds", data)
    result = train(tmp_path / "ds", tmp_path / "out", TrainSettings(base_model="bundled-minilm", device="cpu",
                                                                    batch_size=5, epochs=2))
    assert (result.alpha, result.alpha_chosen_by, result.best_epoch) == (RULE_ALPHA, "rule", 2.0)
    assert result.best_metrics == {}
    log = [json.loads(line) for line in (tmp_path / "out" / "training_log.jsonl").read_text("utf-8").splitlines()]
    assert [(r["epoch"], r["metrics"]) for r in log] == [(1.0, {}), (2.0, {})] and all(r["loss"] > 0 for r in log)
    selection = json.loads((tmp_path / "out" / "selection.json").read_text(encoding="utf-8"))
    assert selection["checkpoint"]["chosen_by"] == "rule (last epoch, no dev split)"
    assert selection["eval_split_used"] is False


def test_missing_folder(tmp_path: Path) -> None:
    _fails(tmp_path / "nowhere", tmp_path / "out", "not found")


def test_folder_of_another_layout(small_dataset: Path, tmp_path: Path) -> None:
    # A chunks-only folder (the corpus stage's output) is not a dataset.
    (tmp_path / "chunks").mkdir()
    (tmp_path / "chunks" / "chunks.jsonl").write_text('{"id": "a", "text": "x"}\n', encoding="utf-8")
    _fails(tmp_path / "chunks", tmp_path / "out", "not an embedforge dataset")
    # BEIR-like files whose records use other field names.
    ds = _copy(small_dataset, tmp_path)
    rows = [json.loads(line) for line in (ds / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    (ds / "corpus.jsonl").write_text(
        "".join(json.dumps({"_id": r["_id"], "contents": r["text"]}) + "\n" for r in rows), encoding="utf-8"
    )
    _fails(ds, tmp_path / "out", "no text")


def test_a_batch_larger_than_the_train_split_is_clamped_with_one_warning(
        small_dataset: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from embedforge.training.data import fitting_batch, load_training_data

    pairs = load_dataset_dir(small_dataset).pairs("train")
    chunks = len({c for _, c in pairs})
    with caplog.at_level(logging.WARNING, logger="embedforge"):
        assert load_training_data(small_dataset, chunks + 1).batch_size == chunks
        assert load_training_data(small_dataset, chunks).batch_size == chunks
    assert [r.getMessage() for r in caplog.records] == [
        f"--batch-size {chunks + 1}: the train split of {small_dataset} has {chunks} distinct chunks/questions, "
        f"so batches hold {chunks} pairs; add documents for larger batches"]
    assert fitting_batch(small_dataset, pairs, chunks, world_size=2) == chunks // 2


def test_a_train_split_too_small_for_any_batch(small_dataset: Path, tmp_path: Path) -> None:
    data = load_dataset_dir(small_dataset)
    first = next(iter(data.qrels["train"]))
    data.qrels["train"] = {first: data.qrels["train"][first]}
    write_dataset_dir(tmp_path / "ds", data)
    message = _fails(tmp_path / "ds", tmp_path / "out", "a batch needs at least 2")
    assert message.startswith(f"{tmp_path / 'ds'}/qrels/train.tsv: 1 distinct chunks/questions in the train split")


def test_unknown_model_folder(small_dataset: Path, tmp_path: Path) -> None:
    _fails(small_dataset, tmp_path / "out", "folder not found", base_model=str(tmp_path / "no-model"))


def test_hub_id_while_offline(small_dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants

    # The hub reads HF_HUB_OFFLINE once, at import, maybe before conftest set it: set it as it would be.
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    message = _fails(small_dataset, tmp_path / "out", "offline", base_model="no-such-org/no-such-model")
    assert "bundled" in message


def test_dims_the_model_cannot_serve(small_dataset: Path, tmp_path: Path) -> None:
    _fails(small_dataset, tmp_path / "out", "outputs 384 dims", base_model="bundled-minilm", dims=(768, 384))


def test_leftover_checkpoints_of_other_settings_are_refused(small_dataset: Path, tmp_path: Path) -> None:
    from embedforge.training.checkpoints import write_marker

    folder = tmp_path / "out" / "checkpoints" / "checkpoint-3"
    folder.mkdir(parents=True)
    write_marker(folder, "another configuration", 3, 1.0)  # without --resume, the same settings would continue
    with pytest.raises(EmbedforgeError, match="other settings, dataset or base model"):
        train(small_dataset, tmp_path / "out", TrainSettings(device="cpu"))


def test_resume_refuses_a_checkpoint_without_marker(small_dataset: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out" / "checkpoints" / "checkpoint-3"
    folder.mkdir(parents=True)
    (folder / "trainer_state.json").write_text("{}", encoding="utf-8")
    with pytest.raises(EmbedforgeError, match="resumes only from checkpoints it wrote"):
        train(small_dataset, tmp_path / "out", TrainSettings(device="cpu", resume=True))
    with pytest.raises(EmbedforgeError, match="no checkpoint to resume"):
        train(small_dataset, tmp_path / "empty", TrainSettings(device="cpu", resume=True))
