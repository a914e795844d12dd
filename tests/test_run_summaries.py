"""What ``run`` hands back: each stage's summary, from the stage that ran or from the record of one done before.

``embedforge run`` exits 1 when its dataset lacks questions whose LLM calls failed. It learns that from
the dataset stage's summary: the one the stage returned, or, when an earlier run did the stage, the one
its manifest records (``DatasetSummary.recorded``). A run folder whose every stage is done is made here
by hand (keys and output hashes computed as the pipeline computes them), so no model runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from embedforge.commands.main import main
from embedforge.counts import Counts
from embedforge.dataset import DatasetSummary, import_dataset
from embedforge.errors import EmbedforgeError
from embedforge.files import write_json
from embedforge.pipeline.config import RunConfig, load_config
from embedforge.pipeline.execute import execute_stages
from embedforge.pipeline.stage_runs import documents
from embedforge.pipeline.stages import STAGES, Stage
from embedforge.pipeline.state import StageContext, read_state, write_state


def _stages(calls: list[str]) -> tuple[Stage, ...]:
    def make(name: str, section: str, recorded: Any = None) -> Stage:
        def run(config: RunConfig, context: StageContext) -> str:
            calls.append(name)
            (config.run_dir / f"{name}.txt").write_text(name)
            return f"{name} ran"

        return Stage(name, (section,), (), f"{name}.txt", f"{name}.txt", run, recorded=recorded)

    return make("first", "chunk"), make("second", "generate", recorded=lambda run_dir: f"second read from {run_dir}")


def test_the_pipeline_hands_back_each_stage_summary_ran_or_recorded(tmp_path: Path) -> None:
    calls: list[str] = []
    config = RunConfig(runs_dir=str(tmp_path))
    config.run_dir.mkdir(parents=True)
    first = execute_stages(config, _stages(calls), StageContext(state=read_state(config.run_dir)))
    assert first.summaries == {"first": "first ran", "second": "second ran"}
    again = execute_stages(config, _stages(calls), StageContext(state=read_state(config.run_dir)))
    assert again.ran == [] and calls == ["first", "second"]
    # A skipped stage that keeps no record has no summary; one that does is read from the run folder.
    assert again.summaries == {"second": f"second read from {config.run_dir}"}


def test_a_dataset_summary_reads_back_from_its_manifest(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.json"
    corpus = {f"c{i}": f"Passage number {i} about motor neurons and muscles." for i in range(6)}
    pairs.write_text(json.dumps({"queries": {f"q{i}": f"What is passage {i} about?" for i in range(6)},
                                 "corpus": corpus, "relevant_docs": {f"q{i}": [f"c{i}"] for i in range(6)},
                                 "mode": "text"}), encoding="utf-8")
    built = import_dataset(pairs, None, tmp_path / "ds")
    recorded = DatasetSummary.recorded(tmp_path / "ds")
    assert recorded == built
    (tmp_path / "ds" / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(EmbedforgeError, match=r"manifest\.json: not a readable dataset manifest"):
        DatasetSummary.recorded(tmp_path / "ds")


def _done_run(tmp_path: Path, failed: dict[str, int]) -> Path:
    """A configuration whose run folder an earlier run finished, its dataset lacking ``failed`` questions."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# Motor neurons\n\nThey carry signals from the brain to the muscles.\n")
    path = tmp_path / "run.toml"
    path.write_text(f'name = "done"\nruns_dir = "{tmp_path / "runs"}"\nmodel = "bundled-minilm"\n'
                    f'[corpus]\nsources = ["{docs}"]\n', encoding="utf-8")
    config = load_config(path)
    run_dir = config.run_dir
    for name in ("dataset", "model", "report"):
        (run_dir / name).mkdir(parents=True)
    (run_dir / "chunks.jsonl").write_text('{"id": "a"}\n')
    summary = DatasetSummary(out_dir=run_dir / "dataset", chunks=1, chunks_with_questions=1, questions=1,
                             counts=Counts(llm_calls=3, kept=1, failed=failed))
    write_json(run_dir / "dataset" / "manifest.json", {"counts": summary.to_counts()})
    (run_dir / "model" / "modules.json").write_text("[]\n")
    (run_dir / "report" / "metrics.json").write_text("{}\n")
    context = StageContext(files=documents(config, None))
    for stage in STAGES:  # recorded as the pipeline records a finished stage
        context.state[stage.name] = {"input": stage.key(config, context), "finished": True,
                                     "output": stage.output_hash(run_dir)}
    write_state(run_dir, context.state)
    return path


@pytest.mark.parametrize(("failed", "code"), [({"timeout": 2}, 1), ({}, 0)])
def test_run_exits_1_for_failed_questions_of_a_dataset_an_earlier_run_made(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], failed: dict[str, int], code: int) -> None:
    assert main(["--quiet", "run", str(_done_run(tmp_path, failed))]) == code
    out, err = capsys.readouterr()
    assert "dataset  up to date, skipped" in out
    assert ("2 questions failed" in err) == (code == 1)


def test_run_says_what_to_do_when_a_done_dataset_manifest_is_unreadable(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _done_run(tmp_path, {})
    manifest = tmp_path / "runs" / "done" / "dataset" / "manifest.json"
    manifest.write_text("{}\n")  # a record, not content: the stage stays done
    assert main(["--quiet", "run", str(config)]) == 2
    err = capsys.readouterr().err
    assert "manifest.json: not a readable dataset manifest" in err and "--force dataset" in err
