"""Run ``embedforge run`` as a child process, SIGKILL it at a chosen moment, and inspect what it left.

The reliability tests need three things the pipeline's own API cannot give: a real
process killed without warning (SIGKILL: no ``finally``, no atexit), the moment a
stage starts (read from the child's log lines, "<stage>: running"), and a check that
every file in a run folder is whole. :func:`check_whole` parses every JSON, JSON
Lines, TSV, CSV, parquet and safetensors file completely; checkpoints that carry
embedforge's marker must still match it (a checkpoint cut short has no marker and
is never resumed from).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embedforge.pipeline.stages import STAGE_NAMES as STAGES


def child_env(cache: Path) -> dict[str, str]:
    """The environment of a pipeline child: offline, one thread per library, the given LLM cache."""
    env = dict(os.environ)
    env.update(
        EMBEDFORGE_CACHE=str(cache),
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        TOKENIZERS_PARALLELISM="false",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class Attempt:
    """One child run: its exit code (None when killed), log lines and when each stage started."""

    returncode: int | None
    killed: bool
    kill_stage: str | None
    started: dict[str, float] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    @property
    def log(self) -> str:
        return "".join(self.lines)


def run_pipeline(config: Path, env: dict[str, str], kill_in: str | None = None, delay: float = 0.0,
                 timeout: float = 600.0) -> Attempt:
    """Run ``embedforge run CONFIG``; with ``kill_in``, SIGKILL it ``delay`` s after that stage starts
    (``start``: after launch).

    A stage that is up to date never starts, and a run may finish first: then nothing is killed.
    """
    process = subprocess.Popen([sys.executable, "-m", "embedforge", "run", str(config)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    attempt = Attempt(returncode=None, killed=False, kill_stage=kill_in)
    began = time.monotonic()
    stage_started = threading.Event()
    if kill_in == "start":
        stage_started.set()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            attempt.lines.append(line)
            for stage in STAGES:
                if line.startswith(f"{stage}: running") or f" {stage}: running" in line:
                    attempt.started[stage] = time.monotonic() - began
                    if stage == kill_in:
                        stage_started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if kill_in is not None:
        deadline = began + timeout
        while process.poll() is None and not stage_started.wait(0.05) and time.monotonic() < deadline:
            pass
        if stage_started.is_set():
            end = time.monotonic() + delay
            while process.poll() is None and time.monotonic() < end:
                time.sleep(0.02)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            attempt.killed = True
    try:
        process.wait(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    reader.join(10)
    attempt.returncode = None if attempt.killed else process.returncode
    _reap_workers()
    return attempt


def _reap_workers() -> None:
    """Give orphaned parse workers of a killed run a moment to notice their parent is gone."""
    time.sleep(0.05)


def stage_seconds(log: str) -> dict[str, float]:
    """Seconds per stage from the summary the CLI prints ("  train    ran in 16.9 s")."""
    seconds = {}
    for line in log.splitlines():
        parts = line.split()
        if len(parts) >= 5 and parts[0] in STAGES and parts[1:3] == ["ran", "in"]:
            seconds[parts[0]] = float(parts[3])
    return seconds


# --- is every file whole? ---------------------------------------------------------------------------

def check_whole(run_dir: Path) -> list[str]:
    """Problems in ``run_dir``: files that do not parse to the end, checkpoints that fail their marker."""
    problems: list[str] = []
    for path in sorted(p for p in run_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(run_dir)
        if is_temporary(rel):
            continue  # a temporary file of a killed write: never read, replaced next time
        if "checkpoints" in rel.parts:
            continue  # checked below, as whole checkpoints
        error = _parse_error(path)
        if error:
            problems.append(f"{rel}: {error}")
    problems += _checkpoint_problems(run_dir / "model" / "checkpoints")
    return problems


def is_temporary(rel: Path) -> bool:
    """A temporary name: a file being written (``.NAME.*.tmp``), the model's staging or checkpoints being deleted."""
    return rel.name.endswith(".tmp") or bool({".model.tmp", ".checkpoints.deleting"} & set(rel.parts))


def _parse_error(path: Path) -> str | None:
    try:
        suffix = path.suffix
        if suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    json.loads(line)
            if path.stat().st_size and not path.read_bytes().endswith(b"\n"):
                return "no final newline (cut short?)"
        elif suffix in (".tsv", ".csv"):
            _check_table(path, "\t" if suffix == ".tsv" else ",")
        elif suffix == ".parquet":
            import pyarrow.parquet as pq

            pq.read_table(path)
        elif suffix == ".safetensors":
            from safetensors.numpy import load_file

            load_file(str(path))
        elif suffix in (".md", ".txt"):
            path.read_text(encoding="utf-8")
        elif suffix == ".png" and not path.read_bytes().endswith(b"IEND\xaeB`\x82"):
            return "PNG without its IEND chunk"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _check_table(path: Path, sep: str) -> None:
    import csv

    text = path.read_text(encoding="utf-8")
    if text and not text.endswith("\n"):
        raise ValueError("no final newline (cut short?)")
    rows = list(csv.reader(text.splitlines(), delimiter=sep))
    widths = {len(row) for row in rows if row}
    if len(widths) > 1:
        raise ValueError(f"rows of different widths {sorted(widths)}")


def _checkpoint_problems(folder: Path) -> list[str]:
    from embedforge.fingerprint import file_hash
    from embedforge.training.checkpoints import MARKER

    problems = []
    for marker in sorted(folder.glob(f"checkpoint-*/{MARKER}")):
        recorded: dict[str, Any] = json.loads(marker.read_text(encoding="utf-8"))
        for name, digest in recorded.get("files", {}).items():
            path = marker.parent / name
            if not path.is_file() or file_hash(str(path)) != digest:
                problems.append(f"{path}: differs from its checkpoint marker")
    return problems
