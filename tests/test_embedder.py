"""Model SPECs: bundled, folders, hub ids; offline hub ids fail fast in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedforge.embedder import load_embedder, load_fast_tokenizer, load_tokenizer, max_seq_length, resolve_model
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


TRICKY = ("Amyotrophic lateral sclerosis (ALS), Lou Gehrig’s disease; naïve café, ÉCOLE, straße",
          "東京 и Москва 😀 <b>tags</b> https://example.org/a_b?c=d&e=%20 [CLS] <mask> ## \t\n  spaces  ",
          "riluzole " * 300)  # far past the 128 tokens a sentence-transformers tokenizer.json truncates at


@pytest.mark.parametrize("spec", ["bundled", "bundled-minilm"])
def test_the_fast_tokenizer_counts_as_transformers_does(spec: str, als_corpus: Path) -> None:
    from embedforge.corpus.loader import parse_document
    from embedforge.corpus.settings import ParseLimits

    fast, reference = load_fast_tokenizer(spec), load_tokenizer(spec)
    blocks = [block.text for path in sorted(als_corpus.iterdir()) for block in
              parse_document(path, ParseLimits(isolate=False)).blocks]
    assert len(blocks) > 50
    for text in (*TRICKY, *blocks, "\n\n".join(blocks)):
        assert fast.encode(text).ids == reference(text, truncation=False)["input_ids"], text[:80]
        assert len(fast.encode(text, add_special_tokens=False).ids) == len(reference.tokenize(text))
    assert fast.num_special_tokens_to_add(False) == reference.num_special_tokens_to_add(pair=False) == 2


def test_a_model_without_tokenizer_json_gets_transformers_backend(tmp_path: Path) -> None:
    source = Path(resolve_model("bundled-minilm"))
    for entry in source.iterdir():  # the model minus its tokenizer.json: transformers builds it from vocab.txt
        if entry.name != "tokenizer.json":
            (tmp_path / entry.name).symlink_to(entry)
    built, read = load_fast_tokenizer(str(tmp_path)), load_fast_tokenizer("bundled-minilm")
    for text in TRICKY:
        assert built.encode(text).ids == read.encode(text).ids
