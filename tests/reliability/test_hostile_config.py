"""Hostile configuration input is one line and exit 2, never an internal error.

TOML nested 500 deep (a run configuration, a prompt file, a ``--set`` value) made tomllib
recurse out of stack; ``--set`` through a value (``name.x``, ``corpus.sources.x``) indexed a
string or a list. Each goes through the installed console script and fails before any work.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("embedforge")
DEEP = "[" * 500 + "]" * 500


def _one_error_line(args: list[str], cwd: Path) -> str:
    done = subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, cwd=cwd, timeout=120)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "doc.txt").write_text("Motor neurons control the muscles. " * 20, encoding="utf-8")
    (tmp_path / "ok.toml").write_text('name = "ok"\n[corpus]\nsources = ["doc.txt"]\n', encoding="utf-8")
    (tmp_path / "deep.toml").write_text(f'name = "deep"\nx = {DEEP}\n', encoding="utf-8")
    (tmp_path / "deep-prompt.toml").write_text(f"instruction = {DEEP}\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("args", "says"), [
    (["run", "deep.toml"], "deep.toml: invalid TOML (nested too deeply); fix the file"),
    (["run", "ok.toml", "--set", f"generate.llm={DEEP}"], "--set generate.llm: the value is nested too deeply"),
    (["run", "ok.toml", "--set", "name.x=1"], "--set name.x: name is a value, not a table of settings"),
    (["run", "ok.toml", "--set", "corpus.sources.x=1"],
     "--set corpus.sources.x: corpus.sources is a value, not a table of settings"),
    (["dataset", "build", "doc.txt", "--out", "ds", "--prompt", "deep-prompt.toml"],
     "deep-prompt.toml: not valid TOML (nested too deeply); fix the prompt file"),
])
def test_deep_toml_and_set_through_a_value_are_one_line(work: Path, args: list[str], says: str) -> None:
    assert says in _one_error_line(args, work)
