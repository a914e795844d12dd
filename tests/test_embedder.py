"""Model SPECs: bundled, folders, hub ids; offline hub ids fail fast in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedforge.embedder import load_embedder, load_tokenizer, max_seq_length, resolve_model
from embedforge.errors import EmbedforgeError

pytestmark = pytest.mark.slow  # runs a real model


@pytest.mark.parametrize(("spec", "limit"), [("bundled", 384), ("bundled-mpnet", 384), ("bundled-minilm", 256)])
def test_bundled_resolves_to_the_packaged_folder(spec: str, limit: int) -> None:
    folder = Path(resolve_model(spec))
    assert (folder / "modules.json").is_file()
    assert max_seq_length(spec) == limit
    assert load_tokenizer(spec)("hello world")["input_ids"]


def test_offline_hub_id_is_one_fast_line() -> None:
    with pytest.raises(EmbedforgeError) as info:
        load_embedder("Snowflake/snowflake-arctic-embed-l")
    message = str(info.value)
    # Raised by the up-front reachability check, not after the Hub client's retries.
    assert "the Hub cannot be reached" in message
    assert message.startswith("Snowflake/snowflake-arctic-embed-l: ")
    assert "use a local model folder or `bundled`" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda tmp: tmp / "missing" / "model", "folder not found"),
        (lambda tmp: tmp, "no model in this folder"),
        (lambda tmp: (tmp / "file.bin").write_bytes(b"x") and tmp / "file.bin", "must be a folder"),
    ],
)
def test_bad_local_specs(tmp_path: Path, make, expected: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EmbedforgeError, match=expected):
        resolve_model(str(make(tmp_path)))


def test_corrupt_model_folder_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "modules.json").write_text("not json", encoding="utf-8")
    with pytest.raises(EmbedforgeError) as info:
        load_embedder(str(tmp_path))
    assert "could not load the model" in str(info.value)
