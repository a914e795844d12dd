"""Put back the headings trafilatura's fallback extraction loses.

On a page without a recognisable article container trafilatura falls back to a
paragraph-only extraction: the text is right but every ``<h2>`` is gone, so every
block would land in one section. :func:`recover_sections` finds each kept block in
the original page (by its first words, in reading order) and gives it the headings
that stand between it and the block before it there, so sections survive.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

from embedforge.corpus.clean import clean_inline
from embedforge.corpus.document import Block, heading_path, push_heading

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SKIP = {"script", "style", "noscript", "template", "head", "title"}
_WORD = re.compile(r"\w+")
_KEY_WORDS = 8
_GAP_CHARS = 0  # a heading is taken only right before a kept block, with no page text between
_JUMP_CHARS = 3000  # a block found further on than this is a repeat (a teaser), not the next block


def recover_sections(tree: Any, blocks: list[Block], title: str) -> list[Block]:
    """``blocks`` with sections from the page's headings (unchanged when none can be placed).

    A heading is taken only when little page text (``_GAP_CHARS``) stands between it and the
    block: a heading over text the extractor dropped (a sidebar's) does not become a section.
    """
    text, headings = _page_index(tree)
    stack: list[tuple[int, str]] = []
    cursor, placed, out = 0, 0, []
    for block in blocks:
        words = _words(block.text.removeprefix("- "))
        key = " ".join(words[:_KEY_WORDS])
        found = text.find(key, cursor) if key else -1
        if found >= 0 and (not placed or found - cursor <= _JUMP_CHARS):
            for offset, level, heading in headings:
                if cursor <= offset <= found and found - offset <= _GAP_CHARS:
                    push_heading(stack, level, "" if heading == title else heading.rstrip(":"))
            cursor, placed = found + len(" ".join(words)), placed + 1
        out.append(dataclasses.replace(block, section=heading_path(stack) or title))
    return out if placed else blocks


def _page_index(tree: Any) -> tuple[str, list[tuple[int, int, str]]]:
    """The page's words in reading order, joined, and (char offset there, level, text) per heading."""
    words: list[str] = []
    headings: list[tuple[int, int, str]] = []
    length = 0
    for kind, value in _events(tree):
        if kind == "heading":
            headings.append((length, _HEADINGS[value.tag], clean_inline(value.text_content())))
            continue
        for word in _words(value):
            words.append(word)
            length += len(word) + 1
    return " ".join(words), headings


def _events(node: Any) -> Iterator[tuple[str, Any]]:
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag in _SKIP:
        return
    if tag in _HEADINGS:
        yield "heading", node
    else:
        yield "text", node.text or ""
        for child in node:
            yield from _events(child)
            yield "text", child.tail or ""


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())
