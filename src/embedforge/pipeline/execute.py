"""The whole job, incremental: chunk -> dataset -> train -> compare into ``runs/<name>/``.

Each stage records a hash of its inputs (the upstream output it read, its part of
the configuration, and for the first stage the documents themselves) in
``runs/<name>/state.json`` once it has finished. On the next run a stage whose
recorded hash matches and whose outputs are present is skipped, so a re-run after a
crash or a configuration change redoes only what changed; ``force`` redoes one
stage and everything after it. A training stage interrupted half-way resumes from
its last checkpoint instead of starting over. Each stage's summary (what its public function
returns; for a skipped stage that keeps one, the one its output records) comes back in
:attr:`RunResult.summaries`. The stages and their keys are declared
in :mod:`embedforge.pipeline.stages`, ``state.json`` lives in :mod:`embedforge.pipeline.state`, and what
running each stage means, in :mod:`embedforge.pipeline.stage_runs`.

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embedforge.files import sweep_temporaries, write_json
from embedforge.pipeline.checks import check_force, check_run
from embedforge.pipeline.config import RunConfig, to_dict
from embedforge.pipeline.report import closing_lines
from embedforge.pipeline.stage_runs import REPORT_DIR, documents
from embedforge.pipeline.stages import STAGE_NAMES, STAGES, Stage
from embedforge.pipeline.state import StageContext, read_state, write_state
from embedforge.settings import CONFIG_FILE

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    """What ``run`` did: the run folder, and per stage whether it ran or was up to date, and how long it took.

    ``summaries``: per stage, the summary its run returned (a :class:`~embedforge.corpus.CorpusSummary`,
    :class:`~embedforge.dataset.DatasetSummary`, :class:`~embedforge.training.TrainResult`,
    :class:`~embedforge.evaluation.CompareResult`), or for a skipped stage the one its output records
    (``Stage.recorded``; a skipped stage that keeps none has no entry).
    """

    run_dir: Path
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    summaries: dict[str, Any] = field(default_factory=dict)

    def format(self) -> str:
        lines = [f"run folder: {self.run_dir}"]
        done = [*self.skipped, *self.ran]
        for stage in sorted(done, key=lambda n: STAGE_NAMES.index(n) if n in STAGE_NAMES else len(done)):
            if stage in self.ran:
                lines.append(f"  {stage:<8} ran in {self.seconds.get(stage, 0.0):.1f} s")
            else:
                lines.append(f"  {stage:<8} up to date, skipped")
        lines += closing_lines(self.run_dir / REPORT_DIR)
        return "\n".join(lines)


def run(config: RunConfig, *, corpus_dir: str | Path | None = None, force: str | None = None) -> RunResult:
    """Run every stage of ``config`` that is not up to date.

    Args:
        config: the resolved run configuration (``embedforge.pipeline.config.load_config``).
        corpus_dir: folder holding the manifest's documents (overrides ``EMBEDFORGE_CORPUS``).
        force: a stage name; that stage and all after it run even when up to date.

    Raises:
        EmbedforgeError: an unknown ``force`` stage, a configuration :func:`check_run` rejects
            (before anything is written), or any stage's own error.
    """
    check_force(force)
    check_run(config)  # before the run folder exists: a rejected run leaves nothing behind
    files = documents(config, corpus_dir)  # once: with a manifest this checks every file's sha256
    run_dir = config.run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    if swept := sweep_temporaries(run_dir):
        log.info("removed %d temporary file(s) left by an interrupted run", swept)
    write_json(run_dir / CONFIG_FILE, to_dict(config))
    return execute_stages(config, STAGES, StageContext(files=files, state=read_state(run_dir)), force=force)


def execute_stages(config: RunConfig, stages: Sequence[Stage], context: StageContext,
               force: str | None = None) -> RunResult:
    """Run, in order, each of ``stages`` whose key changed, that did not finish, or whose output is missing.

    ``force`` redoes that stage and all after it. ``context.state`` is updated and written to
    ``state.json`` before and after each stage, so a killed run redoes only the unfinished stage.
    """
    names = [stage.name for stage in stages]
    forced = set(names[names.index(force):]) if force else set()
    result = RunResult(run_dir=config.run_dir)
    for stage in stages:
        key = stage.key(config, context)
        recorded = context.state.get(stage.name, {})
        # A stage killed half-way has its input recorded but not "finished": it runs again.
        if stage.name not in forced and recorded.get("input") == key and recorded.get("finished") \
                and stage.is_present(config.run_dir):
            log.info("%s: up to date, skipped", stage.name)
            result.skipped.append(stage.name)
            if stage.recorded is not None:
                result.summaries[stage.name] = stage.recorded(config.run_dir)
            continue
        log.info("%s: running", stage.name)
        context.state[stage.name] = {"input": key, "finished": False}
        write_state(config.run_dir, context.state)
        started = time.perf_counter()
        result.summaries[stage.name] = stage.run(config, context)
        result.seconds[stage.name] = time.perf_counter() - started
        context.state[stage.name] = {"input": key, "finished": True, "output": stage.output_hash(config.run_dir),
                                     "seconds": round(result.seconds[stage.name], 1)}
        write_state(config.run_dir, context.state)
        result.ran.append(stage.name)
    return result
