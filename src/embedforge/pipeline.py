"""The whole job, incremental: chunk -> dataset -> train -> compare into ``runs/<name>/``.

Each stage records a hash of its inputs (the upstream output it read, its part of
the configuration, and for the first stage the documents themselves) in
``runs/<name>/state.json`` once it has finished. On the next run a stage whose
recorded hash matches and whose outputs are present is skipped, so a re-run after a
crash or a configuration change redoes only what changed; ``force`` redoes one
stage and everything after it. A training stage interrupted half-way resumes from
its last checkpoint instead of starting over.

Layout::

    runs/<name>/config.json      the resolved configuration (secrets removed)
    runs/<name>/state.json       input hash of each finished stage
    runs/<name>/chunks.jsonl     corpus stage
    runs/<name>/dataset/         questions, split, BEIR layout
    runs/<name>/model/           the fine-tuned model
    runs/<name>/report/          base vs fine-tuned (metrics.json, report.md, per_query.csv, ndcg_by_dim.png)
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embedforge.config import RunConfig, to_dict
from embedforge.errors import EmbedforgeError
from embedforge.files import sweep_temporaries, write_json
from embedforge.fingerprint import file_hash, object_hash

log = logging.getLogger(__name__)

STAGES = ("chunk", "dataset", "train", "compare")


@dataclass
class RunResult:
    """What ``run`` did: the run folder, and per stage whether it ran or was up to date, and how long it took."""

    run_dir: Path
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def format(self) -> str:
        lines = [f"run folder: {self.run_dir}"]
        for stage in STAGES:
            if stage in self.ran:
                lines.append(f"  {stage:<8} ran in {self.seconds.get(stage, 0.0):.1f} s")
            elif stage in self.skipped:
                lines.append(f"  {stage:<8} up to date, skipped")
        report = self.run_dir / "report" / "report.md"
        if report.is_file():
            lines.append(f"report: {report}")
        return "\n".join(lines)


def run(config: RunConfig, *, corpus_dir: str | Path | None = None, force: str | None = None) -> RunResult:
    """Run every stage of ``config`` that is not up to date.

    Args:
        config: the resolved run configuration (``embedforge.config.load_config``).
        corpus_dir: folder holding the manifest's documents (overrides ``EMBEDFORGE_CORPUS``).
        force: a stage name; that stage and all after it run even when up to date.

    Raises:
        EmbedforgeError: an unknown ``force`` stage, or any stage's own error.
    """
    if force is not None and force not in STAGES:
        raise EmbedforgeError(f"--force {force!r}: unknown stage; choose one of {', '.join(STAGES)}")
    run_dir = config.run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    if swept := sweep_temporaries(run_dir):
        log.info("removed %d temporary file(s) left by an interrupted run", swept)
    write_json(run_dir / "config.json", to_dict(config))
    state = _read_state(run_dir)
    forced = set(STAGES[STAGES.index(force):]) if force else set()
    result = RunResult(run_dir=run_dir)
    steps: list[tuple[str, Callable[[], str], Callable[[], None]]] = [
        ("chunk", lambda: _chunk_key(config, corpus_dir), lambda: _chunk(config, corpus_dir)),
        ("dataset", lambda: _dataset_key(config, state), lambda: _dataset(config)),
        ("train", lambda: _train_key(config, state), lambda: _train(config, state)),
        ("compare", lambda: _compare_key(config, state), lambda: _compare(config)),
    ]
    for stage, key_of, execute in steps:
        key = key_of()
        recorded = state.get(stage, {})
        # A stage killed half-way has its input recorded but not "finished": it runs again.
        if stage not in forced and recorded.get("input") == key and recorded.get("finished") \
                and _outputs_present(run_dir, stage):
            log.info("%s: up to date, skipped", stage)
            result.skipped.append(stage)
            continue
        log.info("%s: running", stage)
        state[stage] = {"input": key, "finished": False}
        _write_state(run_dir, state)
        started = time.perf_counter()
        execute()
        result.seconds[stage] = time.perf_counter() - started
        state[stage] = {
            "input": key, "finished": True, "output": _output_hash(run_dir, stage),
            "seconds": round(result.seconds[stage], 1),
        }
        _write_state(run_dir, state)
        result.ran.append(stage)
    return result


# --- stage keys: a hash of everything a stage's output depends on -------------------------------


def _chunk_key(config: RunConfig, corpus_dir: str | Path | None) -> str:
    documents = _documents(config, corpus_dir)
    hashes = [file_hash(str(p)) if p.is_file() else str(p) for p in documents]
    return object_hash({"settings": dataclasses.asdict(config.chunk), "documents": hashes})


def _dataset_key(config: RunConfig, state: dict[str, Any]) -> str:
    from embedforge.generators import load_prompt

    prompt = load_prompt(config.generate.prompt_name())
    return object_hash(
        {
            "chunks": state.get("chunk", {}).get("output"),
            "generate": dataclasses.asdict(config.generate),
            "prompt": prompt.hash,
            "dataset": dataclasses.asdict(config.dataset),
        }
    )


def _train_key(config: RunConfig, state: dict[str, Any]) -> str:
    settings = {k: v for k, v in dataclasses.asdict(config.train).items() if k != "resume"}
    return object_hash({"dataset": state.get("dataset", {}).get("output"), "train": settings})


def _compare_key(config: RunConfig, state: dict[str, Any]) -> str:
    handwritten = file_hash(config.handwritten) if config.handwritten and Path(config.handwritten).is_file() else None
    return object_hash(
        {
            "dataset": state.get("dataset", {}).get("output"),
            "model": state.get("train", {}).get("output"),
            "compare": dataclasses.asdict(config.compare),
            "base": config.train.base_model,
            "handwritten": handwritten,
        }
    )


# --- stages ---------------------------------------------------------------------------------------


def _documents(config: RunConfig, corpus_dir: str | Path | None) -> list[Path]:
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


def _chunk(config: RunConfig, corpus_dir: str | Path | None) -> None:
    from embedforge.corpus import chunk_documents

    summary = chunk_documents(_documents(config, corpus_dir), config.run_dir, config.chunk)
    log.info("%s", summary.format())
    if summary.chunks_kept == 0:
        raise EmbedforgeError(f"{config.run_dir / 'chunks.jsonl'}: no chunks were kept; check the documents")


def _dataset(config: RunConfig) -> None:
    from embedforge.corpus import read_chunks
    from embedforge.dataset import build_dataset_from_chunks

    chunks = read_chunks(config.run_dir / "chunks.jsonl")
    summary = build_dataset_from_chunks(
        chunks,
        config.run_dir / "dataset",
        generation_settings=config.generate,
        dataset_settings=config.dataset,
        config=to_dict(config),
    )
    log.info("%s", summary.format())


def _train(config: RunConfig, state: dict[str, Any]) -> None:
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


def _compare(config: RunConfig) -> None:
    from embedforge.evaluation import compare

    models = {"base": config.train.base_model, "fine-tuned": str(config.run_dir / "model")}
    settings = config.compare
    if config.handwritten:
        settings = dataclasses.replace(settings, extra_queries=config.handwritten)
    result = compare(config.run_dir / "dataset", models, config.run_dir / "report", settings)
    log.info("%s", result.format_table())


# --- state ----------------------------------------------------------------------------------------

OUTPUTS = {"chunk": "chunks.jsonl", "dataset": "dataset/manifest.json", "train": "model/modules.json",
           "compare": "report/metrics.json"}


def _outputs_present(run_dir: Path, stage: str) -> bool:
    return (run_dir / OUTPUTS[stage]).is_file()


def _output_hash(run_dir: Path, stage: str) -> str:
    target = run_dir / OUTPUTS[stage]
    if stage == "chunk":
        return file_hash(str(target))
    folder = target.parent
    files = sorted(p for p in folder.rglob("*") if p.is_file() and "checkpoints" not in p.parts)
    return object_hash({str(p.relative_to(folder)): file_hash(str(p)) for p in files})


def _read_state(run_dir: Path) -> dict[str, Any]:
    path = run_dir / "state.json"
    if not path.is_file():
        return {}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        log.warning("%s: unreadable, every stage will run", path)
        return {}
    return state if isinstance(state, dict) else {}


def _write_state(run_dir: Path, state: dict[str, Any]) -> None:
    write_json(run_dir / "state.json", state)
