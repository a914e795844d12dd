"""PDF text as positioned lines, with page furniture removed.

pypdf's ``extract_text`` loses what tells a heading from body text and a page
number from a sentence. This module asks pypdf for every text fragment with its
position, font and size (the ``visitor_text`` hook), groups fragments into
lines, and drops page numbers and running headers/footers — lines at the top or
bottom of a page that repeat across pages. :mod:`embedforge.corpus.pdf` turns
the lines into paragraphs.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

_PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-–—(]?\s*\d{1,4}\s*[-–—)]?(?:\s*(?:of|/)\s*\d{1,4})?$",
                          re.IGNORECASE)
_EDGE_LINES = 2  # how many lines at the top and at the bottom of a page may be furniture


@dataclass
class Line:
    """One printed line: text, where it is, and how it looks."""

    page: int
    y: float
    x: float
    text: str
    size: float
    bold: bool
    gap_before: bool = False


def page_lines(page: Any, number: int) -> list[Line]:
    """The non-blank lines of one pypdf page, top to bottom; ``gap_before`` marks a blank line above."""
    fragments: list[tuple[float, float, str, float, bool]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = (abs(tm[3]) or abs(tm[0]) or 1.0) * (abs(cm[3]) or 1.0)
        name = str(font.get("/BaseFont", "")) if font else ""
        fragments.append((x, y, text.replace("\n", ""), size * scale, "bold" in name.lower()))

    page.extract_text(visitor_text=visit)
    lines: list[Line] = []
    for x, y, text, size, bold in fragments:
        line = lines[-1] if lines else None
        if line is not None and abs(line.y - y) <= max(1.0, 0.3 * size):
            if text.strip():
                line.bold = line.bold and bold if line.text.strip() else bold
                line.size = max(line.size, size) if line.text.strip() else size
                line.x = min(line.x, x) if line.text.strip() else x
            line.text += text
        else:
            lines.append(Line(page=number, y=y, x=x, text=text, size=size, bold=bold))
    return _mark_gaps(sorted(lines, key=lambda line: -line.y))


def _mark_gaps(lines: list[Line]) -> list[Line]:
    """Drop blank lines, remembering them (and wide vertical gaps) as paragraph breaks."""
    kept: list[Line] = []
    blank = False
    steps = [a.y - b.y for a, b in pairwise(lines) if a.text.strip() and b.text.strip()]
    spacing = sorted(steps)[len(steps) // 2] if steps else 0.0
    for line in lines:
        if not line.text.strip():
            blank = True
            continue
        wide = bool(kept) and spacing > 0 and kept[-1].y - line.y > 1.6 * spacing
        line.gap_before = blank or wide
        line.text = " ".join(line.text.split())
        kept.append(line)
        blank = False
    return kept


def drop_furniture(pages: list[list[Line]]) -> list[list[Line]]:
    """Remove page numbers and running headers/footers (edge lines repeated on many pages)."""
    def key(line: Line) -> str:
        return re.sub(r"\d+", "#", line.text.lower())

    edge_counts: Counter[str] = Counter()
    for lines in pages:
        edge_counts.update({key(line) for line in _edges(lines)})
    needed = max(2, (len(pages) + 1) // 2)
    cleaned = []
    for lines in pages:
        edges = {id(line) for line in _edges(lines)}
        cleaned.append([
            line for line in lines
            if id(line) not in edges
            or not (_PAGE_NUMBER.match(line.text) or edge_counts[key(line)] >= needed)
        ])
    return cleaned


def _edges(lines: list[Line]) -> list[Line]:
    return lines[:_EDGE_LINES] + lines[-_EDGE_LINES:] if len(lines) > 2 * _EDGE_LINES else list(lines)


def body_size(pages: list[list[Line]]) -> float:
    """The most common font size, weighted by characters: the size of body text."""
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            sizes[round(line.size, 1)] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0
