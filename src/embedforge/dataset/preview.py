"""``embedforge dataset preview``: a new prompt's questions beside the current prompt's, for a few chunks.

A prompt can be tried in seconds before a full run: :func:`preview_prompt` picks ``n``
chunks spread over the corpus (a dataset folder's chunks, or documents chunked into a
temporary folder), asks the LLM with the current prompt and with the new one under the
same settings, and returns both sets of questions per chunk. Every call goes through
the cache like any other, so the current prompt's questions of a built dataset are
usually cached already, and a later full run re-uses the new prompt's answers.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from embedforge.corpus.record import Chunk, read_chunks
from embedforge.corpus.settings import ChunkSettings
from embedforge.corpus.stage import CHUNKS_FILE, chunk_in_memory
from embedforge.dataset.manifest import MANIFEST_FILE
from embedforge.errors import EmbedforgeError
from embedforge.generators import GenerationSettings, generate_questions, load_prompt


@dataclass
class Preview:
    """Per chosen chunk, the current prompt's and the new prompt's questions (``None``: none kept)."""

    current: str
    new: str
    chunks: list[Chunk]
    before: list[list[str]] = field(default_factory=list)
    after: list[list[str]] = field(default_factory=list)
    llm_calls: int = 0
    cached: int = 0

    def changed(self) -> int:
        """Chunks whose questions differ between the two prompts."""
        return sum(a != b for a, b in zip(self.before, self.after, strict=True))

    def format(self) -> str:
        """Chunk by chunk, the two prompts' questions one under the other."""
        labels = (f"current ({self.current})", f"new ({self.new})")
        width = max(map(len, labels)) + 1
        lines = []
        for i, chunk in enumerate(self.chunks):
            head = " ".join(chunk.text.split())[:100]
            lines += ["", f"[{i + 1}/{len(self.chunks)}] {chunk.source} § {chunk.section or '-'}: {head}…"]
            for label, questions in zip(labels, (self.before[i], self.after[i]), strict=True):
                for j, question in enumerate(questions or ["(no question kept)"]):
                    lines.append(f"  {(label + ':') if j == 0 else '':<{width}} {question}")
        lines.append(f"\n{self.changed()} of {len(self.chunks)} chunks got other questions; "
                     f"{self.llm_calls} LLM calls, {self.cached} cached")
        return "\n".join(lines)


def spread(chunks: Sequence[Chunk], n: int) -> list[Chunk]:
    """``n`` chunks evenly spaced over ``chunks`` (all of them when there are fewer)."""
    if n >= len(chunks):
        return list(chunks)
    return [chunks[i * len(chunks) // n] for i in range(n)]


def recorded_settings(folder: Path) -> GenerationSettings:
    """The generation settings a dataset folder's manifest records, else the defaults."""
    try:
        recorded = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))["configuration"]["generate"]
        names = {f.name for f in dataclasses.fields(GenerationSettings)}
        return GenerationSettings(**{k: v for k, v in recorded.items() if k in names and k != "cache"})
    except (OSError, ValueError, KeyError, TypeError):
        return GenerationSettings()


def load_preview_chunks(sources: Sequence[str | os.PathLike[str]],
                        chunk_settings: ChunkSettings | None) -> tuple[list[Chunk], bool]:
    """A dataset folder's chunks (True), or ``sources`` chunked without writing anything (False)."""
    if len(sources) == 1 and (Path(sources[0]) / CHUNKS_FILE).is_file():
        return read_chunks(Path(sources[0]) / CHUNKS_FILE), True
    return chunk_in_memory(sources, chunk_settings), False


def preview_prompt(
    sources: Sequence[str | os.PathLike[str]],
    prompt: str,
    *,
    n: int = 5,
    settings: GenerationSettings | None = None,
    current_prompt: str | None = None,
    chunk_settings: ChunkSettings | None = None,
) -> Preview:
    """Questions of ``prompt`` and of the current prompt for ``n`` chunks of ``sources``.

    Args:
        sources: one dataset folder (its chunks; its manifest's generation settings are the
            defaults), or documents to chunk.
        prompt: the new prompt (file or packaged name).
        n: how many chunks.
        settings: generation settings for both prompts (default: the dataset's, else the defaults).
        current_prompt: what to compare with (default: the settings' prompt).
        chunk_settings: a ``ChunkSettings`` for documents.

    Raises:
        EmbedforgeError: no chunks, a bad prompt or LLM spec.
    """
    from embedforge.generators.preflight import check_generation

    chunks, is_dataset = load_preview_chunks(sources, chunk_settings)
    if not chunks:
        raise EmbedforgeError(f"{', '.join(map(str, sources))}: no chunks; check the documents")
    if settings is None:
        settings = recorded_settings(Path(sources[0])) if is_dataset else GenerationSettings()
    current = current_prompt or settings.prompt_name()
    chosen = spread(chunks, n)
    result = Preview(load_prompt(current).name, load_prompt(prompt).name, chosen)
    for name, bucket in ((current, result.before), (prompt, result.after)):
        one = dataclasses.replace(settings, prompt=name, greedy_prompt=None)
        check_generation(one)
        generated = generate_questions(chosen, one)
        for chunk in chosen:
            bucket.append([r.question for r in generated.kept if r.chunk_id == chunk.id and r.question])
        result.llm_calls += generated.counts.llm_calls
        result.cached += generated.counts.cached
    return result
