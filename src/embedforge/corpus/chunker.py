"""Section-aware chunking measured in the embedder's own tokens.

A document's blocks are grouped by section; a section that fits is one chunk, a
tiny one is merged with its neighbour, a long one is split at paragraph, then
line, then sentence boundaries by langchain's recursive splitter counting tokens
with the target embedder's tokenizer. Every final chunk is re-measured with the
tokenizer's special tokens and cut further if it would be truncated by the model.
Tokens are counted with the embedder's Rust tokenizer itself (``tokenizers``), not
transformers' wrapper: the same counts, and a parse worker that unpickles it
imports neither transformers nor torch.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from embedforge.corpus.document import Block, Document
from embedforge.corpus.record import Chunk
from embedforge.corpus.settings import ChunkSettings
from embedforge.embedder import load_fast_tokenizer, max_seq_length

if TYPE_CHECKING:
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

# Paragraphs, lines (list items), sentences, clauses, words: the order a reader would cut in.
_SEPARATORS = ["\n\n", "\n", r"(?<=[.!?])\s+", r"(?<=[;:])\s+", r"(?<=,)\s+", " ", ""]


@dataclass
class _Section:
    label: str | None
    text: str = ""
    starts: list[int] = field(default_factory=list)  # char offset where each block starts
    pages: list[int | None] = field(default_factory=list)

    def add(self, text: str, page: int | None, separator: str) -> None:
        if self.text:
            self.text += separator
        self.starts.append(len(self.text))
        self.pages.append(page)
        self.text += text

    def page_at(self, offset: int) -> int | None:
        return self.pages[max(bisect.bisect_right(self.starts, offset) - 1, 0)] if self.pages else None


class Chunker:
    """Cuts Documents into Chunks of at most ``chunk_tokens`` (and never over the model's limit)."""

    def __init__(self, settings: ChunkSettings, tokenizer: Tokenizer | None = None) -> None:
        """``tokenizer``: the embedder's (:func:`load_fast_tokenizer`), loaded already; None loads it."""
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.settings = settings
        self.tokenizer = tokenizer if tokenizer is not None else load_fast_tokenizer(settings.embedder)
        self.max_tokens = max_seq_length(settings.embedder)
        self._specials = int(self.tokenizer.num_special_tokens_to_add(False))
        self.size = min(settings.chunk_tokens, self.max_tokens - self._specials)
        if self.size < settings.chunk_tokens:
            log.info("chunk size capped at %d tokens by the embedder's max_seq_length %d",
                     self.size, self.max_tokens)
        # What langchain's from_huggingface_tokenizer counts (tokens without the special ones), uncopied.
        self.splitter = RecursiveCharacterTextSplitter(
            length_function=self._plain_tokens, chunk_size=self.size,
            chunk_overlap=min(settings.overlap_tokens, self.size // 4),
            separators=_SEPARATORS, is_separator_regex=True, keep_separator=True, strip_whitespace=True,
        )

    def tokens(self, text: str) -> int:
        """Length of ``text`` as the model sees it, special tokens included."""
        return len(self.tokenizer.encode(text).ids)

    def _plain_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def chunk(self, document: Document, source: str) -> Iterator[Chunk]:
        """The chunks of one document, in reading order."""
        for section in self._merge_tiny(self._sections(document.blocks)):
            for text, offset in self._split(section.text):
                for piece in self._enforce_limit(text):
                    yield Chunk.create(piece, source=source, title=document.title, section=section.label,
                                       page=section.page_at(offset))

    def _sections(self, blocks: list[Block]) -> list[_Section]:
        sections: list[_Section] = []
        for index, block in enumerate(blocks):
            if not sections or sections[-1].label != block.section:
                sections.append(_Section(block.section))
            previous = blocks[index - 1] if index else None
            # Keep a list tight with its items and its lead-in line, so the splitter cuts around it.
            tight = block.kind == "item" and previous is not None and (
                previous.kind == "item" or previous.text.endswith(":"))
            sections[-1].add(block.text, block.page, "\n" if tight else "\n\n")
        return sections

    def _merge_tiny(self, sections: list[_Section]) -> list[_Section]:
        """Merge a section under ``tiny_section_tokens`` into the next (last: the previous) if they fit."""
        merged: list[_Section] = []
        pending: _Section | None = None
        for section in sections:
            if pending is not None:
                if self._fits(pending, section):
                    section = self._concat(pending, section)
                else:
                    merged.append(pending)  # too big to merge: it stands alone and the filters judge it
                pending = None
            if self.tokens(section.text) < self.settings.tiny_section_tokens:
                pending = section
            else:
                merged.append(section)
        if pending is not None:
            if merged and self._fits(merged[-1], pending):
                merged.append(self._concat(merged.pop(), pending))
            else:
                merged.append(pending)
        return merged

    def _fits(self, first: _Section, second: _Section) -> bool:
        return self.tokens(first.text) + self.tokens(second.text) <= self.size

    def _concat(self, first: _Section, second: _Section) -> _Section:
        """One section holding both, labelled by the larger; the other's heading is kept as a text line."""
        major = first if self.tokens(first.text) >= self.tokens(second.text) else second
        joined = _Section(major.label)
        for part in (first, second):
            heading = (part.label or "").split(" > ")[-1]
            lead = f"{heading}\n" if part is not major and heading and part.label != major.label else ""
            for index, (page, block) in enumerate(_blocks_of(part)):
                joined.add((lead if index == 0 else "") + block, page, "\n\n")
        return joined

    def _split(self, text: str) -> Iterator[tuple[str, int]]:
        if self.tokens(text) <= self.size + self._specials:
            yield text, 0
            return
        cursor = 0
        for piece in self.splitter.split_text(text):
            found = text.find(piece[:80], cursor)
            offset = found if found >= 0 else cursor
            cursor = offset + 1
            yield piece, offset

    def _enforce_limit(self, text: str) -> list[str]:
        """Halve at a space until each piece fits the model (a guard: the splitter rarely overshoots)."""
        if self.tokens(text) <= self.max_tokens:
            return [text]
        words = text.split(" ")
        if len(words) < 2:  # one endless word: keep the text of the tokens that fit (offsets index the text)
            offsets = self.tokenizer.encode(text, add_special_tokens=False).offsets
            return [text[: offsets[self.max_tokens - self._specials - 1][1]]]
        middle = len(words) // 2
        return self._enforce_limit(" ".join(words[:middle])) + self._enforce_limit(" ".join(words[middle:]))


def _blocks_of(section: _Section) -> Iterator[tuple[int | None, str]]:
    ends = [*section.starts[1:], len(section.text)]
    for start, end, page in zip(section.starts, ends, section.pages, strict=True):
        yield page, section.text[start:end].strip("\n")
