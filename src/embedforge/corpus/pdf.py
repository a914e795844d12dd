"""PDF loader: reflowed paragraphs and list items, under their headings, with pages.

Takes the positioned lines of :mod:`embedforge.corpus.pdf_lines` and rebuilds
the text a reader sees: hard line breaks joined into paragraphs, words hyphenated
across lines re-joined, bullets kept as list items, footnote markers dropped,
bold or large short lines turned into the heading path (``section``). Each block
records the page it starts on.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from embedforge.corpus import noise
from embedforge.corpus.clean import clean_inline, repair
from embedforge.corpus.document import Block, Document, heading_path, push_heading
from embedforge.corpus.pdf_lines import Line, body_size, drop_furniture, page_lines
from embedforge.errors import EmbedforgeError

log = logging.getLogger(__name__)

_BULLET = re.compile(r"^(?:[•●◦▪■▫◆►✓\uf0b7\uf0a7*]|o(?=\s))\s*")
_DASH_BULLET = re.compile(r"^[–-]\s+")  # a list dash, or a dash continuing the previous line's sentence
_NUMBERED = re.compile(r"^\(?(\d{1,2}|[a-z])[.)]\s+")
# A footnote marker glued to a sentence end: "caregivers.1  The" loses its "1".
_FOOTNOTE = re.compile(r"(?<=[a-z]{2}[.,;:])\d{1,2}(?=\s+[\"“A-Z])")
_SENTENCE_END = re.compile(r"[.!?:\"”’)]$")
# Prefixes that keep their hyphen when a line breaks after them ("self-" + "care" is "self-care").
_HYPHEN_PREFIXES = {
    "self", "non", "well", "co", "ex", "anti", "multi", "pre", "post", "long", "short", "full", "part",
    "half", "high", "low", "over", "under", "cross", "re", "de", "semi", "sub", "inter",
}


def parse_pdf(path: Path, data: bytes) -> Document:
    """Read a PDF's text layer as paragraphs and list items under their headings.

    Raises:
        EmbedforgeError: encrypted, corrupt or truncated, or without a text layer.
    """
    reader = _open(path, data)
    try:
        read = [page_lines(page, number) for number, page in enumerate(reader.pages, 1)]
        pages = drop_furniture(read)
    except Exception as exc:
        raise EmbedforgeError(f"{path}: corrupt PDF ({type(exc).__name__}: {exc}); re-export it") from exc
    if any(read) and not any(pages):  # text was there: the furniture rule took all of it
        raise EmbedforgeError(f"{path}: all its text was dropped as running headers and footers (lines at the "
                              f"page edges repeated on at least half of its {len(read):,} pages); nothing to chunk")
    if not any(pages):
        complaints = noise.so_far()
        if complaints:  # pypdf could not read the structure: a damaged file, not a scan
            first = complaints[0].removeprefix("pypdf: ")[:120]
            raise EmbedforgeError(f"{path}: no text could be read; the PDF is malformed (pypdf reported "
                                  f"{len(complaints):,} problems, first: {first}); re-export it")
        raise EmbedforgeError(f"{path}: no text layer (a scan?); run OCR on it first")
    size = body_size(pages)
    title, lines = _title([line for lines in pages for line in lines], size, _meta_title(reader))
    blocks = _blocks(lines, size, title or path.stem)
    return Document(path=str(path), title=title or path.stem, blocks=blocks)


def _open(path: Path, data: bytes):  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfReader

    if not data.strip():
        raise EmbedforgeError(f"{path}: empty file; remove it or replace it with the real PDF")
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise EmbedforgeError(f"{path}: not a PDF (no %PDF header); check the file type")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise EmbedforgeError(f"{path}: the PDF is encrypted; decrypt it or remove it")
        _ = len(reader.pages)
    except EmbedforgeError:
        raise
    except Exception as exc:
        raise EmbedforgeError(f"{path}: corrupt or truncated PDF ({type(exc).__name__}); re-download it") \
            from exc
    return reader


def _meta_title(reader) -> str:  # type: ignore[no-untyped-def]
    try:
        title = clean_inline(str((reader.metadata or {}).get("/Title") or ""))
    except Exception:
        log.debug("unreadable PDF metadata", exc_info=True)
        return ""
    return "" if title.lower().startswith(("microsoft", "untitled")) or len(title) < 3 else title


def _is_heading(line: Line, size: float) -> bool:
    if len(line.text) > 120 or _BULLET.match(line.text) or _NUMBERED.match(line.text):
        return False
    return line.bold or line.size > 1.15 * size


def _title(lines: list[Line], size: float, meta: str) -> tuple[str, list[Line]]:
    """The document title (metadata, else the large lines opening page 1) and the lines after it."""
    head = [line for line in lines[:4]
            if line.page == 1 and line.size > 1.3 * size and _is_heading(line, size)]
    if head and lines[: len(head)] == head:
        return meta or clean_inline(" ".join(line.text for line in head)), lines[len(head):]
    return meta, lines


def _blocks(lines: list[Line], size: float, title: str) -> list[Block]:
    heading_sizes = sorted({round(line.size) for line in lines if _is_heading(line, size)}, reverse=True)
    stack: list[tuple[int, str]] = []
    blocks: list[Block] = []
    parts: list[str] = []
    state: dict[str, Any] = {"kind": "paragraph", "page": 1, "heading": False}

    def flush() -> None:
        text = clean_inline(_FOOTNOTE.sub("", repair(_join(parts))))
        if text:
            prefix = "- " if state["kind"] == "item" and not _NUMBERED.match(text) else ""
            blocks.append(Block(text=prefix + text, section=heading_path(stack) or title,
                                page=state["page"], kind=str(state["kind"])))
        parts.clear()

    for index, line in enumerate(lines):
        previous = lines[index - 1] if index else None
        if _is_heading(line, size):
            wrapped = previous is not None and previous.page == line.page and not line.gap_before
            if wrapped and state["heading"]:
                stack[-1] = (stack[-1][0], clean_inline(f"{stack[-1][1]} {line.text}"))  # a wrapped heading
                continue
            flush()
            push_heading(stack, heading_sizes.index(round(line.size)) + 1, line.text.rstrip(" :"))
            state["heading"] = True
            continue
        # A dash opens an item after a finished sentence or another item; else it continues the sentence.
        ended = not parts or bool(_SENTENCE_END.search(parts[-1])) or state["kind"] == "item"
        dash = ended and _DASH_BULLET.match(line.text)
        marker = _BULLET.match(line.text) or _NUMBERED.match(line.text) or dash
        new_page = previous is not None and previous.page != line.page
        continued = new_page and bool(parts) and not _SENTENCE_END.search(parts[-1]) and not line.gap_before
        if marker or (line.gap_before and not continued) or state["heading"] or (new_page and not continued):
            flush()
            state.update(kind="item" if marker else "paragraph", page=line.page)
        state["heading"] = False
        text = _BULLET.sub("", line.text, count=1) if _BULLET.match(line.text) else line.text
        text = _DASH_BULLET.sub("", text, count=1) if marker and _DASH_BULLET.match(text) else text
        if not parts:
            state["page"] = line.page  # a block starts on its first line's page (also the first block)
        parts.append(text)
    flush()
    return blocks


def _join(parts: list[str]) -> str:
    """Join a paragraph's lines; a word hyphenated across lines is re-joined."""
    text = ""
    for part in parts:
        part = part.strip()
        match = re.search(r"(\w+)-$", text)
        if match and part[:1].islower():
            keep = match.group(1).lower() in _HYPHEN_PREFIXES
            text = (text if keep else text[:-1]) + part
        else:
            text = f"{text} {part}" if text else part
    return text
