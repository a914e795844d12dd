"""One name for the embedder in a configuration: ``model`` in every section, the old keys read for a release.

The rename is the file's only: the settings fields, their fingerprints and so every stage key are
what they were, so an existing run folder redoes nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from embedforge.corpus.settings import ChunkSettings
from embedforge.dataset.settings import DatasetSettings
from embedforge.errors import EmbedforgeError
from embedforge.pipeline.config import RunConfig, config_from_dict, load_config
from embedforge.pipeline.config_keys import MODEL_FIELDS
from embedforge.pipeline.stages import STAGES
from embedforge.pipeline.state import StageContext
from embedforge.training.settings import TrainSettings

SPEC = "bundled-minilm"


def _keys(config: RunConfig) -> dict[str, str]:
    context = StageContext(files=[], state={s.name: {"output": f"out-{s.name}"} for s in STAGES})
    return {stage.name: stage.key(config, context) for stage in STAGES}


def test_the_rename_changes_no_fingerprint_and_no_stage_key() -> None:
    new = config_from_dict({section: {"model": SPEC} for section in MODEL_FIELDS})
    old = config_from_dict({section: {name: SPEC} for section, name in MODEL_FIELDS.items()})
    python = RunConfig(chunk=ChunkSettings(embedder=SPEC), dataset=DatasetSettings(roundtrip_model=SPEC),
                       train=TrainSettings(base_model=SPEC))
    for section, name in MODEL_FIELDS.items():
        fingerprint = getattr(new, section).fingerprint()
        assert fingerprint == getattr(old, section).fingerprint() == getattr(python, section).fingerprint()
        assert fingerprint[name] == SPEC and "model" not in fingerprint  # hashed under the field's own name
    assert _keys(new) == _keys(old) == _keys(python) == _keys(config_from_dict({"model": SPEC}))


def test_a_section_s_model_beats_the_top_level_one() -> None:
    config = config_from_dict({"model": "models/mine", "train": {"model": "other"}})
    assert (config.chunk.embedder, config.dataset.roundtrip_model, config.train.base_model) == \
        ("models/mine", "models/mine", "other")


def test_an_old_key_is_read_with_one_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "run.toml"
    path.write_text(f'[train]\nbase_model = "{SPEC}"\n', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="embedforge"):
        assert load_config(path).train.base_model == SPEC
    assert [r.getMessage() for r in caplog.records] == \
        [f"{path} [train] base_model: an old name, read until the next release; call it model"]
    # --set with the new name replaces the file's old one (no conflict); --set with an old name still works.
    assert load_config(path, ["train.model=other"]).train.base_model == "other"
    assert load_config(path, ["dataset.roundtrip_model=other"]).dataset.roundtrip_model == "other"


def test_both_names_in_one_section_is_one_line() -> None:
    with pytest.raises(EmbedforgeError, match=r"^f\.toml \[chunk\]: both 'model' and its old name 'embedder' are "
                                              r"given; keep 'model' and delete 'embedder'$"):
        config_from_dict({"chunk": {"model": SPEC, "embedder": SPEC}}, where="f.toml")


@pytest.mark.parametrize(("table", "says"), [
    ({"train": {"modle": SPEC}}, "[train]: unknown setting 'modle'; did you mean 'model'? known: alpha,"),
    ({"dataset": {"model": 3}}, "[dataset] model: expected str, got 3"),
    ({"dataset": {"model": " "}}, "[dataset] model: empty model spec"),
])
def test_errors_name_the_key_the_file_uses(table: dict[str, dict[str, object]], says: str) -> None:
    with pytest.raises(EmbedforgeError) as caught:
        config_from_dict(table, where="f.toml")
    assert str(caught.value).startswith(f"f.toml {says}")
    assert "roundtrip_model" not in str(caught.value) and "base_model" not in str(caught.value)
