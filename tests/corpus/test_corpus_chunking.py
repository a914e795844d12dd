"""Chunk sizes, sections, filters, and the parse worker's limits."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from embedforge.corpus import ChunkSettings, ParseLimits, chunk_documents, read_chunks
from embedforge.corpus import chunker as chunker_module
from embedforge.corpus.chunker import Chunker
from embedforge.corpus.document import Block, Document
from embedforge.corpus.filters import ChunkFilter, fingerprint
from embedforge.corpus.isolation import IsolatedParser
from embedforge.embedder import resolve_model
from embedforge.errors import EmbedforgeError

SENTENCE = "Glaciers move downhill under their own weight, scraping the bedrock and carrying boulders away. "


@pytest.fixture(scope="module")
def chunker() -> Chunker:
    return Chunker(ChunkSettings(chunk_tokens=60, overlap_tokens=5, tiny_section_tokens=15))


def _sentences(count: int, word: str) -> list[str]:
    return [f"{word} number {i} moves downhill under its own weight and scrapes the bedrock below it."
            for i in range(count)]


def test_long_sections_split_under_the_limit_and_never_straddle(chunker: Chunker) -> None:
    motion, erosion = _sentences(12, "Glacier"), _sentences(4, "Ice sheet")
    blocks = [Block(" ".join(motion), "Motion"), Block(" ".join(erosion), "Erosion")]
    doc = Document("g.md", "Glaciers", blocks)
    chunks = list(chunker.chunk(doc, "g.md"))
    assert len(chunks) >= 5
    assert all(chunker.tokens(c.text) <= 60 + 2 for c in chunks)
    for chunk in chunks:  # each chunk holds whole sentences of its own section only
        own = motion if chunk.section == "Motion" else erosion
        assert chunk.section in ("Motion", "Erosion")
        assert chunk.text.endswith(".") and all(s in own for s in chunk.text.replace(". ", ".|").split("|"))
    for sentence in motion + erosion:
        assert any(sentence in c.text for c in chunks)


def test_tiny_sections_merge_with_the_next(chunker: Chunker) -> None:
    doc = Document("g.md", "Glaciers", [Block("Ice is slow.", "Intro"), Block(SENTENCE.strip(), "Motion")])
    [chunk] = chunker.chunk(doc, "g.md")
    assert chunk.text == "Intro\nIce is slow.\n\n" + SENTENCE.strip() and chunk.section == "Motion"


def test_chunk_size_capped_by_model_limit() -> None:
    capped = Chunker(ChunkSettings(chunk_tokens=5000, overlap_tokens=20))
    assert capped.size <= capped.max_tokens - 2
    chunks = list(capped.chunk(Document("g", "G", [Block(SENTENCE * 80, "S")]), "g"))
    assert all(capped.tokens(c.text) <= capped.max_tokens for c in chunks)


def test_filters() -> None:
    keep = ChunkFilter(ChunkSettings())
    text = ("Valley glaciers form where winter snowfall exceeds summer melt for many years. The snow packs "
            "into firn and then into dense blue ice, which begins to flow under its own weight once it is "
            "thicker than about fifty metres. As it flows, it plucks rocks from the valley floor and grinds "
            "them into fine flour that turns meltwater lakes a milky turquoise colour.")
    assert keep.reason_to_drop("Too short.", 4) == "too_short"
    assert keep.reason_to_drop("Phone: (800) 445-8106, (415) 434-3388, fax (415) 434-3508 www.x.org", 40) \
        == "no_content"
    assert keep.reason_to_drop(text, 40) is None
    assert keep.reason_to_drop(text.upper(), 40) == "duplicate"
    assert keep.reason_to_drop(text.replace("milky turquoise", "milky green"), 40) == "near_duplicate"
    again = ChunkFilter(ChunkSettings())  # the same verdicts from fingerprints made elsewhere (a worker)
    made_elsewhere = [pickle.loads(pickle.dumps(fingerprint(t, 40, ChunkSettings())))
                      for t in (text, text.upper(), text.replace("milky turquoise", "milky green"))]
    assert [again.admit(p) for p in made_elsewhere] == [None, "duplicate", "near_duplicate"]
    assert keep.reason_to_drop("Sea ice forms when the ocean surface freezes in winter and thins in summer "
                               "as warm currents and sunlight melt it from below and above.", 40) is None


def test_markdown_headings_are_sections(tmp_path: Path) -> None:
    page = tmp_path / "notes.md"
    page.write_text(f"# Glaciers\n\n## Motion\n\n{SENTENCE}\nIt is **slow** and [well studied](http://x).\n\n"
                    f"## Erosion\n\n- {SENTENCE}\n- {SENTENCE.replace('Glaciers', 'Ice sheets')}\n")
    chunk_documents([page], tmp_path / "out", ChunkSettings(min_tokens=5, tiny_section_tokens=5))
    chunks = read_chunks(tmp_path / "out" / "chunks.jsonl")
    assert [c.section for c in chunks] == ["Motion", "Erosion"]
    assert chunks[0].title == "Glaciers" and "It is slow and well studied." in chunks[0].text
    assert chunks[1].text.startswith("- Glaciers move")


def test_worker_timeout_is_reported_and_the_next_document_still_parses(tmp_path: Path) -> None:
    page, slow = tmp_path / "a.txt", tmp_path / "slow.txt"
    page.write_text(SENTENCE, encoding="utf-8")
    slow.write_text((SENTENCE * 20 + "\n\n") * 2000, encoding="utf-8")  # 4 MB: seconds of cleaning
    with IsolatedParser(ParseLimits(timeout_s=0.01)) as parser, \
            pytest.raises(EmbedforgeError, match=r"slow\.txt: parsing took over 0\.01 s"):
        parser.parse(slow)
    with IsolatedParser(ParseLimits(timeout_s=60)) as parser:
        assert parser.parse(page).blocks[0].text == SENTENCE.strip()
        with pytest.raises(EmbedforgeError, match="file not found"):
            parser.parse(tmp_path / "missing.txt")
        assert parser.parse(page).title == "a"


def test_chunking_runs_in_the_worker_within_the_time_limit(tmp_path: Path) -> None:
    page, slow = tmp_path / "a.txt", tmp_path / "slow.txt"
    page.write_text(SENTENCE * 40, encoding="utf-8")
    slow.write_text((SENTENCE * 20 + "\n\n") * 2000, encoding="utf-8")
    settings = ChunkSettings(chunk_tokens=60, overlap_tokens=5)
    with IsolatedParser(ParseLimits(timeout_s=0.01), settings) as parser, \
            pytest.raises(EmbedforgeError, match=r"slow\.txt: parsing and chunking took over 0\.01 s"):
        parser.chunk(slow)
    with IsolatedParser(ParseLimits(timeout_s=60), settings) as worker, \
            IsolatedParser(ParseLimits(isolate=False), settings) as local:
        chunked = worker.chunk(page)
        assert len(chunked.chunks) > 1 and all(tokens <= 62 for _, tokens in chunked.chunks)
        assert chunked == local.chunk(page)
        # The worker fingerprints each chunk for the driver's filter: what the filter would compute itself.
        assert chunked.prints == [fingerprint(chunk.text, tokens, settings) for chunk, tokens in chunked.chunks]
        kept = [print_ for print_ in chunked.prints if print_.reason is None]  # the short tail chunk is too_short
        assert len(kept) > 1 and all(len(print_.signature) == 64 * 8 and print_.digest for print_ in kept)
        # What a relay (the Ray actor) passes on unopened is the same document.
        assert pickle.loads(worker.chunk_pickled(page)) == chunked == pickle.loads(local.chunk_pickled(page))


def test_worker_memory_cap(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text(("word " * 200 + "\n\n") * 60_000, encoding="utf-8")  # ~60 MB of text
    with IsolatedParser(ParseLimits(memory_mb=256, timeout_s=60)) as parser, \
            pytest.raises(EmbedforgeError, match=r"big\.txt"):
        parser.parse(big)


def test_in_process_chunking_loads_the_tokenizer_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "a.txt"
    page.write_text(" ".join(_sentences(30, "Glacier")), encoding="utf-8")
    loads: list[str] = []
    load = chunker_module.load_fast_tokenizer

    def counting_load(spec: str) -> object:
        loads.append(spec)
        return load(spec)

    monkeypatch.setattr(chunker_module, "load_fast_tokenizer", counting_load)
    settings = ChunkSettings(chunk_tokens=60, overlap_tokens=5, limits=ParseLimits(isolate=False))
    summary = chunk_documents([page], tmp_path / "out", settings)
    assert summary.chunks_kept > 1 and len(loads) == 1  # the fail-fast load is the one that chunks


def _mapped(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text(encoding="utf-8")


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads the worker's mapped libraries from /proc")
def test_workers_count_tokens_without_importing_torch(tmp_path: Path, chunker: Chunker) -> None:
    page = tmp_path / "a.txt"
    page.write_text(" ".join(_sentences(30, "Glacier")), encoding="utf-8")
    settings = chunker.settings
    with IsolatedParser(ParseLimits(timeout_s=60), settings, tokenizer=chunker.tokenizer) as given, \
            IsolatedParser(ParseLimits(timeout_s=60), settings) as by_name, \
            IsolatedParser(ParseLimits(timeout_s=60), settings, tokenizer=b"not a pickle") as unpicklable:
        chunked = given.chunk(page)
        assert len(chunked.chunks) > 1 and chunked == by_name.chunk(page) == unpicklable.chunk(page)
        for parser in (given, by_name, unpicklable):  # the Rust tokenizer, given or read from tokenizer.json
            assert "libtorch" not in _mapped(parser._process.pid)
    # The control: a model without tokenizer.json is loaded through transformers, which maps libtorch.
    model = tmp_path / "model"
    model.mkdir()
    for entry in Path(resolve_model(settings.embedder)).iterdir():
        if entry.name != "tokenizer.json":
            (model / entry.name).symlink_to(entry)
    with IsolatedParser(ParseLimits(timeout_s=60), dataclasses.replace(settings, embedder=str(model))) as built:
        assert built.chunk(page).chunks == chunked.chunks
        assert "libtorch" in _mapped(built._process.pid)


def test_one_endless_word_is_cut_to_the_model_limit_in_its_own_characters(chunker: Chunker) -> None:
    word = "-".join(["GlacierMoves"] * 400)  # no space to cut at: the guard truncates it
    assert chunker.tokens(word) > chunker.max_tokens
    [piece] = chunker._enforce_limit(word)
    assert word.startswith(piece) and chunker.max_tokens - 3 <= chunker.tokens(piece) <= chunker.max_tokens
