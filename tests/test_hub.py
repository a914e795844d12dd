"""``embedforge push``: offline it is one line and exit 2, never a traceback; bad folders are refused first.

The upload path itself is not run: ``huggingface_hub`` has no local or offline Hub to upload to
(its offline mode only refuses), and this project tests against no fake server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from embedforge.dataset import import_dataset
from embedforge.errors import EmbedforgeError
from embedforge.hub import folder_kind, push_folder

PAIRS = {
    "queries": {"q1": "What does riluzole do?", "q2": "What helps breathing at night?"},
    "corpus": {"a": "Riluzole is believed to reduce damage to motor neurons.",
               "b": "Noninvasive ventilation helps people with ALS breathe at night."},
    "relevant_docs": {"q1": ["a"], "q2": ["b"]},
    "mode": "text",
}


@pytest.fixture()
def dataset_folder(tmp_path: Path) -> Path:
    source = tmp_path / "pairs.json"
    source.write_text(json.dumps(PAIRS), encoding="utf-8")
    import_dataset(source, None, tmp_path / "ds")
    return tmp_path / "ds"


def test_offline_push_is_one_line_and_exit_2(dataset_folder: Path) -> None:
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "HF_HUB_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-m", "embedforge", "push", str(dataset_folder), "someone/als-pairs"],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "someone/als-pairs" in lines[0] and "HF_HUB_OFFLINE" in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_the_folder_kind_picks_the_repo_type(dataset_folder: Path, tmp_path: Path) -> None:
    assert folder_kind(dataset_folder) == "dataset"
    model = tmp_path / "model"
    model.mkdir()
    (model / "modules.json").write_text("[]", encoding="utf-8")
    assert folder_kind(model) == "model"


@pytest.mark.parametrize("what", ["missing", "empty", "bad-repo"])
def test_bad_input_is_refused_before_any_upload(what: str, dataset_folder: Path, tmp_path: Path) -> None:
    folder = {"missing": tmp_path / "nope", "empty": tmp_path}[what] if what != "bad-repo" else dataset_folder
    with pytest.raises(EmbedforgeError) as excinfo:
        push_folder(folder, "a/b/c" if what == "bad-repo" else "someone/x")
    assert "\n" not in str(excinfo.value)
