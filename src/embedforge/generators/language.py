"""A tiny stop-word language guess, so questions follow their chunk's language.

Small models drift into English after English few-shot examples. Knowing the
chunk's language lets the prompt put an example in that language last (where a
small model looks) and lets a filter drop a question in another language. Only
a confident guess counts: short or mixed text gives None.
"""

from __future__ import annotations

import re

_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)
STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "the",
            "of",
            "and",
            "to",
            "in",
            "is",
            "are",
            "was",
            "for",
            "that",
            "with",
            "what",
            "which",
            "how",
            "why",
            "who",
            "when",
            "does",
            "do",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "des",
            "du",
            "un",
            "une",
            "est",
            "et",
            "en",
            "dans",
            "pour",
            "que",
            "qui",
            "quel",
            "quelle",
            "quels",
            "sur",
            "par",
            "au",
            "aux",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "ist",
            "ein",
            "eine",
            "den",
            "dem",
            "des",
            "nicht",
            "mit",
            "von",
            "wie",
            "was",
            "wer",
            "warum",
            "für",
            "auf",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "de",
            "del",
            "y",
            "es",
            "en",
            "un",
            "una",
            "que",
            "por",
            "para",
            "con",
            "qué",
            "cómo",
            "cuál",
            "dónde",
            "se",
        ]
    ),
    "it": frozenset(
        [
            "il",
            "lo",
            "la",
            "gli",
            "le",
            "di",
            "del",
            "della",
            "e",
            "è",
            "un",
            "una",
            "che",
            "per",
            "con",
            "come",
            "quale",
            "dove",
            "sono",
        ]
    ),
    "pt": frozenset(
        [
            "o",
            "a",
            "os",
            "as",
            "de",
            "do",
            "da",
            "e",
            "é",
            "em",
            "um",
            "uma",
            "que",
            "para",
            "com",
            "como",
            "qual",
            "onde",
            "são",
            "não",
        ]
    ),
    "nl": frozenset(
        [
            "de",
            "het",
            "een",
            "en",
            "is",
            "van",
            "in",
            "op",
            "dat",
            "met",
            "voor",
            "hoe",
            "wat",
            "welke",
            "waar",
            "zijn",
            "niet",
        ]
    ),
}


def guess_language(text: str, min_hits: int = 2) -> str | None:
    """The language code whose stop words ``text`` uses most, if it leads clearly; else None."""
    words = [w.casefold() for w in _WORDS.findall(text)]
    scores = sorted(((sum(w in stop for w in words), code) for code, stop in STOPWORDS.items()), reverse=True)
    (best, code), (second, _) = scores[0], scores[1]
    if best < min_hits or best <= second:
        return None
    return code


def other_language(question: str, chunk_text: str) -> bool:
    """True when both guesses are confident and differ."""
    chunk = guess_language(chunk_text, min_hits=4)
    asked = guess_language(question)
    return chunk is not None and asked is not None and chunk != asked
