"""The two ALS documents: clean, complete, bounded, deterministic chunks."""

from __future__ import annotations

import re
from pathlib import Path

from embedforge.corpus import ChunkSettings, chunk_documents, read_chunks
from embedforge.embedder import load_tokenizer, max_seq_length

FURNITURE = ("Skip to main content", "Search NINDS", "Main navigation",
             "official website of the United States government", "Did you find the content", "reCAPTCHA",
             "Last reviewed on")
MOJIBAKE = ("â€", "Â", "Ã")


def _normal(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


def test_no_furniture_mojibake_or_page_numbers(als_run) -> None:
    summary, path = als_run
    chunks = read_chunks(path)
    assert summary.documents_read == 2 and not summary.failures and len(chunks) == summary.chunks_kept
    for chunk in chunks:
        for phrase in FURNITURE + MOJIBAKE:
            assert phrase.lower() not in chunk.text.lower(), (phrase, chunk.text[:120])
        for line in chunk.text.splitlines():
            assert not re.fullmatch(r"\s*(page\s*)?\d{1,3}\s*", line, re.IGNORECASE), chunk.text[:120]
        assert chunk.source
        assert chunk.section or chunk.page


def test_chunks_fit_the_embedder(als_run) -> None:
    _, path = als_run
    tokenizer, limit = load_tokenizer("bundled"), max_seq_length("bundled")
    for chunk in read_chunks(path):
        assert len(tokenizer(chunk.text)["input_ids"]) <= limit


def test_article_text_is_all_there(als_run) -> None:
    _, path = als_run
    chunks = read_chunks(path)
    html = _normal(" ".join(c.text for c in chunks if c.source.endswith(".html")))
    pdf = _normal(" ".join(c.text for c in chunks if c.source.endswith(".pdf")))
    for sentence in (
        "formerly known as Lou Gehrig's disease, is a neurological disorder",
        "There is no single test that can definitely diagnose ALS.",
        "Riluzole (Rilutek) is an oral medication",
        "Scientists are turning adult skin and blood cells into stem cells",
        "For research articles and summaries on ALS, search PubMed, which contains citations",
        "The National ALS Registry collects, manages, and analyzes de-identified data",
    ):
        assert sentence in html, sentence
    for sentence in (
        "the first rule is to put on your own oxygen mask before you assist anyone else.",
        "you have a risk of dying that is 63 percent higher than that of people your age",
        "The first task in removing personal barriers to self-care is to identify what is in your way.",
        "Walking, one of the best and easiest exercises, is a great way to get started.",
        "- Learn and use stress-reduction techniques.",
        "1. Recognize warning signs early.",
    ):
        assert sentence in pdf, sentence


def test_sections_and_pages_are_recorded(als_run) -> None:
    _, path = als_run
    chunks = read_chunks(path)
    html_sections = {c.section for c in chunks if c.source.endswith(".html")}
    assert any("Sporadic and Familial ALS" in (s or "") for s in html_sections)
    pdf = [c for c in chunks if c.source.endswith(".pdf")]
    assert {c.page for c in pdf} >= {1, 5, 10}
    exercise = next(c for c in pdf if "Walking, one of the best" in c.text)
    assert exercise.page == 9 and exercise.section == "Tool #7: Starting to Exercise"


def test_two_runs_are_byte_identical(als_run, als_corpus: Path, tmp_path: Path) -> None:
    _, first = als_run
    chunk_documents([als_corpus], tmp_path, ChunkSettings())
    assert (tmp_path / "chunks.jsonl").read_bytes() == first.read_bytes()
