"""The BeautifulSoup HTML extractor: embedforge's own, used where trafilatura finds nothing.

Finds the main content (``<main>``/``<article>``/``[role=main]``, else the densest
block of paragraphs), strips boilerplate inside it (navigation, menus, share
buttons, tag lists, forms, hidden text, link farms), and walks it in reading order
so that headings become the ``section`` of the text under them. Inline elements
are joined without separators, so ``<a>FTD-ALS</a>.`` stays one sentence.
Not tied to any one site: the rules are tag names, ARIA roles and class/id words.
Unlike lxml, it re-parses with html.parser when lxml drops a deeply nested page.
"""

from __future__ import annotations

import logging
import re
import warnings
from pathlib import Path

from bs4 import BeautifulSoup, Comment, NavigableString, Tag, XMLParsedAsHTMLWarning

from embedforge.corpus.clean import clean_inline
from embedforge.corpus.document import Block, Document, heading_path, push_heading
from embedforge.errors import EmbedforgeError

log = logging.getLogger(__name__)

_DROP_TAGS = ("script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed",
              "form", "button", "input", "select", "textarea", "label", "nav", "aside", "footer", "header",
              "menu", "dialog", "figure", "img", "video", "audio", "map")
_DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "menu", "menubar",
               "dialog", "alert", "form", "toolbar", "tablist"}
_BOILERPLATE = re.compile(
    r"(?:^|[-_])(nav|navbar|navigation|menu|header|footer|breadcrumbs?|share|sharing|social|tags?|taglist|"
    r"sidebar|feedback|search|banner|cookies?|consent|skip|toc|pagination|pager|subscribe|newsletter|"
    r"comments?|related|widget|ads?|advert\w*|promo|popup|modal|sr-only|visually-hidden|hidden|print|"
    r"byline|author|meta|postmeta|archives?|categories|disclaimer|rating)(?:$|[-_])",
    re.IGNORECASE,
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = {"p", "div", "section", "article", "main", "ul", "ol", "li", "dl", "dt", "dd", "blockquote",
           "pre", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "address",
           "details", "summary", "hr", "br", "center", "fieldset", *_HEADINGS}


def soup_document(path: Path, text: str) -> Document:
    """Extract the main content of a decoded HTML page as blocks under their headings.

    Raises:
        EmbedforgeError: no text in the page.
    """
    soup = _soup(text, "lxml")
    notes: list[str] = []
    raw_chars = raw_text_chars(text)
    if raw_chars and len(soup.get_text()) < 0.7 * raw_chars:
        # lxml stops at its nesting limit and drops the rest silently; html.parser has no such limit.
        notes.append(f"{path}: lxml kept {len(soup.get_text())} of ~{raw_chars} text characters "
                        "(deep nesting?); re-parsed with html.parser")
        soup = _soup(text, "html.parser")
    title = _title(soup) or path.stem
    root = _main_content(soup)
    _strip_boilerplate(root)
    blocks = list(_walk(root, [], title))
    doc = Document(path=str(path), title=title, blocks=blocks, warnings=notes, extractor="soup")
    if not doc.blocks:
        raise EmbedforgeError(f"{path}: no readable text in the page; check it is an HTML document")
    return doc


def _soup(text: str, parser: str) -> BeautifulSoup:
    """The parsed page; XHTML (an XML declaration) is read as HTML on purpose, so bs4 need not warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(text, parser)

def declared_charset(data: bytes) -> str | None:
    """The charset a page's ``<meta>`` declares in its first 4 KiB, if any."""
    match = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_\-:.]+)", data[:4096], re.IGNORECASE)
    return match.group(1).decode("ascii", errors="ignore") if match else None


def raw_text_chars(text: str) -> int:
    """Rough count of visible characters, from the source with a regex (immune to parser limits)."""
    body = re.sub(r"(?is)<(script|style|head)\b.*?</\1\s*>|<!--.*?-->", " ", text)
    return len(re.sub(r"<[^>]*>", "", body))


def _title(soup: BeautifulSoup) -> str:
    for candidate in (soup.find("meta", property="og:title"), soup.find("h1"), soup.find("title")):
        if isinstance(candidate, Tag):
            value = candidate.get("content") if candidate.name == "meta" else candidate.get_text(" ")
            title = clean_inline(str(value or ""))
            if candidate.name == "title":
                title = re.split(r"\s+[|\u2013\u2014-]\s+", title)[0]
            if title:
                return title
    return ""


