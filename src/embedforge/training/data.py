"""The training data: train pairs, the eval split over the whole corpus, hard negatives.

Reads a dataset folder (see :mod:`embedforge.dataset.layout`), checks it can be
trained on — chunks present, train pairs, an eval split, a batch that fits — and
turns it into what the Trainer and the evaluator take: a ``datasets.Dataset`` of
(anchor, positive[, negative_1..K]) rows, and eval queries, corpus and qrels. Every
check runs before a model is loaded and fails with a one-line error.

Hard negatives are mined with the base model (sentence-transformers'
``mine_hard_negatives``) over the whole corpus; a candidate is never the pair's own
chunk nor any other chunk the qrels mark relevant to the same question.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from embedforge.dataset.layout import CORPUS_FILE, QRELS_DIR, QUERIES_FILE, RetrievalDataset, load_dataset_dir
from embedforge.dataset.natural import choosing_questions
from embedforge.errors import EmbedforgeError
from embedforge.fingerprint import file_hash, object_hash

if TYPE_CHECKING:
    from datasets import Dataset
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)


@dataclass
class TrainingData:
    """A dataset folder made ready for training.

    Attributes:
        root: the dataset folder.
        pairs: (question, chunk text) train pairs, in qrels order.
        dev_queries: query id -> question, the dev split: it chooses the epoch and the
            interpolation weight (empty: no dev split, training picks by rule). The eval
            split is never read here, so it can be scored once, by ``compare``.
        corpus: chunk id -> text, the WHOLE corpus (retrieval is never over the dev chunks alone).
        dev_qrels: query id -> relevant chunk ids.
        relevant_texts: question -> texts of every chunk relevant to it (all splits).
        fingerprint: hash of the folder's files, so a checkpoint is tied to its data.
        dev_source: which questions choose (``dataset.natural.choosing_questions``): ``natural_dev``
            (the user's examples), ``dev_low_overlap``, ``dev``, or ``""`` (nothing chooses).
        dev_label: one line saying so, for the card and ``selection.json``.
        batch_size: the batch asked for, or less when the train split has fewer distinct pairs
            (``fitting_batch``).
    """

    root: Path
    pairs: list[tuple[str, str]]
    dev_queries: dict[str, str]
    corpus: dict[str, str]
    dev_qrels: dict[str, set[str]]
    relevant_texts: dict[str, set[str]]
    fingerprint: str
    dev_source: str = ""
    dev_label: str = ""
    batch_size: int = 0

    def pairs_dataset(self) -> Dataset:
        """The train pairs as a ``datasets.Dataset`` with columns anchor, positive."""
        from datasets import Dataset

        anchors, positives = zip(*self.pairs, strict=True)
        return Dataset.from_dict({"anchor": list(anchors), "positive": list(positives)})


def load_training_data(
    dataset_dir: str | os.PathLike[str], batch_size: int, world_size: int = 1, choose_on: str = "natural"
) -> TrainingData:
    """Read and check a dataset folder for training.

    ``choose_on`` is the rule of ``dataset.natural.choosing_questions``: which questions choose the
    epoch and the interpolation weight (the user's examples, else the low-overlap part of dev, else dev).

    Raises:
        EmbedforgeError: not a dataset folder (or another layout), no chunks, no train pairs,
            or a train split too small for any batch (``fitting_batch``).
    """
    root = Path(dataset_dir)
    dataset = load_dataset_dir(root)
    _check_records(root, dataset)
    if not dataset.corpus:
        raise EmbedforgeError(f"{root}/corpus.jsonl: the dataset has no chunks; build it again")
    pairs = dataset.pairs("train")
    if not pairs:
        raise EmbedforgeError(f"{root}/qrels/train.tsv: no train pairs; build the dataset with a train split")
    choosing = choosing_questions(dataset, root, choose_on)
    if choosing is None:
        log.info("%s has no dev split: the last epoch is kept and the interpolation weight set by rule", root)
    else:
        log.info("choosing the epoch and the interpolation weight on %s", choosing.label)
    fitted = fitting_batch(root, pairs, batch_size, world_size)
    relevant: dict[str, set[str]] = {}
    for table in dataset.qrels.values():
        for qid, cids in table.items():
            texts = relevant.setdefault(dataset.queries[qid]["text"], set())
            texts.update(dataset.corpus[c]["text"] for c in cids)
    return TrainingData(
        root=root,
        pairs=pairs,
        dev_queries=choosing.queries if choosing else {},
        corpus=dataset.corpus_texts(),
        dev_qrels=choosing.qrels if choosing else {},
        relevant_texts=relevant,
        fingerprint=_fingerprint(root),
        dev_source=choosing.source if choosing else "",
        dev_label=choosing.label if choosing else "",
        batch_size=fitted,
    )


def mine_negatives(data: TrainingData, model: SentenceTransformer, count: int) -> Dataset:
    """(anchor, positive, negative_1..count) rows, negatives mined with ``model`` over the whole corpus.

    A pair whose question has fewer than ``count`` usable candidates is dropped (logged).

    Raises:
        EmbedforgeError: the corpus is too small for ``count`` negatives, or no pair keeps enough.
    """
    from datasets import Dataset
    from sentence_transformers.util import mine_hard_negatives

    wanted = check_negatives(data, count)
    mined = mine_hard_negatives(
        data.pairs_dataset(), model, corpus=list(data.corpus.values()), num_negatives=wanted,
        sampling_strategy="top", output_format="n-tuple", batch_size=32, verbose=False,
    )
    columns = ["anchor", "positive", *(f"negative_{i}" for i in range(1, count + 1))]
    rows: dict[str, list[str]] = {name: [] for name in columns}
    for row in mined:
        bad = data.relevant_texts.get(row["anchor"], set()) | {row["positive"]}
        negatives = [row[f"negative_{i}"] for i in range(1, wanted + 1) if row[f"negative_{i}"] not in bad]
        if len(negatives) < count:
            continue
        rows["anchor"].append(row["anchor"])
        rows["positive"].append(row["positive"])
        for i, text in enumerate(negatives[:count], start=1):
            rows[f"negative_{i}"].append(text)
    kept = len(rows["anchor"])
    if kept < len(data.pairs):
        log.warning("hard negatives: %d of %d pairs had too few candidates and were dropped",
                    len(data.pairs) - kept, len(data.pairs))
    if kept == 0:
        raise EmbedforgeError(f"--hard-negatives {count}: no pair has {count} usable negatives; use fewer")
    return Dataset.from_dict(rows)


def check_negatives(data: TrainingData, count: int) -> int:
    """How many candidates to mine for ``count`` usable negatives (room to drop relevant ones).

    Raises:
        EmbedforgeError: the corpus is too small for ``count`` negatives per pair.
    """
    spare = max(len(texts) for texts in data.relevant_texts.values())
    if len(data.corpus) <= count + spare:
        raise EmbedforgeError(
            f"--hard-negatives {count}: the corpus has only {len(data.corpus)} chunks; "
            f"use at most {max(len(data.corpus) - spare - 1, 0)}"
        )
    return count + spare


def _check_records(root: Path, dataset: RetrievalDataset) -> None:
    """A folder of another layout (other field names) fails here rather than deep inside training."""
    for name, table in ((CORPUS_FILE, dataset.corpus), (QUERIES_FILE, dataset.queries)):
        for key, row in table.items():
            text: Any = row.get("text")
            if not isinstance(text, str) or not text.strip():
                raise EmbedforgeError(
                    f"{root}/{name}: record {key!r} has no text; not an embedforge dataset layout — "
                    "build it with `embedforge dataset build` or `embedforge dataset import`"
                )


def fitting_batch(root: Path, pairs: list[tuple[str, str]], batch_size: int, world_size: int = 1) -> int:
    """``batch_size``, or the largest batch the train split fills (logged) when it is smaller.

    The no-duplicates sampler never puts a question or a chunk twice in one batch, so a batch
    holds at most as many pairs as there are distinct questions and chunks: a small dataset (a
    few documents) trains with smaller batches rather than not at all.

    Raises:
        EmbedforgeError: fewer than 2 distinct pairs per process (a batch of one has no negative).
    """
    distinct = min(len({q for q, _ in pairs}), len({c for _, c in pairs}))
    processes = f", {world_size} processes" if world_size > 1 else ""
    most = distinct // world_size
    if most < 2:
        raise EmbedforgeError(
            f"{root}/qrels/train.tsv: {distinct} distinct chunks/questions in the train split{processes}; a batch "
            "needs at least 2 (the other pairs' chunks are the negatives); add documents")
    if batch_size <= most:
        return batch_size
    log.warning("--batch-size %d: the train split of %s has %d distinct chunks/questions%s, so batches hold %d "
                "pairs; add documents for larger batches", batch_size, root, distinct, processes, most)
    return most


def _fingerprint(root: Path) -> str:
    names = (CORPUS_FILE, QUERIES_FILE, f"{QRELS_DIR}/train.tsv", f"{QRELS_DIR}/dev.tsv")
    return object_hash({name: file_hash(str(root / name)) for name in names if (root / name).is_file()})
