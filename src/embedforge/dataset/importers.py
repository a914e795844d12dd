"""``dataset import`` / ``dataset export``: LlamaIndex and reference-notebook JSON.

Two JSON shapes hold (question, passage) pairs in the wild:

    LlamaIndex ``EmbeddingQAFinetuneDataset``: {"queries": {qid: text}, "corpus": {id: text},
                                                "relevant_docs": {qid: [id, ...]}, "mode": "text"}
    the reference notebook:                    {"questions": {qid: text}, "corpus": {id: text},
                                                "relevant_contexts": {qid: [id, ...]}}

Import re-keys every passage by the hash of its text (ids are content hashes), so
the corpus of two files is their union with duplicates merged. The first file is
the train split, the second the eval split; with one file the split is by chunk as
in ``dataset build``. Export writes LlamaIndex JSON, one file per split, each with
the whole corpus (eval retrieval is over every chunk).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

from embedforge.corpus.record import Chunk
from embedforge.counts import Counts
from embedforge.dataset.assemble import corpus_records, query_id
from embedforge.dataset.layout import SPLITS, RetrievalDataset, load_dataset_dir
from embedforge.dataset.manifest import file_hashes
from embedforge.dataset.settings import DatasetSettings
from embedforge.dataset.split import assign_split
from embedforge.dataset.summary import DatasetSummary
from embedforge.dataset.writer import summarize, write_folder
from embedforge.errors import EmbedforgeError
from embedforge.files import write_json
from embedforge.outdir import Output

log = logging.getLogger(__name__)

FORMATS = ("llamaindex",)
# `dataset export --out DIR`: one LlamaIndex JSON file per split.
EXPORT_OUTPUT = Output("export", frozenset(f"{split}.json" for split in SPLITS))
_SHAPES = {
    "llamaindex": ("queries", "corpus", "relevant_docs"),
    "reference": ("questions", "corpus", "relevant_contexts"),
}
Pairs = tuple[dict[str, str], dict[str, str], dict[str, list[str]]]
_SURROGATE = re.compile("[\ud800-\udfff]")
_PROVENANCE_NONE = {"prompt_name": "", "prompt_hash": "", "llm": "", "created_at": ""}  # no nulls: MTEB refuses None


def read_pairs_file(path: str | os.PathLike[str]) -> Pairs:
    """Read either JSON shape; return (queries, corpus, relevant) keyed by the file's own ids.

    Raises:
        EmbedforgeError: missing file, not JSON (also: nested too deeply, a number over Python's digit limit),
            an unknown shape, a value that is not a string (named by its JSON path), a lone surrogate,
            or a relevant id not in the corpus.
    """
    source = Path(path)
    if not source.is_file():
        raise EmbedforgeError(f"{source}: file not found; check the path")
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, and a number over Python's digit limit
        detail = " ".join(str(exc).split())[:160]
        raise EmbedforgeError(f"{source}: not JSON ({detail}); give a LlamaIndex or notebook export") from exc
    except RecursionError as exc:
        raise EmbedforgeError(f"{source}: JSON nested too deeply to read; give a LlamaIndex or notebook "
                              "export") from exc
    keys = set(data) if isinstance(data, dict) else set()
    shape = next((names for names in _SHAPES.values() if set(names) <= keys), None)
    if shape is None:
        raise EmbedforgeError(
            f"{source}: unknown format; expected keys queries/corpus/relevant_docs (LlamaIndex) "
            "or questions/corpus/relevant_contexts (notebook)"
        )
    if data.get("mode", "text") != "text":
        raise EmbedforgeError(f"{source}: mode {data['mode']!r} is not supported; only text datasets import")
    queries, corpus, relevant = (data[key] for key in shape)
    if not all(isinstance(part, dict) for part in (queries, corpus, relevant)):
        raise EmbedforgeError(f"{source}: {', '.join(shape)} must be JSON objects keyed by id")
    _check_texts(source, shape[0], queries)
    _check_texts(source, shape[1], corpus)
    relevant = {q: v if isinstance(v, list) else [v] for q, v in relevant.items()}
    for qid, docs in relevant.items():
        _check_texts(source, f"{shape[2]}[{json.dumps(qid)}]", dict(enumerate(docs)))
    for qid, docs in relevant.items():
        unknown = [d for d in docs if d not in corpus]
        if unknown:
            raise EmbedforgeError(f"{source}: query {qid!r} names passage {unknown[0]!r}, not in the corpus")
    return dict(queries), dict(corpus), relevant


def _check_texts(source: Path, where: str, values: dict[Any, Any]) -> None:
    """Every value of ``where`` must be a string UTF-8 can hold; else one line naming its JSON path.

    ``null``, numbers, booleans, lists and objects would otherwise become the texts "None", "123"...
    """
    for key, value in values.items():
        path = f"{where}[{key}]" if isinstance(key, int) else f"{where}[{json.dumps(key)}]"
        if not isinstance(value, str):
            kind = "null" if value is None else "true/false" if isinstance(value, bool) else \
                "a number" if isinstance(value, (int, float)) else "a list" if isinstance(value, list) else "an object"
            raise EmbedforgeError(f"{source}: {path} is {kind}, not text; every question, passage and id "
                                  "must be a JSON string")
        if _SURROGATE.search(value) or _SURROGATE.search(str(key)):
            raise EmbedforgeError(f"{source}: {path} holds a lone surrogate escape (\\ud800-\\udfff), "
                                  "which is not text; fix the file's encoding")


def import_dataset(
    train_file: str | os.PathLike[str],
    eval_file: str | os.PathLike[str] | None,
    out_dir: str | os.PathLike[str],
    settings: DatasetSettings | None = None,
) -> DatasetSummary:
    """Write a dataset folder from one or two JSON files (see the module docstring).

    Queries without a relevant passage or with empty text are dropped (counted as filtered).

    Raises:
        EmbedforgeError: a file cannot be read (see :func:`read_pairs_file`) or holds no usable question.
    """
    settings = settings or DatasetSettings()
    files = [Path(train_file)] + ([Path(eval_file)] if eval_file else [])
    chunks, queries, qsplit, dropped = _read_files(files, split_by_file=eval_file is not None)
    if not queries:
        raise EmbedforgeError(f"{files[0]}: no question with a relevant passage; nothing to import")
    split = _chunk_split(queries, qsplit, chunks, settings)
    dataset = RetrievalDataset(corpus_records(chunks.values()), queries={}, qrels={s: {} for s in SPLITS})
    for qid in sorted(queries):
        row = queries[qid]
        dataset.qrels[qsplit[qid] or split[row["chunk_id"]]][qid] = set(row.pop("relevant"))
        dataset.queries[qid] = row
    summary = summarize(Path(out_dir), dataset, Counts(filtered=dict(sorted(dropped.items()))))
    write_folder(out_dir, dataset, list(chunks.values()), split, summary, kind="import",
                 configuration={"dataset": settings, "files": [str(p) for p in files]},
                 inputs={"files": file_hashes(files)}, card_settings=vars(settings) | {"roundtrip_k": 0})
    return summary


def _read_files(files: list[Path], *, split_by_file: bool) -> tuple[
        dict[str, Chunk], dict[str, dict[str, Any]], dict[str, str | None], Counter[str]]:
    """Chunks, queries (with their relevant chunk ids), each query's split when the files fix it, and drops."""
    chunks: dict[str, Chunk] = {}
    queries: dict[str, dict[str, Any]] = {}
    qsplit: dict[str, str | None] = {}
    dropped: Counter[str] = Counter()
    for position, path in enumerate(files):
        q_texts, corpus, relevant = read_pairs_file(path)
        new_id = {}
        for old, text in corpus.items():
            chunk = Chunk.create(text, source=path.name)
            chunks.setdefault(chunk.id, chunk)
            new_id[old] = chunk.id
        for old_qid, text in q_texts.items():
            docs = sorted({new_id[d] for d in relevant.get(old_qid, [])})
            if not docs or not text.strip():
                dropped["no_relevant_passage" if not docs else "empty"] += 1
                continue
            qid = query_id(docs[0], text)
            if qid in queries:  # the same question on the same passage in both files: first file wins
                dropped["duplicate"] += 1
                continue
            queries[qid] = {"text": text.strip(), "chunk_id": docs[0], "source": path.name,
                            "relevant": docs, **_PROVENANCE_NONE}
            qsplit[qid] = ("train", "eval")[position] if split_by_file else None
    return chunks, queries, qsplit, dropped


def _chunk_split(
    queries: dict[str, dict[str, Any]], qsplit: dict[str, str | None], chunks: dict[str, Chunk],
    settings: DatasetSettings,
) -> dict[str, str]:
    """Chunk -> split: given by the files where there are two, else seeded by chunk as in ``build``."""
    bearing = {row["chunk_id"] for row in queries.values()}
    split = assign_split(bearing, chunks, settings.eval_fraction, settings.seed, settings.dev_fraction)
    given = {row["chunk_id"]: qsplit[qid] for qid, row in queries.items() if qsplit[qid] == "train"}
    given |= {row["chunk_id"]: "eval" for qid, row in queries.items() if qsplit[qid] == "eval"}
    both = {queries[q]["chunk_id"] for q in queries if qsplit[q] == "train"} & {
        queries[q]["chunk_id"] for q in queries if qsplit[q] == "eval"}
    if both:
        log.warning("%d passages have questions in both the train and the eval file; kept so", len(both))
    return dict(sorted((split | given).items()))


def export_dataset(
    dataset_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str], format: str = "llamaindex"
) -> list[Path]:
    """Write ``out_dir/{train,dev,eval}.json`` as LlamaIndex ``EmbeddingQAFinetuneDataset``, one file per split.

    Each file carries the whole corpus. Returns the files written.

    Raises:
        EmbedforgeError: an unknown format, or ``dataset_dir`` is not a dataset folder.
    """
    if format not in FORMATS:
        raise EmbedforgeError(f"--format {format}: unknown export format; use one of {', '.join(FORMATS)}")
    dataset = load_dataset_dir(dataset_dir)
    corpus = dataset.corpus_texts()
    written = []
    for split in SPLITS:
        table = dataset.qrels.get(split, {})
        if split == "dev" and not table:  # LlamaIndex knows train and eval; dev only when there is one
            continue
        payload = {
            "queries": {qid: dataset.queries[qid]["text"] for qid in table},
            "corpus": corpus,
            "relevant_docs": {qid: sorted(docs) for qid, docs in table.items()},
            "mode": "text",
        }
        target = Path(out_dir) / f"{split}.json"
        write_json(target, payload)
        written.append(target)
    return written
