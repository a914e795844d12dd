"""Run configuration: TOML sections become the stages' settings; overrides keep types; errors are one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedforge.errors import EmbedforgeError
from embedforge.pipeline.config import load_config, parse_value, scrub_secrets, to_dict

REPO = Path(__file__).resolve().parents[1]


def test_offline_config_builds_every_stage_settings() -> None:
    config = load_config(REPO / "configs" / "als-offline.toml")
    assert config.name == "demo"
    assert config.generate.llm == "bundled"
    assert config.train.base_model == "bundled"
    assert (config.train.batch_size, config.train.epochs, config.train.learning_rate) == (10, 1, 1e-4)
    assert (config.generate.questions_per_chunk, config.generate.greedy_prompt) == (5, "default")
    assert config.dataset.dev_fraction == 0.2 and config.train.alpha is None
    assert config.compare.bm25 is True
    assert config.run_dir == Path("runs") / "demo"


def test_reference_config_is_the_reference_recipe() -> None:
    config = load_config(REPO / "configs" / "als-reference.toml")
    assert config.generate.llm == "openai:gpt-4o-mini"
    assert config.generate.questions_per_chunk == 2
    assert config.train.base_model == "Snowflake/snowflake-arctic-embed-l"
    assert config.train.dims == (768, 512, 256, 128, 64)


def test_overrides_keep_their_types() -> None:
    config = load_config(
        REPO / "configs" / "als-offline.toml",
        ["train.epochs=3", "train.dims=[384, 128]", "generate.temperature=0.5", "name=other", "compare.bm25=false"],
    )
    assert config.train.epochs == 3
    assert config.train.dims == (384, 128)
    assert config.generate.temperature == 0.5
    assert config.name == "other"
    assert config.compare.bm25 is False


def test_bare_words_are_strings() -> None:
    assert parse_value("bundled") == "bundled"
    assert parse_value("openai:gpt-4o-mini") == "openai:gpt-4o-mini"
    assert parse_value("3") == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[train]\nepochz = 3\n', "unknown setting 'epochz'"),
        ('[trian]\nepochs = 3\n', "unknown key 'trian'"),
        ('[train]\nepochs = "many"\n', "train] epochs: expected int"),
        ("[train\n", "invalid TOML"),
    ],
)
def test_bad_configuration_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EmbedforgeError) as info:
        load_config(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(EmbedforgeError, match=r"nope\.toml: configuration file not found"):
        load_config(tmp_path / "nope.toml")


def test_bad_override_says_the_form() -> None:
    with pytest.raises(EmbedforgeError, match=r"SECTION\.KEY=VALUE"):
        load_config(REPO / "configs" / "als-offline.toml", ["train.epochs"])


def test_secrets_are_removed_but_token_counts_are_kept() -> None:
    data = {"generate": {"api_key": "sk-secret", "max_tokens": 64}, "openai_api_key": "sk-2", "tokens_in": 5}
    clean = scrub_secrets(data)
    assert clean["generate"]["api_key"] == "***"
    assert clean["openai_api_key"] == "***"
    assert clean["generate"]["max_tokens"] == 64
    assert clean["tokens_in"] == 5
    assert "sk-" not in str(to_dict(data))


def test_example_questions_are_relative_to_the_configuration_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                   ) -> None:
    folder = tmp_path / "configs"
    folder.mkdir()
    (folder / "run.toml").write_text('[generate]\nexamples = "../evals/mine.jsonl"\n', encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")  # run from another folder: the file's own folder counts
    config = load_config(folder / "run.toml", [])
    assert Path(config.generate.examples or "").resolve() == (tmp_path / "evals" / "mine.jsonl").resolve()
