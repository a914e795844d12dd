"""Property-based tests (hypothesis) of cleaning and chunking: no exception, limits kept, words in order.

Text goes the way a ``.txt`` file does: bytes -> ``parse_text`` (decoding, mojibake
repair, control characters and whitespace cleaned) -> ``Chunker`` with the bundled
tokenizer. For any Unicode text the result is chunks, or one EmbedforgeError line
naming the file (empty, binary-looking); nothing else. Every chunk fits the token
limit, and the chunks' words, read in order with overlaps skipped, are the text's
words in order: none lost, none invented, none moved.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from embedforge.corpus.chunker import Chunker
from embedforge.corpus.clean import repair
from embedforge.corpus.settings import ChunkSettings
from embedforge.corpus.text import _ITEM, parse_text
from embedforge.errors import EmbedforgeError

NAME = Path("prop.txt")
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORD = st.text(alphabet=st.characters(categories=["L", "Nd"]), min_size=1, max_size=14)
PUNCT = st.sampled_from(["", "", "", ",", ".", ";", ":", "!", "?", "'s", "-x"])
SPACE = st.sampled_from([" ", " ", " ", "  ", "\n", "\n\n", "\t", "\u00a0", " \n \n"])


@st.composite
def prose(draw: st.DrawFn) -> str:
    """Words, punctuation and assorted whitespace: paragraphs long enough to need several chunks."""
    words = draw(st.lists(st.tuples(WORD, PUNCT, SPACE), min_size=1, max_size=400))
    return "".join(w + p + s for w, p, s in words)


@pytest.fixture(scope="module")
def chunker() -> Chunker:
    return Chunker(ChunkSettings(chunk_tokens=48, overlap_tokens=8, min_tokens=0))


def _chunks(chunker: Chunker, text: str) -> list[str]:
    document = parse_text(NAME, text.encode("utf-8"), markdown=False)
    return [chunk.text for chunk in chunker.chunk(document, str(NAME))]


def _words(text: str) -> list[str]:
    # Zero-width characters and soft hyphens join the letters around them, as the cleaner removes them.
    joined = re.sub("[\u200b-\u200d\u2060\ufeff\u00ad]", "", text)
    return re.findall(r"\w+", unicodedata.normalize("NFC", joined))


def _source_words(text: str) -> list[str]:
    """The text's words as the loader should keep them: repaired, list markers (``-``, ``1.``) aside."""
    lines = [_ITEM.sub("", line, count=1) for line in repair(text).splitlines()]
    return _words("\n".join(lines))


def _assert_within_limit(chunker: Chunker, chunks: list[str]) -> None:
    for text in chunks:
        tokens = chunker.tokens(text)
        assert tokens <= chunker.max_tokens, (tokens, text)
        assert tokens <= chunker.size + chunker._specials + 8, (tokens, text)  # the splitter's own slack


def _assert_words_in_order(chunks: list[str], expected: list[str]) -> None:
    """Each chunk's words are a run of the text's words starting at or after the previous chunk's start and
    no later than the first word not yet covered (overlap allowed, nothing skipped); together they cover all."""
    position, covered = 0, 0
    for text in chunks:
        words = _words(text)
        if not words:
            continue
        # Of the places the run fits without skipping a word, the latest one (repeated words are ambiguous).
        fits = [i for i in range(position, covered + 1) if expected[i:i + len(words)] == words]
        assert fits, f"chunk words {words[:12]}... do not continue the text at word {covered}"
        position, covered = fits[-1], max(covered, fits[-1] + len(words))
    assert covered == len(expected), f"the last {len(expected) - covered} words were lost"


@SETTINGS
@given(text=prose())
def test_prose_gives_chunks_in_limit_keeping_every_word_in_order(chunker: Chunker, text: str) -> None:
    chunks = _chunks(chunker, text)
    assert chunks
    _assert_within_limit(chunker, chunks)
    _assert_words_in_order(chunks, _source_words(text))


@SETTINGS
@given(text=st.text(max_size=3000))
@example(text="0\xad0")  # a soft hyphen inside a word: the cleaner joins it, "00"
def test_any_text_gives_chunks_or_one_line_naming_the_file(chunker: Chunker, text: str) -> None:
    try:
        chunks = _chunks(chunker, text)
    except EmbedforgeError as exc:
        message = str(exc)
        assert "\n" not in message and str(NAME) in message
        return
    _assert_within_limit(chunker, chunks)
    words = [w for chunk in chunks for w in _words(chunk)]
    assert set(words) <= set(_source_words(text)) | set(_words(text)), "a chunk holds words not in the text"
