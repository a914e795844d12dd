"""Inline Markdown (images, links, emphasis, code ticks, stray tags) reduced to its text, in linear time.

The obvious regexes (``\\[([^\\]]+)\\]\\(...\\)``, ``([*_])(\\S.*?\\S)\\1``...) rescan the rest of the
line from every opening mark that has no closing one, so ``'*a ' * 66000`` (198 KB) took the
whole 120 s parse timeout. :func:`strip_inline` gives exactly what those regexes gave, applied in
the same order (``tests/corpus/test_markdown_inline.py`` checks it against them), but each pass
walks the line once: the "next closing mark" a failed opening looked for is remembered, so no
character is scanned twice. Input: text (each line stripped on its own); output: the text without the markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_WORD = re.compile(r"\w")
_SPACE = re.compile(r"\s")


class _Next:
    """``text.find(needle, p)`` for non-decreasing ``p``, each character scanned at most once."""

    def __init__(self, text: str, needle: str) -> None:
        self.text, self.needle, self.found = text, needle, -2  # -2: nothing looked up yet

    def at(self, start: int) -> int:
        if self.found == -1 or self.found >= start:
            return self.found
        self.found = self.text.find(self.needle, start)
        return self.found


def _rewrite(text: str, match_at: Callable[[int], tuple[int, str] | None]) -> str:
    """Left-to-right, non-overlapping replacement (as ``re.sub``): ``match_at(i)`` -> (end, replacement)."""
    out: list[str] = []
    i = done = 0
    while i < len(text):
        found = match_at(i)
        if found is None:
            i += 1
            continue
        end, replacement = found
        out += [text[done:i], replacement]
        i = done = end
    out.append(text[done:])
    return "".join(out)


def _bracketed(text: str, bang: bool) -> str:
    """``![alt](url)`` -> ``alt`` (``bang``), ``[text](url)`` -> ``text`` (text not empty)."""
    close, paren = _Next(text, "]"), _Next(text, ")")
    lead = 2 if bang else 1

    def match_at(i: int) -> tuple[int, str] | None:
        if not text.startswith("![" if bang else "[", i):
            return None
        j = close.at(i + lead)
        if j < 0 or (not bang and j == i + lead) or not text.startswith("(", j + 1):
            return None
        k = paren.at(j + 2)
        return None if k < 0 else (k + 1, text[i + lead:j])

    return _rewrite(text, match_at)


def _strong(text: str) -> str:
    """``**x**`` / ``__x__`` -> ``x`` (the nearest closing pair, at least one character inside)."""
    finders = {"**": _Next(text, "**"), "__": _Next(text, "__")}

    def match_at(i: int) -> tuple[int, str] | None:
        mark = text[i:i + 2]
        if mark not in finders:
            return None
        k = finders[mark].at(i + 3)
        return None if k < 0 else (k + 2, text[i + 2:k])

    return _rewrite(text, match_at)


def _emphasis(text: str) -> str:
    """``*x*`` / ``_x_`` not inside a word -> ``x``; as ``(?<!\\w)([*_])(\\S.*?\\S|\\S)\\1(?!\\w)``."""
    def word(k: int) -> bool:
        return 0 <= k < len(text) and _WORD.match(text[k]) is not None

    def solid(k: int) -> bool:
        return k < len(text) and _SPACE.match(text[k]) is None

    # Positions k that can end the emphasised text: a non-space followed by the mark, then no word character.
    ends = {mark: [k for k in range(len(text) - 1) if text[k + 1] == mark and solid(k) and not word(k + 2)]
            for mark in "*_"}
    ending = {mark: set(positions) for mark, positions in ends.items()}
    cursor = dict.fromkeys("*_", 0)

    def match_at(i: int) -> tuple[int, str] | None:
        mark = text[i]
        if mark not in ends or word(i - 1) or not solid(i + 1):
            return None
        candidates = ends[mark]
        while cursor[mark] < len(candidates) and candidates[cursor[mark]] < i + 2:
            cursor[mark] += 1
        if cursor[mark] < len(candidates):
            k = candidates[cursor[mark]]  # the nearest end of a span of two or more characters
        elif i + 1 in ending[mark]:
            k = i + 1  # the one-character form, which the regex tries second
        else:
            return None
        return k + 2, text[i + 1:k + 1]

    return _rewrite(text, match_at)


def _code(text: str) -> str:
    """```code``` -> ``code``."""
    tick = _Next(text, "`")

    def match_at(i: int) -> tuple[int, str] | None:
        k = tick.at(i + 1) if text[i] == "`" else -1
        return None if k <= i + 1 else (k + 1, text[i + 1:k])

    return _rewrite(text, match_at)


def _tags(text: str) -> str:
    """A stray inline tag ``<...>`` dropped."""
    gt = _Next(text, ">")

    def match_at(i: int) -> tuple[int, str] | None:
        k = gt.at(i + 1) if text[i] == "<" else -1
        return None if k <= i + 1 else (k + 1, "")

    return _rewrite(text, match_at)


def _strip_line(line: str) -> str:
    for step in (lambda t: _bracketed(t, True), lambda t: _bracketed(t, False), _strong, _emphasis, _code, _tags):
        line = step(line)
    return line


def strip_inline(text: str) -> str:
    """The text of Markdown lines: images to alt text, links to their text, no emphasis, ticks or tags.

    Each line (split at ``\\n``) is stripped on its own: no inline construct spans two lines.
    """
    return "\n".join(_strip_line(line) for line in text.split("\n"))
