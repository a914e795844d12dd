"""Plain-text and Markdown loader.

Paragraphs are separated by blank lines and their hard line breaks reflowed;
Markdown ATX (``# Title``) and setext (``Title`` over ``===``) headings become the
``section`` of the text under them, list items stay list items, and inline
Markdown (links, emphasis, code ticks, images) is reduced to its text, in linear time
(:mod:`embedforge.corpus.markdown_inline`).
"""

from __future__ import annotations

import re
from pathlib import Path

from embedforge.corpus.clean import clean_inline, decode_bytes
from embedforge.corpus.document import Block, Document, heading_path, push_heading
from embedforge.corpus.markdown_inline import strip_inline
from embedforge.errors import EmbedforgeError

_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")
_FENCE = re.compile(r"^\s*(```|~~~)")


def parse_text(path: Path, data: bytes, markdown: bool) -> Document:
    """Read a .txt or .md file as paragraphs and list items (Markdown headings as sections).

    Raises:
        EmbedforgeError: empty, binary, undecodable, or no text.
    """
    notes: list[str] = []  # the encoding, when it had to be detected
    lines = decode_bytes(data, str(path), notes=notes).splitlines()
    stack: list[tuple[int, str]] = []
    blocks: list[Block] = []
    title = ""
    para: list[str] = []
    kind, in_fence = "paragraph", False

    def flush() -> None:
        text = clean_inline(" ".join(para))
        para.clear()
        if text:
            section = heading_path(stack) or title or None
            blocks.append(Block(text=f"- {text}" if kind == "item" else text, section=section,
                                kind=kind))

    for index, raw in enumerate(lines):
        nxt = lines[index + 1] if index + 1 < len(lines) else ""
        if markdown and _FENCE.match(raw):
            in_fence = not in_fence
            continue
        line = raw if in_fence or not markdown else strip_inline(raw)
        heading = _heading(raw, nxt, para) if markdown and not in_fence else None
        if heading is not None:
            flush()
            level, text = heading
            title = title or text
            if level > 1 or blocks or stack:  # a leading H1 is the title, not a section
                push_heading(stack, level, text)
        elif markdown and _SETEXT.match(raw) and not para:
            continue  # the underline of a setext heading already handled
        elif not line.strip():
            flush()
            kind = "paragraph"
        elif _ITEM.match(line):
            flush()
            kind = "item"
            para.append(_ITEM.sub("", line, count=1))
        else:
            para.append(line)
    flush()
    if not blocks:
        raise EmbedforgeError(f"{path}: no text found; check the file")
    return Document(path=str(path), title=title or path.stem, blocks=blocks, warnings=notes)


def _heading(line: str, nxt: str, para: list[str]) -> tuple[int, str] | None:
    match = _ATX.match(line)
    if match:
        return len(match.group(1)), clean_inline(strip_inline(match.group(2)))
    if line.strip() and not para and _SETEXT.match(nxt) and not _ITEM.match(line):
        return (1 if nxt.strip().startswith("=") else 2), clean_inline(strip_inline(line))
    return None
