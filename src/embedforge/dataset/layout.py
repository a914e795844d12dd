"""The dataset folder: BEIR layout plus what the trainer and a reader need.

    DIR/corpus.jsonl        {"_id", "title", "text", "document_title", "source", "section", "page"}  every chunk
                            (no nulls: no section is "", no page is 0)
    DIR/queries.jsonl       {"_id", "text", "chunk_id", "source", "prompt_name", "prompt_hash", "llm",
                             "created_at"}
    DIR/qrels/train.tsv     query-id <TAB> corpus-id <TAB> score, with a header line
    DIR/qrels/dev.tsv       the dev split: chooses the epoch and the interpolation weight
    DIR/qrels/test.tsv      the eval split: scored once by ``compare``, chooses nothing (BEIR and MTEB
                            call it ``test``; folders written before were ``qrels/eval.tsv``, still read)
    DIR/qrels/*.jsonl       the same qrels as JSON Lines {"query-id", "corpus-id", "score"}, and
    DIR/train.jsonl         the train pairs as JSON Lines: 🤗 datasets reads every config of a folder with
                            one builder, so the card's configs are all JSON Lines (BEIR reads the TSV)
    DIR/train.parquet       anchor, positive   (the train pairs, for SentenceTransformerTrainer)
    DIR/manifest.json       configuration, versions, input hashes, counts
    DIR/README.md           the dataset card

Training and evaluation read a folder through :func:`load_dataset_dir`; retrieval is
always over the whole corpus, not over the eval chunks alone.

Titles: BEIR and MTEB embed ``title + " " + text``; embedforge trains and scores on ``text``
alone. So the corpus ``title`` is always empty and the document's title is kept in
``document_title``: every reader of the folder then embeds the same string, and
``compare``, sentence-transformers' evaluator and an MTEB task agree.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embedforge.errors import EmbedforgeError
from embedforge.files import atomic_write_text, iter_jsonl, write_jsonl

CORPUS_FILE, QUERIES_FILE, QRELS_DIR = "corpus.jsonl", "queries.jsonl", "qrels"
TRAIN_PAIRS_FILE, TRAIN_JSONL_FILE = "train.parquet", "train.jsonl"
CARD_FILE = "README.md"
# The user's own example questions that choose (dataset/natural.py); written only when there are any.
NATURAL_DEV_FILE = "natural_dev.jsonl"
# Kept in the folder by readers (``compare``, ``search``: embeddings of the corpus); a record, never content.
EMBEDDING_CACHE_DIR = ".embedforge-cache"
SPLITS = ("train", "dev", "eval")
# split -> qrels file stem: the eval split is BEIR's and MTEB's ``test``
QRELS_STEMS = {"train": "train", "dev": "dev", "eval": "test"}
_OLD_STEMS = {"eval": "eval"}  # folders written before the rename


def qrels_path(root: str | os.PathLike[str], split: str) -> Path:
    """The qrels file of ``split`` in folder ``root`` (``eval`` -> ``qrels/test.tsv``; an older
    folder's ``qrels/eval.tsv`` when only that exists)."""
    folder = Path(root) / QRELS_DIR
    path = folder / f"{QRELS_STEMS.get(split, split)}.tsv"
    old = folder / f"{_OLD_STEMS.get(split, '')}.tsv"
    return old if split in _OLD_STEMS and not path.exists() and old.is_file() else path


@dataclass
class RetrievalDataset:
    """A retrieval dataset held in memory.

    Attributes:
        corpus: chunk id -> record (``title``, ``text`` and provenance fields).
        queries: query id -> record (``text`` and provenance fields).
        qrels: split name -> query id -> set of relevant chunk ids.
    """

    corpus: dict[str, dict[str, Any]]
    queries: dict[str, dict[str, Any]]
    qrels: dict[str, dict[str, set[str]]] = field(default_factory=dict)

    def split_queries(self, split: str) -> dict[str, str]:
        """Query id -> question text for one split."""
        return {qid: self.queries[qid]["text"] for qid in self.qrels.get(split, {})}

    def corpus_texts(self) -> dict[str, str]:
        """Chunk id -> chunk text, for the whole corpus."""
        return {cid: row["text"] for cid, row in self.corpus.items()}

    def pairs(self, split: str) -> list[tuple[str, str]]:
        """(question, chunk text) pairs of a split, in query order, one per relevant chunk."""
        out = []
        for qid, relevant in self.qrels.get(split, {}).items():
            for cid in sorted(relevant):
                out.append((self.queries[qid]["text"], self.corpus[cid]["text"]))
        return out


def write_dataset_dir(out_dir: str | os.PathLike[str], dataset: RetrievalDataset) -> None:
    """Write corpus, queries, qrels and ``train.parquet`` (atomically, file by file)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(out_dir)
    write_jsonl(out / CORPUS_FILE, ({"_id": cid, **row} for cid, row in dataset.corpus.items()))
    write_jsonl(out / QUERIES_FILE, ({"_id": qid, **row} for qid, row in dataset.queries.items()))
    for split in SPLITS:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
        writer.writerow(["query-id", "corpus-id", "score"])
        for qid, relevant in dataset.qrels.get(split, {}).items():
            for cid in sorted(relevant):
                writer.writerow([qid, cid, 1])
        atomic_write_text(out / QRELS_DIR / f"{QRELS_STEMS[split]}.tsv", buffer.getvalue())
        write_jsonl(out / QRELS_DIR / f"{QRELS_STEMS[split]}.jsonl", (
            {"query-id": qid, "corpus-id": cid, "score": 1}
            for qid, relevant in dataset.qrels.get(split, {}).items() for cid in sorted(relevant)))
    anchors, positives = zip(*dataset.pairs("train"), strict=True) if dataset.pairs("train") else ((), ())
    write_jsonl(out / TRAIN_JSONL_FILE, ({"anchor": a, "positive": b} for a, b in zip(anchors, positives, strict=True)))
    table = pa.table({"anchor": list(anchors), "positive": list(positives)})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    from embedforge.files import atomic_write_bytes

    atomic_write_bytes(out / TRAIN_PAIRS_FILE, sink.getvalue().to_pybytes())


def load_dataset_dir(path: str | os.PathLike[str]) -> RetrievalDataset:
    """Read a dataset folder written by ``dataset build`` or ``dataset import``.

    Raises:
        EmbedforgeError: not a dataset folder, a missing file, an id given twice, or qrels naming unknown ids.
    """
    root = Path(path)
    if not root.is_dir():
        raise EmbedforgeError(f"{root}: dataset folder not found; build one with `embedforge dataset build`")
    for name in (CORPUS_FILE, QUERIES_FILE, QRELS_DIR):
        if not (root / name).exists():
            raise EmbedforgeError(
                f"{root}: not an embedforge dataset folder (no {name}); "
                "build one with `embedforge dataset build` or `embedforge dataset import`"
            )
    corpus = _rows_by_id(root / CORPUS_FILE)
    queries = _rows_by_id(root / QUERIES_FILE)
    qrels = {split: _read_qrels(qrels_path(root, split)) for split in SPLITS}
    for split, table in qrels.items():
        for qid, relevant in table.items():
            if qid not in queries:
                raise EmbedforgeError(f"{qrels_path(root, split)}: unknown query id {qid!r}; rebuild it")
            unknown = relevant - corpus.keys()
            if unknown:
                raise EmbedforgeError(
                    f"{qrels_path(root, split)}: unknown corpus id {sorted(unknown)[0]!r}; rebuild it"
                )
    return RetrievalDataset(corpus=corpus, queries=queries, qrels=qrels)


def _rows_by_id(path: Path) -> dict[str, dict[str, Any]]:
    """The records of a JSON Lines file by ``_id``; an id given twice is an error (else the last would win).

    Every record needs a ``text`` string: a missing, null or numeric one would be trained on,
    scored or exported as something else, so it is refused here, naming the id.
    """
    rows: dict[str, dict[str, Any]] = {}
    for row in iter_jsonl(path):
        if "_id" not in row:
            continue
        key = str(row.pop("_id"))
        if key in rows:
            raise EmbedforgeError(f"{path}: id {key!r} appears more than once; ids must be unique, "
                                  "remove the duplicate or rebuild the folder")
        if not isinstance(row.get("text"), str):
            found = "no text" if "text" not in row else f'"text": {json.dumps(row["text"])[:40]}'
            raise EmbedforgeError(f"{path}: id {key!r} has {found}; every record needs a \"text\" string, "
                                  "fix or rebuild the folder")
        rows[key] = row
    return rows


def _read_qrels(path: Path) -> dict[str, set[str]]:
    if not path.is_file():
        return {}
    table: dict[str, set[str]] = {}
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.reader(handle, delimiter="\t"), start=1):
                if not row or (number == 1 and row[0] == "query-id"):
                    continue
                if len(row) < 2:
                    raise EmbedforgeError(f"{path}:{number}: expected query-id, corpus-id, score")
                if _score(row, path, number) > 0:
                    table.setdefault(row[0], set()).add(row[1])
    except UnicodeDecodeError as exc:
        raise EmbedforgeError(f"{path}: not UTF-8 text (byte {exc.start}); rebuild or re-encode it") from exc
    return table


def _score(row: list[str], path: Path, number: int) -> float:
    """The third column of a qrels row (1 when absent)."""
    if len(row) < 3 or not row[2]:
        return 1.0
    try:
        score = float(row[2])
    except ValueError:
        score = float("nan")
    if score != score or score in (float("inf"), float("-inf")):
        raise EmbedforgeError(f"{path}:{number}: score {row[2]!r} is not a number; use 1 for relevant, 0 for not")
    return score
