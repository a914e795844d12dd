"""Main content by trafilatura: blog furniture never reaches a chunk, sections stay, fallback recorded."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from embedforge.commands.main import main
from embedforge.corpus import ChunkSettings, ParseLimits, chunk_documents, extract_documents, read_chunks
from embedforge.corpus.boilerplate import drop_boilerplate
from embedforge.corpus.document import Block
from embedforge.corpus.html import parse_html

SECTIONS = {
    "Work": ["This year I moved from the platform team to the data team, which meant learning a new stack "
             "and a new way of planning. The first three months were slow, but by the summer we had shipped "
             "the new ingestion service and cut the nightly batch from six hours to forty minutes.",
             "I also mentored two junior engineers. Watching them grow from careful first pull requests to "
             "owning whole features was the most rewarding part of my job this year."],
    "Reading": ["I read twenty-three books, fewer than last year, but more of them were long histories. The "
                "best was a history of the Hanseatic League that explained how a loose network of merchant "
                "towns ran the Baltic trade for three centuries without a central government.",
                "Fiction suffered: I started many novels and finished few. Next year I want to alternate "
                "one novel with one work of non-fiction to keep both habits alive."],
    "Running": ["I ran my first marathon in October, in four hours and eleven minutes. The training plan had "
                "four runs a week for sixteen weeks, and the long Sunday runs through the river valley became "
                "the quiet centre of my weekends."],
}
ARCHIVE = [str(year) for year in range(2024, 2008, -1)]
FURNITURE = ("More recent articles", "Part of series", "Previous:", "Next:", "Subscribe", "Colophon",
             "Starting 2024 with a plan", "static site generator", "2015", "Copyright")
SIDEBAR = ("<h3>More recent articles</h3><ul><li><a href='/a'>Starting 2024 with a plan</a></li>"
           "<li><a href='/b'>Notes on the marathon</a></li><li><a href='/c'>Moving teams</a></li></ul>"
           "<p>Part of series <a href='/s'>Annual reviews</a></p>"
           "<p>Previous: <a href='/p'>2022: a year in review</a></p>"
           "<p>Next: <a href='/n'>2024: a year in review</a></p>"
           "<h3>Archive</h3><ul>" + "".join(f"<li><a href='/{y}'>{y}</a></li>" for y in ARCHIVE) + "</ul>"
           "<p>Subscribe to new posts by email or RSS.</p>"
           "<h3>Colophon</h3><p>This site is written in Markdown, built by a small static site generator and "
           "served from a single virtual machine. The typeface is Charter.</p>")


def article(title: str) -> str:
    parts = [f"<h1>{title}</h1>", "<p>Every December I look back at the year: what went well, what did not, "
             "and what I want to change. This is the eleventh review of its kind on this blog.</p>"]
    for heading, paragraphs in SECTIONS.items():
        parts += [f"<h2>{heading}</h2>", *(f"<p>{text}</p>" for text in paragraphs)]
    return "".join(parts)


INLINE_SIDEBAR = ("<div>More recent articles <a>Starting 2024 with a plan</a> <a>Notes on the marathon</a> "
                  "<span>Part of series <a>Annual reviews</a></span> <span>Next: <a>2024: a year in review</a></span> "
                  "<span>Previous: <a>2022: a year in review</a></span> <span>Archive "
                  + " ".join(f"<a>{y}</a>" for y in ARCHIVE) + "</span> <span>Subscribe by RSS</span></div>")


def review_page(style: str) -> str:
    """An annual-review blog post: sidebar in the article's unmarked container, in <aside>, or deep down.

    ``deep``: below lxml's nesting limit, so the BeautifulSoup fallback reads it; ``inline``: deep too,
    with the sidebar's parts in inline elements (one block of text once extracted).
    """
    title = "A year in review"
    head = f"<!doctype html><html><head><title>{title} | Jo's notes</title></head><body>"
    if style == "plain":
        return head + f"<div id='wrap'><div>{article(title)}{SIDEBAR}</div></div></body></html>"
    if style == "semantic":
        return head + (f"<header><a href='/'>Jo's notes</a></header><main><article>{article(title)}</article>"
                       f"<aside>{SIDEBAR}</aside></main><footer><p>Copyright 2023 Jo</p></footer></body></html>")
    sidebar = INLINE_SIDEBAR if style == "inline" else SIDEBAR
    return head + "<div>" * 400 + article(title) + sidebar + "</div>" * 400 + "</body></html>"


@pytest.fixture(scope="module")
def review_chunks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list]:  # type: ignore[type-arg]
    """Each style chunked on its own (the same article thrice would be dropped as duplicates)."""
    folder = tmp_path_factory.mktemp("reviews")
    chunks = {}
    for style in ("plain", "semantic", "deep", "inline"):
        (folder / f"{style}.html").write_text(review_page(style), encoding="utf-8")
        out = folder / style
        summary = chunk_documents([folder / f"{style}.html"], out,
                                  ChunkSettings(min_tokens=10, limits=ParseLimits(isolate=False)))
        assert summary.failures == [] and summary.documents_read == 1
        chunks[style] = read_chunks(out / "chunks.jsonl")
    return chunks


@pytest.mark.parametrize("style", ["plain", "semantic", "deep", "inline"])
def test_blog_furniture_never_reaches_a_chunk(review_chunks, style: str) -> None:
    chunks = review_chunks[style]
    text = "\n".join(c.text for c in chunks)
    for phrase in FURNITURE:
        assert phrase.lower() not in text.lower(), (style, phrase)
    assert not any(re.fullmatch(r"[-\s\d]+", line) for line in text.splitlines())
    for paragraphs in SECTIONS.values():
        for paragraph in paragraphs:
            assert paragraph in text, (style, paragraph[:40])
    assert {c.section for c in chunks} <= {"A year in review", *SECTIONS}


@pytest.mark.parametrize("style", ["plain", "semantic"])
def test_sections_kept_as_headings_by_trafilatura(tmp_path: Path, style: str) -> None:
    page = tmp_path / "review.html"
    page.write_text(review_page(style), encoding="utf-8")
    document = parse_html(page, page.read_bytes())
    assert document.extractor == "trafilatura"
    assert document.title == "A year in review"
    for heading, paragraphs in SECTIONS.items():
        for paragraph in paragraphs:
            assert Block(text=paragraph, section=heading) in document.blocks, (heading, paragraph[:40])


def test_fallback_to_soup_is_taken_and_recorded(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    deep = tmp_path / "deep.html"
    deep.write_text(review_page("deep"), encoding="utf-8")
    with caplog.at_level(logging.DEBUG, logger="embedforge.corpus.html"):
        document = parse_html(deep, deep.read_bytes())
    assert document.extractor == "soup"  # trafilatura's lxml parse dropped what is below its nesting limit
    assert "deep.html: lxml kept" in caplog.text and "falling back to the BeautifulSoup extractor" in caplog.text
    assert Block(text=SECTIONS["Running"][0], section="Running") in document.blocks
    thread = tmp_path / "thread.html"  # trafilatura leaves comment threads out: it finds nothing here
    thread.write_text("<html><body><div class='comments'><p>" + SECTIONS["Work"][0] + "</p></div></body></html>")
    assert parse_html(thread, thread.read_bytes()).extractor == "soup"
    semantic = tmp_path / "semantic.html"
    semantic.write_text(review_page("semantic"), encoding="utf-8")
    assert parse_html(semantic, semantic.read_bytes()).extractor == "trafilatura"


def test_boilerplate_rules_spare_prose() -> None:
    prose = ("If you subscribe to the idea that fermentation is alchemy, the next part will annoy you: it is "
             "chemistry, and the previous paragraph explained why.")
    blocks = [Block(prose, "Feeding"), Block("Subscribe to our newsletter", "Feeding"),
              Block("Next: Rye loaves", "Feeding"), Block("- 2021", "Feeding", kind="item"),
              Block("- 2020", "Feeding", kind="item"), Block("- 2019", "Feeding", kind="item"),
              Block("The 2019 harvest was poor.", "Feeding"), Block("Anything at all", "Feeding > Related posts")]
    kept, dropped = drop_boilerplate(blocks)
    assert [b.text for b in kept] == [prose, "The 2019 harvest was poor."] and dropped == 6


def test_extract_writes_what_the_chunker_sees(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "review.html").write_text(review_page("semantic"), encoding="utf-8")
    (docs / "notes.md").write_text("# Starter notes\n\n## Feeding\n\n" + SECTIONS["Work"][0] + "\n\n- rye\n- wheat\n")
    (docs / "broken.html").write_bytes(b"")
    out = tmp_path / "out"
    assert main(["extract", str(docs), "--out", str(out)]) == 1  # done with a failure: exit 1, others written
    records = [json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["source"] for r in records] == ["docs/notes.md", "docs/review.html"]
    for record in records:
        assert set(record) == {"source", "title", "extractor", "text", "blocks"}
        assert all(set(block) == {"text", "section", "page", "kind"} for block in record["blocks"])
        lines = record["text"].split("\n")
        assert [line for line in lines if line in {b["text"] for b in record["blocks"]}] == \
            [b["text"] for b in record["blocks"]]
    notes, review = records
    assert notes["extractor"] == "md" and review["extractor"] == "trafilatura"
    assert {"text": "- rye", "section": "Feeding", "page": None, "kind": "item"} in notes["blocks"]
    assert review["title"] == "A year in review" and review["text"].split("\n")[1] == "Work"
    summary = extract_documents([docs / "review.html"], tmp_path / "again", ParseLimits(isolate=False))
    assert summary.ok and summary.extractors == {"trafilatura": 1}
    assert (tmp_path / "again" / "documents.jsonl").read_text().split("\n")[0] == \
        (out / "documents.jsonl").read_text().split("\n")[1].replace('"docs/review.html"', '"review.html"')


def test_leading_h1_is_the_title_not_a_section(tmp_path: Path) -> None:
    page = tmp_path / "og.html"  # og:title worded differently from the article's <h1>
    page.write_text("<html><head><meta property='og:title' content='Jo on 2023'></head><body><article>"
                    + article("A year in review") + "</article></body></html>", encoding="utf-8")
    document = parse_html(page, page.read_bytes())
    assert document.extractor == "trafilatura" and document.title == "Jo on 2023"
    assert {b.section for b in document.blocks} == {"Jo on 2023", *SECTIONS}
