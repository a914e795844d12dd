"""The CLI contract: --help everywhere, one line on stderr and exit 2 for bad input, tracebacks only with --debug."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from embedforge.commands.main import main

COMMANDS = [
    [], ["chunk"], ["corpus"], ["corpus", "fetch"], ["dataset"], ["dataset", "build"], ["dataset", "regenerate"],
    ["dataset", "import"], ["dataset", "export"], ["dataset", "preview"], ["prompt"], ["prompt", "show"], ["train"],
    ["compare"], ["run"], ["push"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "top")
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--help"]) == 0
    assert "Usage" in capsys.readouterr().out


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "embedforge", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


def test_missing_source_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_cli("--quiet", "chunk", str(tmp_path / "missing.pdf"), "--out", str(tmp_path / "out"), "--strict")
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "missing.pdf" in lines[0]
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = run_cli("--debug", "train", str(tmp_path / "no-dataset"), "--out", str(tmp_path / "m"))
    assert result.returncode == 2
    assert "Traceback (most recent call last)" in result.stderr
    # The traceback ends in the same one-line error a user sees without --debug.
    last = [line for line in result.stderr.splitlines() if line.strip()][-1]
    assert "EmbedforgeError" in result.stderr and last.startswith("error: ") and "no-dataset" in last, result.stderr


def test_unknown_force_stage_is_one_line(tmp_path: Path) -> None:
    config = Path(__file__).resolve().parents[1] / "configs" / "als-offline.toml"
    result = run_cli("run", str(config), "--force", "everything", "--set", f"runs_dir={tmp_path}")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: --force 'everything': unknown stage; choose one of chunk, dataset, train, compare"
    ]


def test_bad_dims_flag_is_one_line(tmp_path: Path) -> None:
    result = run_cli("train", str(tmp_path), "--out", str(tmp_path / "m"), "--dims", "384,abc")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: --dims '384,abc'")
