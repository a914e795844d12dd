"""Question filters: keep one well-formed, new question about its chunk, or say why not.

Each rejection has a reason name, counted in the summary and the manifest:
``empty``, ``refusal``, ``not_a_question``, ``multiple_questions``, ``too_short``,
``too_long``, ``degenerate`` ("the difference between X and X", a phrase repeated),
``wrong_language`` (the chunk's language is clear and the question's is another),
``off_topic`` (most of its words are not in the chunk: small models answer a
few-shot example instead), ``refers_to_prompt`` (talks about "the passage" or the instructions,
so it cannot stand alone as a search query), ``copies_chunk`` (a sentence of the
chunk echoed back), ``secret`` (the LLM's answer held a known secret value such as the API key,
removed before caching), ``echoes_chunk_question`` (on topic only through a question written in the
chunk: a fake question list planted in a document, or an FAQ's question answered back instead
of its answer) and ``duplicate`` (the normalized text of an earlier kept question).
"""

from __future__ import annotations

import math
import re
import unicodedata

from embedforge.generators.language import other_language
from embedforge.redact import SECRET_MARK

REASONS = (
    "secret",
    "empty",
    "refusal",
    "not_a_question",
    "multiple_questions",
    "too_short",
    "too_long",
    "refers_to_prompt",
    "copies_chunk",
    "degenerate",
    "wrong_language",
    "off_topic",
    "echoes_chunk_question",
    "duplicate",
    "missing",
)

_REFUSAL = re.compile(
    r"^(?:sorry|i'?m sorry|i apologi[sz]e|unfortunately|as an ai|i (?:cannot|can'?t|am unable|'m unable|"
    r"won'?t|will not|do not|don'?t)\b)",
    re.I,
)
_META = re.compile(
    r"\b(?:the (?:above|following|given|provided) (?:text|passage|document|context|instructions?|sentence|"
    r"statement|paragraph|excerpt)|"
    r"the following(?=\s*[?:]|$)|(?:this|the) (?:passage|excerpt|prompt)|"
    r"(?:previous|above|these|your) instructions?|"
    r"according to the (?:text|passage|document|context))\b",
    re.I,
)
_WORD = re.compile(r"\w+", re.UNICODE)
COPY_SHARE = 0.8  # a question sharing this share of its words, in a row, with its chunk copies it


_STOP = frozenset(
    [
        "what",
        "which",
        "when",
        "where",
        "whom",
        "whose",
        "does",
        "that",
        "with",
        "from",
        "this",
        "have",
        "were",
        "about",
        "into",
        "there",
        "their",
        "they",
        "them",
        "than",
        "then",
        "also",
        "such",
        "many",
        "much",
        "more",
        "most",
        "some",
        "other",
        "between",
        "difference",
        "being",
        "would",
        "could",
        "should",
    ]
)
_SAME_SIDES = re.compile(r"\bbetween (?:an? |the )?(.{3,}?) and (?:an? |the )?\1\b", re.I)
ON_TOPIC_SHARE = 0.5  # at least this share of a question's content words must occur in its chunk
# A question sentence inside a chunk: from a sentence or list-item start to its "?".
_EMBEDDED_QUESTION = re.compile(r"[^.!?\n]*\?")


def normalize(text: str) -> str:
    """Lowercase words only: what duplicate detection compares."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def copies_chunk(question: str, chunk_text: str) -> bool:
    """True when a run of >= 80% of the question's words appears, in order, in the chunk."""
    words = normalize(question).split()
    if not words:
        return False
    run = max(3, math.ceil(COPY_SHARE * len(words)))
    if run > len(words):
        return f" {' '.join(words)} " in f" {normalize(chunk_text)} "
    haystack = f" {normalize(chunk_text)} "
    return any(f" {' '.join(words[i : i + run])} " in haystack for i in range(len(words) - run + 1))


def degenerate(question: str) -> bool:
    """True for "between X and X" or a 3-word phrase said twice."""
    words = normalize(question).split()
    grams = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
    return bool(_SAME_SIDES.search(question)) or len(grams) != len(set(grams))


def off_topic(question: str, chunk_text: str, share: float = ON_TOPIC_SHARE) -> bool:
    """True when under ``share`` of the question's content words (by 5-letter stem) occur in the chunk."""
    words = {w for w in normalize(question).split() if len(w) >= 4 and w not in _STOP}
    if not words:
        return False
    stems = {w[:5] for w in normalize(chunk_text).split()}
    return sum(w[:5] in stems for w in words) < share * len(words)


def echoes_chunk_question(question: str, chunk_text: str) -> bool:
    """True when the question is on topic only through questions written in the chunk.

    The statements of a chunk are what a retriever must match; a question whose words come
    from a question sentence of the chunk ("1. Who wrote Hamlet? 2. ...") restates planted
    or FAQ text instead of asking about the chunk's content.
    """
    statements = _EMBEDDED_QUESTION.sub(" ", chunk_text)
    return statements != chunk_text and off_topic(question, statements)


def reject_reason(
    question: str | None, chunk_text: str, min_words: int = 4, max_words: int = 40,
    min_topic_share: float = ON_TOPIC_SHARE,
) -> str | None:
    """Why ``question`` is not kept for a chunk of ``chunk_text``, or None to keep it.

    ``min_topic_share`` is the ``off_topic`` bound: the share of the question's content words that must
    occur in the chunk (0 turns the check off; the round-trip filter still drops questions about nothing).
    """
    text = (question or "").strip()
    if SECRET_MARK in text:
        return "secret"
    if not text:
        return "empty"
    if _REFUSAL.search(text):
        return "refusal"
    if not text.endswith("?"):
        return "not_a_question"
    if text.count("?") > 1 or len(text.splitlines()) > 1:
        return "multiple_questions"
    count = len(text.split())
    if count < min_words:
        return "too_short"
    if count > max_words:
        return "too_long"
    if _META.search(text):
        return "refers_to_prompt"
    if copies_chunk(text, chunk_text):
        return "copies_chunk"
    if degenerate(text):
        return "degenerate"
    if other_language(text, chunk_text):
        return "wrong_language"
    if off_topic(text, chunk_text, min_topic_share):
        return "off_topic"
    if echoes_chunk_question(text, chunk_text):
        return "echoes_chunk_question"
    return None
