"""HTML pages the loader has never seen: a blog with boilerplate, a lying charset, deep nesting."""

from __future__ import annotations

from pathlib import Path

from embedforge.corpus import ChunkSettings, chunk_documents, read_chunks
from embedforge.corpus.html import parse_html

BODY = [
    "Sourdough starters are colonies of wild yeast and lactic acid bacteria that live in a paste of flour "
    "and water. Feeding the starter twice a day keeps the population active and the flavour mild.",
    "A healthy starter doubles in volume within six hours of a feeding. If it does not rise, move it to a "
    "warmer spot, between 24 and 27 degrees Celsius, and feed it with whole-grain rye flour for a few days.",
    "Hydration matters more than most bakers expect. A stiff starter at fifty percent hydration ferments "
    "slowly and tastes more acidic, while a liquid starter ferments fast and tastes of yoghurt.",
]
BOILER = ["Home", "About us", "Subscribe to our newsletter", "Share on Facebook", "Tags: bread, yeast",
          "Copyright 2024 Crumb Media", "Recent posts", "Archives: March 2024"]


def blog_page(charset: str = "utf-8") -> str:
    paras = "".join(f"<p>{text}</p>" for text in BODY[1:])
    return f"""<!doctype html><html><head><meta charset="{charset}"><title>Starter care | Crumb</title>
<style>.x{{color:red}}</style><script>var tracking = "Share on Facebook";</script></head><body>
<div class="site-header"><a href="/">Home</a> <a href="/about">About us</a></div>
<div class="topnav"><ul><li><a href="/">Home</a></li><li><a href="/b">Bread</a></li></ul></div>
<div class="wrapper"><div class="post">
<h1>Caring for a sourdough starter</h1>
<div class="post-meta">By Ann Baker, March 3, 2024</div>
<h2>Feeding</h2><p>{BODY[0].replace("wild yeast", "<a href='/y'>wild yeast</a>")}</p>
<h2>Signs of a healthy starter</h2>{paras}
<div class="share-buttons"><a>Share on Facebook</a> <a>Share on X</a></div>
<div class="post-tags">Tags: <a>bread</a>, <a>yeast</a></div>
</div>
<div class="sidebar"><h3>Recent posts</h3><ul><li><a>Rye loaves</a></li><li><a>Baguettes</a></li></ul>
<h3>Archives</h3><ul><li><a>Archives: March 2024</a></li></ul></div></div>
<div class="newsletter"><p>Subscribe to our newsletter for a weekly recipe.</p></div>
<div id="footer"><p>Copyright 2024 Crumb Media</p></div></body></html>"""


def test_blog_main_content_only(tmp_path: Path) -> None:
    page = tmp_path / "blog.html"
    page.write_text(blog_page(), encoding="utf-8")
    summary = chunk_documents([page], tmp_path / "out", ChunkSettings(min_tokens=10))
    chunks = read_chunks(tmp_path / "out" / "chunks.jsonl")
    text = "\n".join(c.text for c in chunks)
    for body in BODY:
        assert body in text
    for phrase in [*BOILER, "tracking", "color:red", "Ann Baker"]:
        assert phrase not in text, phrase
    assert summary.failures == []
    assert {c.section for c in chunks} <= {"Feeding", "Signs of a healthy starter"}
    assert all(c.title == "Caring for a sourdough starter" for c in chunks)


def _with(page: str, text: str) -> str:
    return page.replace("<h2>Feeding</h2>", f"<h2>Feeding</h2><p>{text}</p>")


def test_wrong_declared_charset_and_mojibake_repaired(tmp_path: Path) -> None:
    text = "The baker’s starter — the levain — costs €3 and is café-grade."
    page = tmp_path / "lying.html"  # UTF-8 bytes, declared Latin-1
    page.write_bytes(_with(blog_page("iso-8859-1"), text).encode("utf-8"))
    cp1252 = tmp_path / "legacy.html"  # cp1252 bytes, declared UTF-8
    cp1252.write_bytes(_with(blog_page("utf-8"), text).encode("cp1252"))
    mangled = tmp_path / "mojibake.html"  # text already double-encoded in the source
    mangled.write_text(_with(blog_page(), text.encode("utf-8").decode("cp1252")),
                       encoding="utf-8")
    for path in (page, cp1252, mangled):
        doc = parse_html(path, path.read_bytes())
        joined = " ".join(b.text for b in doc.blocks)
        assert "â€" not in joined and "Â" not in joined and "Ã" not in joined, path.name
        assert "costs €3 and is café-grade" in joined, path.name


def test_inline_elements_do_not_break_sentences(tmp_path: Path) -> None:
    page = tmp_path / "inline.html"
    page.write_text("<html><body><main><h2>Forms</h2><p>A rare form is known as\n<a href='#'>FTD-ALS</a>\n."
                    " It is <em>very</em> rare and <strong>often</strong> inherited, see <a>PubMed</a>\n, "
                    "which lists studies.</p>" + "<p>" + " ".join(BODY) + "</p></main></body></html>")
    blocks = parse_html(page, page.read_bytes()).blocks
    assert blocks[0].text == ("A rare form is known as FTD-ALS. It is very rare and often inherited, "
                              "see PubMed, which lists studies.")


def test_deep_nesting_does_not_lose_content(tmp_path: Path) -> None:
    page = tmp_path / "deep.html"
    deep = "<div>" * 600 + "<p>Deeply nested paragraph about rye flour fermentation.</p>" + "</div>" * 600
    page.write_text(f"<html><body><main><p>{BODY[0]}</p>{deep}<p>{BODY[1]}</p></main></body></html>")
    doc = parse_html(page, page.read_bytes())
    joined = " ".join(b.text for b in doc.blocks)
    assert BODY[1] in joined and "Deeply nested paragraph" in joined
