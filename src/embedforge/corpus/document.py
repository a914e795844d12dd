"""A parsed document: the common shape every loader (HTML, PDF, text) produces.

Loaders turn a file into a :class:`Document` — a title and an ordered list of
:class:`Block` (a paragraph or list item with its heading path and page). The
chunker reads only this shape, so adding a format means adding a loader, nothing
else. Plain dataclasses, so a Document pickles across the worker-process boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Block:
    """One paragraph-level unit of text.

    Attributes:
        text: cleaned text on one line (list items start with ``- ``).
        section: heading path ("Treating ALS > Medications"), or None before any heading.
        page: 1-based PDF page, else None.
        kind: ``paragraph`` or ``item``.
    """

    text: str
    section: str | None = None
    page: int | None = None
    kind: str = "paragraph"


@dataclass
class Document:
    """A parsed document.

    Attributes:
        path: the file it was read from.
        title: the document's title (page title, PDF title, first heading or file name).
        blocks: the text in reading order.
        warnings: non-fatal problems worth telling the user (e.g. content lost by the parser).
        extractor: which extractor produced the blocks (HTML: ``trafilatura`` or ``soup``), else "".
    """

    path: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    extractor: str = ""

    def text_chars(self) -> int:
        """Characters of text kept, for the 'no text' check and the lost-content check."""
        return sum(len(block.text) for block in self.blocks)


def heading_path(stack: list[tuple[int, str]]) -> str | None:
    """Join a heading stack [(level, text), ...] into ``"A > B"``; None when empty."""
    return " > ".join(text for _, text in stack) or None


def push_heading(stack: list[tuple[int, str]], level: int, text: str) -> None:
    """Put a heading of ``level`` on the stack, popping headings at the same or a deeper level."""
    while stack and stack[-1][0] >= level:
        stack.pop()
    if text:
        stack.append((level, text))
