"""An interrupted, then killed ``embedforge train`` is finished by running the same command again.

One command, run three times (the moments are exact, see ``train_kill.py``, not timed):

1. Ctrl-C after epoch 1's checkpoint is complete: exit 130 with "rerun the same command to
   resume", and no progress bar on a pipe (the Trainer's and the weight loader's were drawn).
2. The same command continues from that checkpoint (it used to exit 2 asking for ``--resume``)
   and is SIGKILLed during the final save, after some of the model's files were moved into
   place: the folder must not look finished (``modules.json`` is written last; it used to be
   moved before ``sentence_bert_config.json``, so the rerun said "already holds a finished model").
3. The same command finishes it: the whole model, its card and ``selection.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from train_kill import embedforge, stopped, tiny_dataset, train_args

pytestmark = pytest.mark.slow

RESUME_LINE = "interrupted; rerun the same command to resume"


def test_interrupted_then_killed_train_is_finished_by_the_same_command(tmp_path: Path) -> None:
    out = tmp_path / "model"
    args = train_args(tiny_dataset(tmp_path / "dataset"), out, epochs=2)
    # Ctrl-C as epoch 2's checkpoint is marked (2 steps an epoch): the signal is raised in the audit hook,
    # so that marker is never written and epoch 1's checkpoint is the last complete one.
    first = stopped("SIGINT", "checkpoint-4/embedforge_checkpoint.json", args, tmp_path)
    assert first.returncode == 130, first.stderr[-3000:]
    assert first.stderr.strip().splitlines()[-1] == RESUME_LINE
    assert "\r" not in first.stderr and "it/s]" not in first.stderr  # no progress bar on a pipe
    assert not (out / "modules.json").exists()

    # The same command continues, and is killed as the model's files are moved from staging into OUT.
    killed = stopped("SIGKILL", ".model.tmp/sentence_bert_config.json", args, tmp_path)
    assert killed.returncode == -9, killed.stderr[-3000:]
    assert "continuing the interrupted training" in killed.stderr, killed.stderr[-3000:]
    assert (out / ".model.tmp" / "sentence_bert_config.json").is_file(), "not killed during the move"
    assert not (out / "modules.json").exists(), "a folder that looks finished but is not"

    again = embedforge(args, tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    names = {path.name for path in out.iterdir()}
    assert {"modules.json", "sentence_bert_config.json", "selection.json", "README.md", "tokenizer.json",
            "model.safetensors", "training_log.jsonl"} <= names
    assert not names & {".model.tmp", "checkpoints"}
    assert json.loads((out / "sentence_bert_config.json").read_text())  # whole, as every file listed above
    assert json.loads((out / "tokenizer_config.json").read_text())["model_max_length"] == 256  # not 512
    assert [m["path"] for m in json.loads((out / "modules.json").read_text())] == ["", "1_Pooling", "2_Normalize"]
    epochs = [json.loads(line)["epoch"] for line in (out / "training_log.jsonl").read_text().splitlines()]
    assert epochs == [1.0, 2.0]
    assert "embedforge training" in (out / "README.md").read_text(encoding="utf-8")
