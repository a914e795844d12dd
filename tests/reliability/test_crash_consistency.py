"""SIGKILL ``embedforge run`` at seeded random moments in every stage; every re-run ends as if never killed.

One uninterrupted run of a tiny configuration is the reference. Then, in a few
cycles, a fresh run folder is started and killed again and again: each attempt is
SIGKILLed a random time after a chosen stage starts (chunking, mid-generation,
mid-training, mid-comparison) or after launch, and the next attempt starts from
whatever the kill left. After every kill every file in the run folder must parse to
the end; at the end of each cycle an unkilled run must finish and equal the
reference: chunks and dataset files byte for byte (generation timestamps and
call counts aside), losses, weights and metrics to 1e-4.

Each cycle's LLM cache is the reference's with a third of its rows removed, so kills
in the dataset stage land in the middle of real generation without paying for all of it.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from crash_harness import (
    STAGES,
    Attempt,
    check_whole,
    child_env,
    is_temporary,
    run_pipeline,
    stage_seconds,
)
from tiny_run import write_tiny_config

from embedforge.counts import CALL_FIELDS

pytestmark = pytest.mark.slow

SEED = 20260
MIN_KILLS = 20
# Kill targets of one cycle: "start" counts from launch, a stage name from that stage's start. "chunk" comes
# first, on the cycle's fresh run folder: the stage takes about a second, so a kill after launch may land
# after it has finished, and a cycle would then have no chunk kill, by chance of timing.
CYCLE = ("chunk", "start", "dataset", "dataset", "train", "train", "compare")
MAX_CYCLES = 5
TOLERANCE = 1e-4
# Share of the reference's stage time to draw the kill moment from: a cycle's cache has two thirds of the
# generations already, so its dataset stage is shorter than the reference's.
SHARE = {"chunk": 0.9, "dataset": 0.4, "train": 0.9, "compare": 0.9}
# Differ between an uninterrupted run and a resumed one by design: when and how many calls were made.
RUN_HISTORY = ("created_at", *CALL_FIELDS)


def test_killed_runs_resume_to_the_reference_result(tiny_corpus: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    config = write_tiny_config(tmp_path / "tiny.toml", tiny_corpus, runs)
    ref_cache = tmp_path / "reference.sqlite"
    first = run_pipeline(config, child_env(ref_cache))
    assert first.returncode == 0, first.log[-3000:]
    seconds = stage_seconds(first.log)
    assert set(seconds) == {"chunk", "dataset", "train", "compare"}, first.log[-2000:]
    reference = tmp_path / "reference"
    (runs / "tiny").rename(reference)

    rng = random.Random(SEED)
    kills: list[tuple[str, float]] = []
    cycles = 0
    while len(kills) < MIN_KILLS and cycles < MAX_CYCLES:
        cycle, cycles = cycles, cycles + 1
        cache = _partial_cache(ref_cache, tmp_path / f"cache-{cycle}.sqlite", rng)
        env = child_env(cache)
        for planned in CYCLE:
            target = _unfinished(runs / "tiny", planned)
            if target is None:
                break
            delay = rng.uniform(0.0, 8.0 if target == "start" else seconds[target] * SHARE[target])
            attempt = run_pipeline(config, env, kill_in=target, delay=delay)
            _check_attempt(attempt, runs / "tiny")
            if attempt.killed:
                kills.append((target, delay))
        final = run_pipeline(config, env)
        assert final.returncode == 0, final.log[-3000:]
        assert check_whole(runs / "tiny") == []
        leftovers = [p for p in (runs / "tiny").rglob("*") if is_temporary(p.relative_to(runs / "tiny"))]
        assert leftovers == [], "a finished re-run leaves no temporary files behind"
        _assert_same_result(reference, runs / "tiny")
        shutil.rmtree(runs / "tiny")
    assert len(kills) >= MIN_KILLS, kills
    assert {target for target, _ in kills} >= {"chunk", "dataset", "train", "compare"}
    (tmp_path / "figures.json").write_text(json.dumps({"kills": kills, "cycles": cycles}), encoding="utf-8")


def _unfinished(run_dir: Path, planned: str) -> str | None:
    """``planned`` if that stage has not finished in ``run_dir``, else the first stage that has not; None: all done."""
    state_file = run_dir / "state.json"
    state = json.loads(state_file.read_text(encoding="utf-8")) if state_file.is_file() else {}
    pending = [stage for stage in STAGES if not state.get(stage, {}).get("finished")]
    if not pending:
        return None
    return planned if planned == "start" or planned in pending else pending[0]


def _check_attempt(attempt: Attempt, run_dir: Path) -> None:
    if not attempt.killed:  # it finished before the kill moment: it must have finished well
        assert attempt.returncode == 0, attempt.log[-3000:]
    problems = check_whole(run_dir) if run_dir.exists() else []
    assert problems == [], f"after a kill in {attempt.kill_stage}: {problems}"


def _partial_cache(reference: Path, target: Path, rng: random.Random) -> Path:
    """A copy of the reference LLM cache without a random third of its generations."""
    with sqlite3.connect(reference) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
        keys = sorted(row[0] for row in copy.execute("SELECT key FROM generations"))
        dropped = rng.sample(keys, max(1, len(keys) // 3))
        copy.executemany("DELETE FROM generations WHERE key = ?", [(k,) for k in dropped])
    return target


# --- the same result ----------------------------------------------------------------------------------

def _assert_same_result(reference: Path, got: Path) -> None:
    assert _final_files(got) == _final_files(reference)
    assert (got / "chunks.jsonl").read_bytes() == (reference / "chunks.jsonl").read_bytes()
    for path in sorted((reference / "dataset").rglob("*")):
        if path.is_file():
            _assert_same_dataset_file(path, got / path.relative_to(reference))
    _assert_close(_read_log(reference), _read_log(got), "model/training_log.jsonl")
    _assert_same_weights(reference / "model" / "model.safetensors", got / "model" / "model.safetensors")
    for name in ("config.json", "modules.json", "sentence_bert_config.json", "tokenizer.json"):
        assert (got / "model" / name).read_bytes() == (reference / "model" / name).read_bytes(), name
    metrics = [json.loads((r / "report" / "metrics.json").read_text(encoding="utf-8"))
               for r in (reference, got)]
    _assert_close(metrics[0], metrics[1], "report/metrics.json")


def _final_files(run_dir: Path) -> set[str]:
    return {str(p.relative_to(run_dir)) for p in run_dir.rglob("*")
            if p.is_file() and not is_temporary(p.relative_to(run_dir))}


def _assert_same_dataset_file(expected: Path, got: Path) -> None:
    if expected.name == "queries.jsonl":
        rows = [[_without(json.loads(line)) for line in p.read_text(encoding="utf-8").splitlines()]
                for p in (expected, got)]
        assert rows[0] == rows[1]
    elif expected.name == "manifest.json":
        docs = [_without(json.loads(p.read_text(encoding="utf-8"))) for p in (expected, got)]
        assert docs[0] == docs[1]
    else:
        assert got.read_bytes() == expected.read_bytes(), got


def _without(obj: Any) -> Any:
    """``obj`` without the run-history fields, recursively."""
    if isinstance(obj, dict):
        return {k: _without(v) for k, v in obj.items() if k not in RUN_HISTORY}
    return obj


def _read_log(run_dir: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in (run_dir / "model" / "training_log.jsonl").read_text().splitlines()]
    return [{k: v for k, v in row.items() if "second" not in k and "time" not in k} for row in rows]


def _assert_close(expected: Any, got: Any, where: str) -> None:
    if isinstance(expected, dict):
        keys = {k for k in expected if "second" not in k and k != "time"}
        assert keys == {k for k in got if "second" not in k and k != "time"}, where
        for key in keys:
            _assert_close(expected[key], got[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert len(expected) == len(got), where
        for i, (a, b) in enumerate(zip(expected, got, strict=True)):
            _assert_close(a, b, f"{where}[{i}]")
    elif isinstance(expected, float) and not isinstance(expected, bool):
        assert got == pytest.approx(expected, abs=TOLERANCE), where
    else:
        assert got == expected, where


def _assert_same_weights(expected: Path, got: Path) -> None:
    import numpy as np
    from safetensors.numpy import load_file

    a, b = load_file(str(expected)), load_file(str(got))
    assert a.keys() == b.keys()
    worst = max(float(np.max(np.abs(a[k].astype(np.float64) - b[k].astype(np.float64)))) for k in a)
    assert worst <= TOLERANCE, f"weights differ by up to {worst}"
