"""The questions a comparison scores: a split of the dataset, or a hand-written file.

Both become an :class:`EvalQueries` (ids, texts, relevant chunk ids, in a fixed
order), so the metric, bootstrap and report code never cares where they came from.
A hand-written file lets a user score "questions nobody tuned for" against the same
corpus: JSON Lines of ``{"question": ..., "chunk_id": ...}`` (or ``"chunk_ids": [...]``,
or ``"answer": "text found in the chunk"``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from embedforge.dataset.layout import RetrievalDataset, qrels_path
from embedforge.errors import EmbedforgeError
from embedforge.files import iter_jsonl
from embedforge.fingerprint import text_hash


@dataclass(frozen=True)
class EvalQueries:
    """Questions with their relevant chunks, aligned by position.

    Attributes:
        ids: query ids.
        texts: question texts.
        relevant: for each query, the ids of the chunks that answer it (never empty).
    """

    ids: tuple[str, ...]
    texts: tuple[str, ...]
    relevant: tuple[frozenset[str], ...]

    def __len__(self) -> int:
        return len(self.ids)


def split_queries(
    dataset: RetrievalDataset, split: str, where: str | os.PathLike[str] = "dataset"
) -> EvalQueries:
    """The questions of one qrels split, in qrels order, keeping those with a relevant chunk.

    ``test`` (BEIR's and MTEB's name, and the qrels file's) names the ``eval`` split.

    Raises:
        EmbedforgeError: the split is unknown or holds no question with a relevant chunk.
    """
    split = "eval" if split == "test" else split
    table = dataset.qrels.get(split)
    if table is None:
        raise EmbedforgeError(f"{where}: no qrels split {split!r}; use one of {sorted(dataset.qrels)}")
    kept = [(qid, rel) for qid, rel in table.items() if rel]
    if not kept:
        raise EmbedforgeError(
            f"{qrels_path(where, split)}: the {split} split is empty; rebuild the dataset with eval questions"
        )
    return EvalQueries(
        ids=tuple(qid for qid, _ in kept),
        texts=tuple(str(dataset.queries[qid]["text"]) for qid, _ in kept),
        relevant=tuple(frozenset(rel) for _, rel in kept),
    )


def load_handwritten(path: str | os.PathLike[str], dataset: RetrievalDataset) -> EvalQueries:
    """Read a hand-written question file and resolve each question's relevant chunks.

    Each line: ``question`` and one of ``chunk_id``, ``chunk_ids`` or ``answer`` (text that
    appears, whitespace and case aside, in the relevant chunk(s)).

    Raises:
        EmbedforgeError: the file is missing or empty, a line lacks a question or a target,
            a chunk id is unknown, or an answer text is found in no chunk.
    """
    from embedforge.generators.examples import answer_form  # here, so reading a split never loads the generators

    source = Path(path)
    normalised = {cid: answer_form(row.get("text", "")) for cid, row in dataset.corpus.items()}
    ids: list[str] = []
    texts: list[str] = []
    relevant: list[frozenset[str]] = []
    for number, row in enumerate(iter_jsonl(source), start=1):
        where = f"{source}:{number}"
        question = str(row.get("question") or row.get("text") or "").strip()
        if not question:
            raise EmbedforgeError(f'{where}: no "question"; write one question per line')
        targets = _targets(row, where, dataset, normalised)
        qid = f"hw-{text_hash(question)}"
        if qid in ids:
            raise EmbedforgeError(f"{where}: the question is repeated; keep each question once")
        ids.append(qid)
        texts.append(question)
        relevant.append(targets)
    if not ids:
        raise EmbedforgeError(
            f"{source}: no questions in the file; add JSON lines with question and chunk_id"
        )
    return EvalQueries(ids=tuple(ids), texts=tuple(texts), relevant=tuple(relevant))


def _targets(
    row: dict[str, object], where: str, dataset: RetrievalDataset, normalised: dict[str, str]
) -> frozenset[str]:
    if row.get("chunk_id") or row.get("chunk_ids"):
        raw = row.get("chunk_ids") or [row.get("chunk_id")]
        chunk_ids = [str(c) for c in raw] if isinstance(raw, list) else [str(raw)]
        unknown = [cid for cid in chunk_ids if cid not in dataset.corpus]
        if unknown:
            raise EmbedforgeError(
                f"{where}: unknown chunk id {unknown[0]!r}; take ids from the dataset's corpus.jsonl"
            )
        return frozenset(chunk_ids)
    from embedforge.generators.examples import answer_form

    answer = answer_form(str(row.get("answer") or ""))
    if not answer:
        raise EmbedforgeError(f'{where}: no "chunk_id" or "answer"; say which chunk answers the question')
    found = frozenset(cid for cid, text in normalised.items() if answer in text)
    if not found:
        raise EmbedforgeError(
            f"{where}: the answer text is in no chunk of the corpus; quote the chunk exactly"
        )
    return found

