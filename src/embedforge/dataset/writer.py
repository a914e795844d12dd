"""Write a complete dataset folder: BEIR files plus what ``regenerate`` and a reader need.

``layout.write_dataset_dir`` writes the retrieval files (corpus, queries, qrels,
train.parquet); this adds ``chunks.jsonl`` and ``split.json`` (so ``regenerate``
keeps the chunks and the split exactly), ``manifest.json`` and the ``README.md``
card. Every file goes through ``embedforge.files`` (atomic, sorted-key JSON).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from embedforge.corpus.record import Chunk, write_chunks
from embedforge.corpus.stage import CHUNKS_FILE
from embedforge.counts import Counts
from embedforge.dataset.assemble import split_sizes
from embedforge.dataset.card import render_card
from embedforge.dataset.layout import (
    CARD_FILE,
    CORPUS_FILE,
    EMBEDDING_CACHE_DIR,
    NATURAL_DEV_FILE,
    QRELS_DIR,
    QUERIES_FILE,
    TRAIN_JSONL_FILE,
    TRAIN_PAIRS_FILE,
    RetrievalDataset,
    write_dataset_dir,
)
from embedforge.dataset.manifest import MANIFEST_FILE, build_manifest
from embedforge.dataset.show import FILTERED_FILE
from embedforge.dataset.split import SPLIT_FILE, write_split
from embedforge.dataset.summary import DatasetSummary
from embedforge.files import atomic_write_text, write_json
from embedforge.fingerprint import file_hash
from embedforge.outdir import Output
from embedforge.settings import CONFIG_FILE

log = logging.getLogger(__name__)

# A dataset folder, finished once its manifest is written (last); the card, the manifest (a timestamp) and
# readers' embedding cache are records, so a rebuild with the same questions leaves the run's later stages done.
DATASET_OUTPUT = Output(
    "dataset",
    frozenset({CORPUS_FILE, QUERIES_FILE, QRELS_DIR, TRAIN_PAIRS_FILE, TRAIN_JSONL_FILE, CHUNKS_FILE, SPLIT_FILE,
               MANIFEST_FILE, CARD_FILE, CONFIG_FILE, FILTERED_FILE, NATURAL_DEV_FILE}),
    finished=MANIFEST_FILE,
    records=frozenset({MANIFEST_FILE, CARD_FILE, EMBEDDING_CACHE_DIR}),
)


def summarize(out_dir: Path, dataset: RetrievalDataset, counts: Counts) -> DatasetSummary:
    """A :class:`DatasetSummary` of an assembled dataset and the run's counts."""
    sizes: dict[str, Any] = split_sizes(dataset)
    return DatasetSummary(out_dir=out_dir, chunks=len(dataset.corpus), questions=len(dataset.queries),
                          chunks_with_questions=sum(n for k, n in sizes.items() if k.endswith("_chunks")),
                          counts=counts, **sizes)


def write_folder(
    out_dir: str | os.PathLike[str],
    dataset: RetrievalDataset,
    chunks: Sequence[Chunk],
    split: dict[str, str],
    summary: DatasetSummary,
    *,
    kind: str,
    configuration: Any,
    inputs: dict[str, Any],
    card_settings: dict[str, Any] | None = None,
) -> None:
    """Write every file of a dataset folder.

    Args:
        out_dir: the folder (created if missing).
        dataset: corpus, queries and qrels.
        chunks: the corpus as chunk records (kept as ``chunks.jsonl``).
        split: chunk id -> split (kept as ``split.json``).
        summary: the counts for the manifest and the card.
        kind: ``build``, ``regenerate`` or ``import``.
        configuration: resolved settings for the manifest (secrets are scrubbed).
        inputs: input hashes; the sha256 of the written ``chunks.jsonl`` is added.
        card_settings: split/filter settings shown on the card.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_dataset_dir(out, dataset)
    write_chunks(out / CHUNKS_FILE, chunks)
    write_split(out, split)
    manifest = build_manifest(
        kind=kind,
        configuration=configuration,
        inputs={**inputs, CHUNKS_FILE: file_hash(str(out / CHUNKS_FILE))},
        counts=summary.to_counts(),
        bias=summary.bias,
    )
    write_json(out / MANIFEST_FILE, manifest)
    atomic_write_text(
        out / CARD_FILE, render_card(dataset, summary, kind=kind, settings=card_settings or {})
    )
    log.info("wrote %s", out)
