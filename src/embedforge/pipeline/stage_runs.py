"""The four stages of ``embedforge run``, each a call of its stage's one public function.

:mod:`embedforge.pipeline.execute` decides which stages run; this module says what running one
means for a run folder: which documents the corpus stage reads, where in the run folder
each stage writes (:data:`DATASET_DIR`, :data:`MODEL_DIR`, :data:`REPORT_DIR`; the chunks lie
in the run folder itself), and how an interrupted training resumes. Each returns its stage's
summary (what the stage's public function returns), which the pipeline hands to its caller.
Stage packages' heavy parts are imported on use, so ``embedforge run`` with everything up to
date never loads torch.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from embedforge.corpus.stage import CHUNKS_FILE
from embedforge.errors import EmbedforgeError
from embedforge.pipeline.config import RunConfig, to_dict
from embedforge.training.publish import CHECKPOINTS_DIR

if TYPE_CHECKING:
    from embedforge.corpus import CorpusSummary
    from embedforge.dataset import DatasetSummary
    from embedforge.evaluation import CompareResult
    from embedforge.pipeline.state import StageContext
    from embedforge.training import TrainResult

log = logging.getLogger(__name__)

# Where each stage writes in the run folder: the run's layout, named once.
DATASET_DIR, MODEL_DIR, REPORT_DIR = "dataset", "model", "report"


def documents(config: RunConfig, corpus_dir: str | Path | None) -> list[Path]:
    """The run's SOURCEs: the manifest's document files (located or fetched), or ``sources`` as given.

    Folders are not expanded here: the corpus stage walks them (``corpus.iter_sources``), the
    one walk that decides which files are documents and what label their chunks carry.
    """
    from embedforge.corpus import locate_documents

    if config.corpus.manifest:
        folder = corpus_dir or config.corpus.folder
        return locate_documents(config.corpus.manifest, folder=folder)
    if not config.corpus.sources:
        raise EmbedforgeError("configuration [corpus]: give `manifest` or `sources`")
    from embedforge.corpus.source_check import check_sources

    check_sources(config.corpus.sources)  # no document at all is a usage error, before the run folder exists
    return [Path(source) for source in config.corpus.sources]


def run_chunk(config: RunConfig, context: StageContext) -> CorpusSummary:
    """Corpus stage: the run's files (from :func:`documents`) into ``chunks.jsonl``; an error if no chunk is kept."""
    from embedforge.corpus import chunk_documents
    summary = chunk_documents(context.files, config.run_dir, config.chunk, engine=config.engine)
    log.info("%s", summary.format())
    if summary.chunks_kept == 0:
        raise EmbedforgeError(f"{config.run_dir / CHUNKS_FILE}: no chunks were kept; check the documents")
    return summary


def run_dataset(config: RunConfig, context: StageContext) -> DatasetSummary:
    """Question stage: ``chunks.jsonl`` into ``dataset/`` (questions, split, BEIR layout)."""
    from embedforge.corpus import read_chunks
    from embedforge.dataset import build_dataset_from_chunks

    chunks = read_chunks(config.run_dir / CHUNKS_FILE)  # the corpus stage's output, maybe an earlier run's
    summary = build_dataset_from_chunks(chunks, config.run_dir / DATASET_DIR, generation_settings=config.generate,
                                        dataset_settings=config.dataset, config=to_dict(config), engine=config.engine)
    log.info("%s", summary.format())
    return summary


def recorded_dataset(run_dir: Path) -> DatasetSummary:
    """The question stage's summary as its folder's manifest records it (the stage was done by an earlier run)."""
    from embedforge.dataset import DatasetSummary

    return DatasetSummary.recorded(run_dir / DATASET_DIR)


def run_train(config: RunConfig, context: StageContext) -> TrainResult:
    """Training stage: ``dataset/`` into ``model/``, resuming an interrupted run of the same training."""
    from embedforge.training import train
    from embedforge.training.checkpoints import MARKER

    model_dir = config.run_dir / MODEL_DIR
    interrupted = context.state.get("train", {}).get("finished") is False
    # An interrupted run of the same training resumes from its last complete (marked) checkpoint;
    # if it was killed before any checkpoint was complete, its unmarked leftovers are useless: start over.
    resume = interrupted and any(model_dir.glob(f"{CHECKPOINTS_DIR}/checkpoint-*/{MARKER}"))
    if interrupted and not resume and (model_dir / CHECKPOINTS_DIR).is_dir():
        log.info("%s: no complete checkpoint of the interrupted training; starting it over", model_dir)
        shutil.rmtree(model_dir / CHECKPOINTS_DIR)
    settings = dataclasses.replace(config.train, resume=resume or config.train.resume)
    return train(config.run_dir / DATASET_DIR, model_dir, settings)


def run_compare(config: RunConfig, context: StageContext) -> CompareResult:
    """Comparison stage: base vs fine-tuned (and hand-written questions, if given) into ``report/``."""
    from embedforge.evaluation import compare

    models = {"base": config.train.base_model, "fine-tuned": str(config.run_dir / MODEL_DIR)}
    result = compare(config.run_dir / DATASET_DIR, models, config.run_dir / REPORT_DIR, config.compare)
    log.info("%s", result.format_table())
    return result
