"""Site furniture that an extractor keeps as if it were article text, removed after extraction.

Blog sidebars and post footers often sit in the same unmarked container as the
post, so extractors keep them: "Previous: …", "Next: …", "Part of series …",
"Subscribe …", "More recent articles", an archive list of years, a colophon.
:func:`drop_boilerplate` removes, from any extractor's blocks:

- every block under a heading that names furniture (``More recent articles``,
  ``Archive``, ``Colophon``, ``Related posts``, ``Comments``...);
- a short block (at most ``_SHORT_WORDS`` words) that is a navigation, series,
  subscription, sharing or copyright line;
- a block, or a run of list items, made only of years (an archive list);
- a sidebar flattened into one block: two kinds of marker ("More recent articles",
  "Part of series", "Next:", "Archive", "Subscribe", a run of years...) in at most ``_RUN_WORDS`` words.

The rules are phrases and shapes, not sites; a long paragraph is never dropped by a phrase.
"""

from __future__ import annotations

import re

from embedforge.corpus.document import Block

_SHORT_WORDS = 14
_FURNITURE_HEADING = re.compile(
    r"^(?:(?:more |other |recent |related |popular |latest |similar |further |most read |trending )+"
    r"(?:articles?|posts?|stories|entries|reading|news|links|content|coverage|videos)"
    r"|archives?|blog ?archives?|colophon|about the author|comments?|leave a (?:comment|reply)"
    r"|tell us what you think|share(?: this)?(?: post| article)?|subscribe|newsletter|tags|categories"
    r"|blogroll|follow(?: us| me)?|read next|you (?:may|might) also like|part of (?:the |a )?series"
    r"|site navigation|navigation)\W*$",
    re.IGNORECASE,
)
_FURNITURE_LINE = re.compile(
    r"^(?:- )?(?:(?:previous|next|prev|older|newer)(?: (?:post|article|entry|page|story|in series))?\s*[:»«›‹←→|]"
    r"|[«‹←]\s*(?:previous|older)|(?:next|newer)\s*[»›→]"
    r"|(?:this (?:post|article) is )?part (?:\d+ |one |two |three )?of (?:the |a |my )?series\b"
    r"|(?:©|\(c\)\s*\d{4}|copyright\b)|.*\ball rights reserved\b"
    r"|.*\b(?:subscribe|unsubscribe|newsletter|sign up for|rss feed|follow (?:us|me) on)\b"
    r"|(?:share|tweet|email|print)(?: this)?(?: (?:post|article|story|page))?(?: on \w+)?\s*$"
    r"|(?:share|tweet) (?:this|on)\b|(?:tell us what you think|leave a (?:comment|reply)|comments?)\W*$"
    r"|(?:read more|click here)\b.{0,40}$|more recent articles\b|recent posts\b|related (?:posts|articles)\b)",
    re.IGNORECASE,
)
# A sidebar flattened into one block: two or more of these in at most _RUN_WORDS words.
_MARKERS = re.compile(
    r"\b(?:more recent articles|recent posts|related (?:posts|articles)|part of (?:the |a )?series|previous\s*:"
    r"|next\s*:|archives?\b|subscribe|colophon|(?:(?:19|20)\d\d\W+){5,})",
    re.IGNORECASE,
)
_RUN_WORDS = 120
_YEAR = r"(?:19|20)\d\d"
_YEARS_ONLY = re.compile(rf"^(?:- )?(?:(?:[A-Z][a-z]+ )?{_YEAR}(?: \(\d+\))?[\s,;|/·•-]*)+$")


def drop_boilerplate(blocks: list[Block]) -> tuple[list[Block], int]:
    """(the blocks worth keeping, how many were dropped)."""
    kept = [b for b in blocks if not _furniture_section(b.section) and not _furniture_line(b.text)]
    kept = _drop_year_runs(kept)
    return kept, len(blocks) - len(kept)


def _furniture_section(section: str | None) -> bool:
    return bool(section) and any(_FURNITURE_HEADING.match(part.strip()) for part in str(section).split(" > "))


def _furniture_line(text: str) -> bool:
    words = len(text.split())
    if words <= _SHORT_WORDS and _FURNITURE_LINE.match(text):
        return True
    return words <= _RUN_WORDS and len({m.group(0).lower()[:8] for m in _MARKERS.finditer(text)}) >= 2


def _drop_year_runs(blocks: list[Block]) -> list[Block]:
    """Drop a paragraph of 3+ years alone, and runs of 3+ list items that are each only a year."""
    years = [bool(_YEARS_ONLY.match(b.text)) for b in blocks]
    drop = [False] * len(blocks)
    start = 0
    while start < len(blocks):
        end = start
        while end < len(blocks) and years[end] and blocks[end].kind == blocks[start].kind:
            end += 1
        if end > start:
            many = end - start >= 3 or len(re.findall(_YEAR, blocks[start].text)) >= 3
            for index in range(start, end):
                drop[index] = many
            start = end
        else:
            start += 1
    return [b for b, gone in zip(blocks, drop, strict=True) if not gone]
