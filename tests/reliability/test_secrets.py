"""Secrets never reach an output: a planted OPENAI_API_KEY and an ``api_key`` in a configuration.

A whole tiny run talks to a real llama.cpp server through ``openai-compatible`` (so
the planted key is really sent, as the bearer token) with every logger at DEBUG
into a file; then every byte the run wrote (run folder, dataset and model cards,
manifests, the written configuration, the report, the LLM cache, the log) is
searched for the key. A configuration that carries an ``api_key`` is refused in
one line that does not echo it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from tiny_run import write_tiny_config

from embedforge.errors import EmbedforgeError
from embedforge.pipeline.config import load_config

pytestmark = pytest.mark.slow

KEY = "sk-planted-0123456789abcdefSECRET"
CONFIG_KEY = "sk-in-config-9876543210SECRET"


def test_planted_key_appears_in_no_output(tmp_path: Path, tiny_corpus: Path, llama_server_url: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from embedforge.pipeline.execute import run

    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("EMBEDFORGE_CACHE", str(tmp_path / "llm.sqlite"))
    config_path = write_tiny_config(tmp_path / "tiny.toml", tiny_corpus, tmp_path / "runs",
                                    generate=f'llm = "openai-compatible:gemma@{llama_server_url}/v1"\n'
                                             "completions = true\nmax_tokens = 24")
    log_file = tmp_path / "debug.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        result = run(load_config(config_path))
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
    assert set(result.ran) == {"chunk", "dataset", "train", "compare"}
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    names = {p.name for p in written}
    assert {"config.json", "manifest.json", "README.md", "metrics.json", "llm.sqlite", "debug.log"} <= names
    assert log_file.stat().st_size > 0
    leaks = [str(p) for p in written if KEY.encode() in p.read_bytes() or KEY[:20].encode() in p.read_bytes()]
    assert leaks == []


def test_api_key_in_a_configuration_is_refused_without_echoing_it(tmp_path: Path, tiny_corpus: Path) -> None:
    for section in ("", "[generate]\n"):
        path = tmp_path / "with-key.toml"
        path.write_text(f'{section}api_key = "{CONFIG_KEY}"\n', encoding="utf-8")
        with pytest.raises(EmbedforgeError, match="api_key") as info:
            load_config(path)
        assert CONFIG_KEY not in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(EmbedforgeError) as info:
        load_config(write_tiny_config(tmp_path / "t.toml", tiny_corpus, tmp_path / "runs"),
                    [f"generate.api_key={CONFIG_KEY}"])
    assert CONFIG_KEY not in str(info.value)


def test_written_configuration_redacts_secret_fields() -> None:
    from embedforge.pipeline.config import scrub_secrets

    scrubbed = scrub_secrets({"generate": {"api_key": CONFIG_KEY, "llm": "openai:gpt-4o-mini"},
                              "hub": [{"token": CONFIG_KEY}]})
    assert CONFIG_KEY not in repr(scrubbed) and scrubbed["generate"]["llm"] == "openai:gpt-4o-mini"