def _main_content(soup: BeautifulSoup) -> Tag:
    """The semantic main region (narrowed to its article), else the densest paragraph block."""
    body = soup.body or soup
    for selector in ("main", "[role=main]", "article"):
        found = [t for t in body.select(selector) if _text_len(t) > 200]
        if found:
            root = max(found, key=_text_len)
            articles = [a for a in root.select("article") if a is not root]
            best = max(articles, key=_text_len, default=None)
            # Narrow to the article when it holds most of the region's text (drops promo boxes beside it).
            return best if best is not None and _text_len(best) >= 0.6 * _text_len(root) else root
    return _densest(body)


def _densest(body: Tag) -> Tag:
    """Readability-style fallback: the element whose paragraphs hold the most text, widened over headings."""
    scores: dict[int, tuple[float, Tag]] = {}
    for para in body.find_all(["p", "pre", "blockquote"]):
        length = len(para.get_text(" ", strip=True))
        for weight, parent in zip((1.0, 0.5), para.parents, strict=False):
            if isinstance(parent, Tag) and not _is_boilerplate(parent):
                old = scores.get(id(parent), (0.0, parent))
                scores[id(parent)] = (old[0] + weight * length, parent)
    if not scores:
        return body
    best = max(scores.values(), key=lambda item: item[0])[1]
    while isinstance(best.parent, Tag) and best.parent is not body and not _is_boilerplate(best.parent) \
            and _text_len(best.parent) <= 1.25 * _text_len(best):
        best = best.parent
    return best


def _text_len(tag: Tag) -> int:
    return len(tag.get_text(" ", strip=True))


def _is_boilerplate(tag: Tag) -> bool:
    attrs = tag.attrs or {}
    if tag.name in _DROP_TAGS or attrs.get("hidden") is not None or attrs.get("aria-hidden") == "true":
        return True
    if str(attrs.get("role", "")).lower() in _DROP_ROLES:
        return True
    words = [*(attrs.get("class") or []), str(attrs.get("id") or "")]
    style = str(attrs.get("style", "")).replace(" ", "").lower()
    return "display:none" in style or any(_BOILERPLATE.search(word) for word in words if word)


def _strip_boilerplate(root: Tag) -> None:
    """Remove boilerplate descendants, but never a wrapper that holds most of the article."""
    total = max(_text_len(root), 1)
    for comment in root.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in list(root.find_all(True)):
        if tag.decomposed or tag.parent is None:
            continue
        if _is_boilerplate(tag):
            if tag.name in _DROP_TAGS or _text_len(tag) < 0.5 * total:
                tag.decompose()
        elif tag.name in ("ul", "ol", "div") and _is_link_farm(tag):
            tag.decompose()


def _is_link_farm(tag: Tag) -> bool:
    """A list or box that is nearly all links (related links, tag clouds, archives)."""
    text = _text_len(tag)
    if text == 0 or tag.find(["p", "h1", "h2", "h3", "h4", "h5", "h6"]):
        return False
    linked = sum(len(a.get_text(" ", strip=True)) for a in tag.find_all("a"))
    return linked / text > 0.8


def _walk(node: Tag, stack: list[tuple[int, str]], title: str):  # type: ignore[no-untyped-def]
    """Yield Blocks in reading order; headings update ``stack`` in place."""
    inline: list[str] = []

    def flush(kind: str = "paragraph"):  # type: ignore[no-untyped-def]
        text = clean_inline("".join(inline))
        inline.clear()
        if text:
            yield Block(text=f"- {text}" if kind == "item" else text, section=heading_path(stack) or title,
                        kind=kind)

    for child in node.children:
        if isinstance(child, NavigableString):
            if not isinstance(child, Comment):
                inline.append(str(child))
        elif isinstance(child, Tag) and child.name in _HEADINGS:
            yield from flush()
            heading = clean_inline(child.get_text(""))
            if heading != title:
                push_heading(stack, _HEADINGS[child.name], heading.rstrip(":"))
        elif isinstance(child, Tag) and child.name == "br":
            inline.append(" ")
        elif isinstance(child, Tag) and child.name in ("td", "th"):
            inline.append(" " + child.get_text(" ") + " |")
        elif isinstance(child, Tag) and child.name in _BLOCKS:
            yield from flush()
            if child.name == "li" and not child.find(list(_BLOCKS - {"br"})):
                inline.append(child.get_text(""))
                yield from flush("item")
            else:
                yield from _walk(child, stack, title)
        elif isinstance(child, Tag):
            if child.find(list(_BLOCKS - {"br"})):  # an inline tag wrapping blocks (a <span> holding <p>s)
                yield from flush()
                yield from _walk(child, stack, title)
            else:
                inline.append(child.get_text(""))
    yield from flush("item" if node.name == "li" else "paragraph")
