"""Inline Markdown stripping: the same text as the regexes it replaced, in linear time.

The reference below is the regex chain the Markdown loader used before; it rescanned the
rest of the line from every unclosed mark, so ``'*a ' * 66000`` (198 KB) used the whole
120 s parse timeout. The linear version must agree with it on every input and parse the
hostile files within one generous bound.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from embedforge.corpus.markdown_inline import strip_inline
from embedforge.corpus.text import parse_text

_REFERENCE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<!\w)([*_])(\S.*?\S|\S)\1(?!\w)"), r"\2"),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"<[^>\n]+>"), ""),
)
MARKUP = st.text(alphabet="*_[]()!`<>ab \t\u00e91\u00a0", max_size=40)


def reference(line: str) -> str:
    for pattern, replacement in _REFERENCE:
        line = pattern.sub(replacement, line)
    return line


@settings(max_examples=3000, deadline=None)
@given(MARKUP)
def test_same_text_as_the_regexes(line: str) -> None:
    assert strip_inline(line) == reference(line)


def test_common_markup() -> None:
    line = "See ![a chart](c.png) and [the guide](https://x.org/g) for **bold**, *it* and `code` <b>tags</b>."
    assert strip_inline(line) == reference(line) == "See a chart and the guide for bold, it and code tags."
    assert strip_inline("snake_case_name and 2*3*4") == "snake_case_name and 2*3*4"


def test_hostile_lines_end_within_a_generous_bound(tmp_path: Path) -> None:
    """198 KB of unclosed marks of each kind; the quadratic version needed over 120 s for the first."""
    for hostile in ("*a " * 66000, "![" * 99000, "[x" * 99000, "<" * 198000, "**a " * 49500, "_a " * 66000):
        started = time.monotonic()
        document = parse_text(tmp_path / "hostile.md", hostile.encode(), markdown=True)
        assert time.monotonic() - started < 20, hostile[:8]
        assert document.blocks
