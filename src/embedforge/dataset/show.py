"""A dataset folder read back for people: questions beside their chunks, the filtered ones with reasons.

``embedforge dataset show DIR`` and the closing lines of ``dataset build`` / ``regenerate`` use it:
a user judges generated questions by reading them next to the text they came from, and a filter by
reading what it dropped. Everything is read from the folder (``queries.jsonl``, ``corpus.jsonl``,
``split.json`` and ``filtered.jsonl``, which :func:`write_filtered` adds at build time); no LLM is called.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embedforge.dataset.layout import CORPUS_FILE, QUERIES_FILE
from embedforge.dataset.split import SPLIT_FILE
from embedforge.errors import EmbedforgeError
from embedforge.files import iter_jsonl, write_jsonl
from embedforge.next_steps import arg, next_lines

FILTERED_FILE = "filtered.jsonl"
_LINE = 100  # characters of a chunk shown beside its question


@dataclass(frozen=True)
class Shown:
    """One question (kept, or filtered with its ``reason``) beside its chunk."""

    question: str
    chunk_id: str
    chunk: str
    source: str
    split: str
    prompt: str
    reason: str | None = None

    def format(self) -> str:
        where = f"{self.source}, {self.split}" if self.split else self.source
        tag = f"filtered {self.reason}" if self.reason else f"prompt {self.prompt}"
        return f"Q: {self.question}   ({tag})\n   chunk ({where}): {first_line(self.chunk)}"


def first_line(text: str, width: int = _LINE) -> str:
    """``text``'s first ``width`` characters on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def write_filtered(out_dir: str | os.PathLike[str], records: Iterable[Any]) -> int:
    """Write the filtered questions of ``records`` (question records) to ``out_dir/filtered.jsonl``; return how many.

    Only what the LLM wrote and why it was dropped: no timestamps, so equal runs write equal bytes.
    """
    rows = [{"chunk_id": r.chunk_id, "question": r.candidate, "reason": r.reason, "prompt_name": r.prompt_name}
            for r in records if r.status == "filtered" and r.candidate]
    return write_jsonl(Path(out_dir) / FILTERED_FILE, rows)


def _chunks(folder: Path) -> dict[str, dict[str, Any]]:
    if not (folder / CORPUS_FILE).is_file():
        raise EmbedforgeError(f"{folder}: no corpus.jsonl; give a dataset folder (`embedforge dataset build`)")
    return {row["_id"]: row for row in iter_jsonl(folder / CORPUS_FILE)}


def _split(folder: Path) -> dict[str, str]:
    import json

    path = folder / SPLIT_FILE
    try:
        return dict(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else {}
    except (ValueError, TypeError):
        return {}


def questions(dataset_dir: str | os.PathLike[str]) -> list[Shown]:
    """The kept questions of a dataset folder, each beside its chunk, in the folder's order.

    Raises:
        EmbedforgeError: not a dataset folder.
    """
    folder = Path(dataset_dir)
    chunks, split = _chunks(folder), _split(folder)
    return [_shown(row, chunks, split, None) for row in iter_jsonl(folder / QUERIES_FILE)]


def filtered(dataset_dir: str | os.PathLike[str]) -> list[Shown]:
    """The filtered questions of a dataset folder with their reasons (none for a folder written before them).

    Raises:
        EmbedforgeError: not a dataset folder.
    """
    folder = Path(dataset_dir)
    chunks, split = _chunks(folder), _split(folder)
    if not (folder / FILTERED_FILE).is_file():
        return []
    return [_shown(row, chunks, split, str(row.get("reason"))) for row in iter_jsonl(folder / FILTERED_FILE)]


def _shown(row: dict[str, Any], chunks: dict[str, dict[str, Any]], split: dict[str, str],
           reason: str | None) -> Shown:
    chunk = chunks.get(str(row.get("chunk_id")), {})
    text = row.get("text") if reason is None else row.get("question")
    return Shown(question=str(text), chunk_id=str(row.get("chunk_id")), chunk=str(chunk.get("text", "")),
                 source=str(chunk.get("source", "?")), split=split.get(str(row.get("chunk_id")), ""),
                 prompt=str(row.get("prompt_name", "?")), reason=reason)


def spread(items: Sequence[Shown], n: int) -> list[Shown]:
    """``n`` items spread evenly over ``items`` (all of them when there are fewer)."""
    if n <= 0 or len(items) <= n:
        return list(items)
    return [items[round(i * (len(items) - 1) / (n - 1))] if n > 1 else items[0] for i in range(n)]


def by_prompt(shown: Iterable[Shown]) -> str:
    """``relative 240, default 10``: how many kept questions each prompt wrote."""
    counts = Counter(s.prompt for s in shown)
    return ", ".join(f"{name} {n}" for name, n in counts.most_common())


def closing_lines(dataset_dir: str | os.PathLike[str], samples: int = 3) -> str:
    """What ``dataset build`` / ``regenerate`` print after their counts: who wrote the questions, samples, next."""
    kept = questions(dataset_dir)
    lines = [f"  questions by prompt: {by_prompt(kept) or 'none'}"]
    if kept:
        lines.append("sample questions:")
        lines += [f"  {s.format()}".replace("\n", "\n  ") for s in spread(kept, samples)]
    folder = arg(dataset_dir)
    lines += next_lines(f"embedforge dataset show {folder}   (more questions; --filtered for the dropped ones)",
                        f"embedforge train {folder} --out {arg(Path('models') / Path(dataset_dir).name)}")
    return "\n".join(lines)
