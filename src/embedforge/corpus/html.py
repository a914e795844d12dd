"""HTML loader: the article, not the page, by trafilatura with embedforge's own extractor behind it.

Bytes are decoded (:func:`decode_bytes`), then trafilatura finds the main content
(:mod:`embedforge.corpus.html_trafilatura`; headings its paragraph-only fallback
lost are put back by :mod:`embedforge.corpus.html_sections`). The page falls back
to the BeautifulSoup extractor (:mod:`embedforge.corpus.html_soup`) when trafilatura
finds nothing, or when lxml's parse lost most of the page's text (its nesting limit
drops whatever is deeper, silently). Either way site furniture is dropped
(:mod:`embedforge.corpus.boilerplate`) and mojibake repaired in the kept text.
``Document.extractor`` records which path was taken, and a debug log line says why.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from embedforge.corpus.boilerplate import drop_boilerplate
from embedforge.corpus.clean import clean_inline, decode_bytes, repair
from embedforge.corpus.document import Block, Document
from embedforge.corpus.html_sections import recover_sections
from embedforge.corpus.html_soup import declared_charset, raw_text_chars, soup_document
from embedforge.corpus.html_trafilatura import load_tree, page_title, trafilatura_blocks
from embedforge.errors import EmbedforgeError

log = logging.getLogger(__name__)

LOST_PARSE = 0.7  # the parsed tree holds under this share of the source's visible characters: lxml lost text


def parse_html(path: Path, data: bytes) -> Document:
    """Extract the main content of an HTML page as blocks under their headings.

    Args:
        path: the page's name, for messages and ``Document.path``.
        data: the page's bytes (any encoding; mojibake is repaired).

    Returns:
        The Document; ``extractor`` is ``trafilatura`` or ``soup`` (the fallback).

    Raises:
        EmbedforgeError: undecodable bytes, or no text in the page.
    """
    text = decode_bytes(data, str(path), declared=declared_charset(data), fix=False)
    document, reason = _trafilatura_document(path, text)
    if document is not None:
        log.debug("%s: main content by trafilatura (%d blocks)", path, len(document.blocks))
    else:
        log.debug("%s: %s; falling back to the BeautifulSoup extractor", path, reason)
        document = soup_document(path, text)
        document.blocks = _without_boilerplate(path, document.blocks)
        if not document.blocks:
            raise EmbedforgeError(f"{path}: no readable text in the page; check it is an HTML document")
    return _repaired(document)


def _trafilatura_document(path: Path, text: str) -> tuple[Document | None, str]:
    """trafilatura's Document, or (None, why the fallback is needed)."""
    tree = load_tree(text)
    if tree is None:
        return None, "trafilatura could not parse the page"
    raw_chars = raw_text_chars(text)
    parsed_chars = len(tree.text_content())
    if raw_chars and parsed_chars < LOST_PARSE * raw_chars:
        return None, f"lxml kept {parsed_chars} of ~{raw_chars} text characters (deep nesting?)"
    title = page_title(tree) or path.stem
    blocks = trafilatura_blocks(tree, title)
    if blocks and all(block.section == title for block in blocks):
        blocks = recover_sections(tree, blocks, title)  # its paragraph-only fallback dropped the headings
    blocks = _without_boilerplate(path, blocks)
    if not blocks:
        return None, "trafilatura found no main content"
    return Document(path=str(path), title=title, blocks=blocks, extractor="trafilatura"), ""


def _without_boilerplate(path: Path, blocks: list[Block]) -> list[Block]:
    kept, dropped = drop_boilerplate(blocks)
    if dropped:
        log.debug("%s: dropped %d boilerplate blocks (navigation, series, subscribe, archive...)", path, dropped)
    return kept


def _repaired(document: Document) -> Document:
    """Mojibake repaired in the kept text only (ftfy over the whole page costs more than extracting it)."""
    cache: dict[str, str] = {}

    def fix(value: str) -> str:
        if value not in cache:
            cache[value] = value if value.isascii() and value.isprintable() else clean_inline(repair(value))
        return cache[value]

    blocks = [dataclasses.replace(block, text=fix(block.text), section=fix(block.section) if block.section else None)
              for block in document.blocks]
    document.blocks = [block for block in blocks if block.text]
    document.title = fix(document.title)
    return document
