"""Turn raw LLM output into candidate questions, one per requested slot.

Handles numbered ("1.", "2)"), bulleted ("-", "*", "•"), labelled ("Question:", "Q1:")
and plain output. Only a leading list marker is removed: periods inside a question
stay ("the U.S. Food and Drug Administration" survives; the reference deleted
every '.'). Judging a candidate is the filters' job, not the parser's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MARKER = re.compile(
    r"^\s*(?:(?:question|q)\s*\d*\s*[:.)-]\s*|\d{1,2}\s*[.)]\s+|[-*•·]\s+|\(\d{1,2}\)\s+)", re.I
)
_WRAP = re.compile(r'^(?:\*\*|"|“|\'|`)+|(?:\*\*|"|”|\'|`)+$')


@dataclass(frozen=True)
class Slot:
    """The candidate for one question slot: ``text`` (None if the output had none) and why not."""

    text: str | None
    reason: str | None = None


def clean_line(line: str) -> str:
    """One output line without its list marker, surrounding quotes or bold, or extra spaces."""
    text = " ".join(line.split())
    previous = None
    while previous != text:
        previous = text
        text = _WRAP.sub("", _MARKER.sub("", text, count=1)).strip()
    return text


def candidate_lines(raw: str) -> list[str]:
    """Non-empty cleaned lines of ``raw``; a chat preamble ("Here is a question:") is dropped."""
    lines = [clean_line(line) for line in raw.strip().splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > 1:
        lines = [line for line in lines if not line.endswith(":")] or lines
    return lines


def parse_slots(raw: str, n: int) -> list[Slot]:
    """Split ``raw`` into ``n`` slots.

    For ``n == 1`` the whole output is the one candidate, unless it holds several
    question lines (``multiple_questions``). For ``n > 1`` each line fills a slot in
    order; missing ones get ``missing``, extra lines are ignored.
    """
    lines = candidate_lines(raw)
    if not lines:
        return [Slot(None, "empty")] * n
    if n == 1:
        questions = [line for line in lines if line.endswith("?")]
        if len(questions) > 1:
            return [Slot(" ".join(lines), "multiple_questions")]
        return [Slot(questions[0] if questions else " ".join(lines))]
    slots = [Slot(line) for line in lines[:n]]
    return slots + [Slot(None, "missing")] * (n - len(slots))
