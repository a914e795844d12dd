"""The four stages of ``embedforge run``, each a call of its stage's one public function.

:mod:`embedforge.pipeline` decides which stages run; this module says what running one
means for a run folder: which documents the corpus stage reads, where each stage
writes, and how an interrupted training resumes. Stage packages are imported on use,
so ``embedforge run`` with everything up to date never loads torch.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
from pathlib import Path
from typing import Any

from embedforge.config import RunConfig, to_dict
from embedforge.errors import EmbedforgeError

log = logging.getLogger(__name__)


def documents(config: RunConfig, corpus_dir: str | Path | None) -> list[Path]:
    """The document files of the run: the manifest's (located or fetched), or every file under ``sources``."""
    from embedforge.corpus import locate_documents

    if config.corpus.manifest:
        folder = corpus_dir or config.corpus.folder
        return locate_documents(config.corpus.manifest, folder=folder)
    if not config.corpus.sources:
        raise EmbedforgeError("configuration [corpus]: give `manifest` or `sources`")
    files: list[Path] = []
    for source in map(Path, config.corpus.sources):
        files.extend(sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source])
    return files


def run_chunk(config: RunConfig, files: list[Path]) -> None:
    """Corpus stage: ``files`` (from :func:`documents`) into ``chunks.jsonl``; an error when no chunk is kept."""
    from embedforge.corpus import chunk_documents
    from embedforge.engine import use_engine

    with use_engine(config.engine):
        summary = chunk_documents(files, config.run_dir, config.chunk)
    log.info("%s", summary.format())
    if summary.chunks_kept == 0:
        raise EmbedforgeError(f"{config.run_dir / 'chunks.jsonl'}: no chunks were kept; check the documents")


def run_dataset(config: RunConfig) -> None:
    """Question stage: ``chunks.jsonl`` into ``dataset/`` (questions, split, BEIR layout)."""
    from embedforge.corpus import read_chunks
    from embedforge.dataset import build_dataset_from_chunks

    chunks = read_chunks(config.run_dir / "chunks.jsonl")
    from embedforge.engine import use_engine

    with use_engine(config.engine):
        summary = build_dataset_from_chunks(chunks, config.run_dir / "dataset", generation_settings=config.generate,
                                            dataset_settings=config.dataset, config=to_dict(config))
    log.info("%s", summary.format())


def run_train(config: RunConfig, state: dict[str, Any]) -> None:
    """Training stage: ``dataset/`` into ``model/``, resuming an interrupted run of the same training."""
    from embedforge.training import train
    from embedforge.training.checkpoints import MARKER

    model_dir = config.run_dir / "model"
    interrupted = state.get("train", {}).get("finished") is False
    # An interrupted run of the same training resumes from its last complete (marked) checkpoint;
    # if it was killed before any checkpoint was complete, its unmarked leftovers are useless: start over.
    resume = interrupted and any(model_dir.glob(f"checkpoints/checkpoint-*/{MARKER}"))
    if interrupted and not resume and (model_dir / "checkpoints").is_dir():
        log.info("%s: no complete checkpoint of the interrupted training; starting it over", model_dir)
        shutil.rmtree(model_dir / "checkpoints")
    settings = dataclasses.replace(config.train, resume=resume or config.train.resume)
    train(config.run_dir / "dataset", model_dir, settings)


def run_compare(config: RunConfig) -> None:
    """Comparison stage: base vs fine-tuned (and hand-written questions, if given) into ``report/``."""
    from embedforge.evaluation import compare

    models = {"base": config.train.base_model, "fine-tuned": str(config.run_dir / "model")}
    settings = config.compare
    if config.handwritten:
        settings = dataclasses.replace(settings, extra_queries=config.handwritten)
    result = compare(config.run_dir / "dataset", models, config.run_dir / "report", settings)
    log.info("%s", result.format_table())
