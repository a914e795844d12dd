"""The whole job, incremental: chunk -> dataset -> train -> compare into ``runs/<name>/``.

Each stage records a hash of its inputs (the upstream output it read, its part of
the configuration, and for the first stage the documents themselves) in
``runs/<name>/state.json`` once it has finished. On the next run a stage whose
recorded hash matches and whose outputs are present is skipped, so a re-run after a
crash or a configuration change redoes only what changed; ``force`` redoes one
stage and everything after it. A training stage interrupted half-way resumes from
its last checkpoint instead of starting over. The keys and ``state.json`` live in
:mod:`embedforge.run_state`; what each stage does, in :mod:`embedforge.run_stages`.

Layout::

    runs/<name>/config.json      the resolved configuration (secrets removed)
    runs/<name>/state.json       input hash of each finished stage
    runs/<name>/chunks.jsonl     corpus stage
    runs/<name>/dataset/         questions, split, BEIR layout
    runs/<name>/model/           the fine-tuned model
    runs/<name>/report/          base vs fine-tuned (metrics.json, report.md, per_query.csv, ndcg_by_dim.png)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from embedforge.config import RunConfig, to_dict
from embedforge.errors import EmbedforgeError
from embedforge.files import sweep_temporaries, write_json
from embedforge.run_checks import check_run
from embedforge.run_stages import documents, run_chunk, run_compare, run_dataset, run_train
from embedforge.run_state import (
    chunk_key,
    compare_key,
    dataset_key,
    output_hash,
    outputs_present,
    read_state,
    train_key,
    write_state,
)

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
        EmbedforgeError: an unknown ``force`` stage, a configuration :func:`check_run` rejects
            (before anything is written), or any stage's own error.
    """
    if force is not None and force not in STAGES:
        raise EmbedforgeError(f"--force {force!r}: unknown stage; choose one of {', '.join(STAGES)}")
    check_run(config)  # before the run folder exists: a rejected run leaves nothing behind
    files = documents(config, corpus_dir)  # once: with a manifest this checks every file's sha256
    run_dir = config.run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    if swept := sweep_temporaries(run_dir):
        log.info("removed %d temporary file(s) left by an interrupted run", swept)
    write_json(run_dir / "config.json", to_dict(config))
    state = read_state(run_dir)
    forced = set(STAGES[STAGES.index(force):]) if force else set()
    result = RunResult(run_dir=run_dir)
    steps: list[tuple[str, Callable[[], str], Callable[[], None]]] = [
        ("chunk", lambda: chunk_key(config, files), lambda: run_chunk(config, files)),
        ("dataset", lambda: dataset_key(config, state), lambda: run_dataset(config)),
        ("train", lambda: train_key(config, state), lambda: run_train(config, state)),
        ("compare", lambda: compare_key(config, state), lambda: run_compare(config)),
    ]
    for stage, key_of, execute in steps:
        key = key_of()
        recorded = state.get(stage, {})
        # A stage killed half-way has its input recorded but not "finished": it runs again.
        if stage not in forced and recorded.get("input") == key and recorded.get("finished") \
                and outputs_present(run_dir, stage):
            log.info("%s: up to date, skipped", stage)
            result.skipped.append(stage)
            continue
        log.info("%s: running", stage)
        state[stage] = {"input": key, "finished": False}
        write_state(run_dir, state)
        started = time.perf_counter()
        execute()
        result.seconds[stage] = time.perf_counter() - started
        state[stage] = {
            "input": key, "finished": True, "output": output_hash(run_dir, stage),
            "seconds": round(result.seconds[stage], 1),
        }
        write_state(run_dir, state)
        result.ran.append(stage)
    return result
