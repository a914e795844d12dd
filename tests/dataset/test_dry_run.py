"""``--dry-run`` on ``dataset build`` and ``run``: the plan is printed, no LLM is called, nothing is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from embedforge.commands.main import main


@pytest.fixture()
def docs(tmp_path: Path, samples: tuple[list[str], list[list[str]]]) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "als.md").write_text("# ALS\n\n" + "\n\n".join(samples[0]), encoding="utf-8")
    return folder


def plan_numbers(out: str) -> tuple[int, int, int, int]:
    """(chunks, calls, cached, tokens) from the dry run's lines."""
    chunks = int(re.search(r"(\d+) chunks", out)[1])  # type: ignore[index]
    calls, cached = map(int, re.search(r"(\d+) LLM calls to make, (\d+) answered", out).groups())  # type: ignore[union-attr]
    tokens = int(re.search(r"input: (\d+) tokens", out)[1])  # type: ignore[index]
    return chunks, calls, cached, tokens


def test_build_dry_run_counts_both_passes_and_writes_nothing(docs: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "llm.sqlite"
    args = ["dataset", "build", str(docs), "--out", str(tmp_path / "out"), "--embedder", "bundled-minilm",
            "--cache", str(cache), "--dry-run"]
    assert main(args) == 0
    chunks, calls, cached, tokens = plan_numbers(capsys.readouterr().out)
    assert chunks >= 1 and calls == 2 * chunks and cached == 0 and tokens > 0  # sampled + greedy pass
    assert not (tmp_path / "out").exists() and not cache.exists()
    assert main([*args, "--greedy-prompt", ""]) == 0
    assert plan_numbers(capsys.readouterr().out)[1] == chunks


def test_openai_dry_run_prices_the_calls_without_a_key(docs: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dataset", "build", str(docs), "--out", str(tmp_path / "out"), "--embedder", "bundled-minilm",
                 "--llm", "openai:gpt-4o-mini", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"cost: at most \$0\.\d{4}", out) and "LLM calls to make" in out


def test_run_dry_run_plans_the_dataset_stage(docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "run.toml"
    config.write_text(f'name = "dry"\nruns_dir = "{tmp_path / "runs"}"\n[corpus]\nsources = ["{docs}"]\n'
                      '[chunk]\nmodel = "bundled-minilm"\n[generate]\nquestions_per_chunk = 1\n'
                      'greedy_prompt = ""\n', encoding="utf-8")
    assert main(["run", str(config), "--dry-run"]) == 0
    chunks, calls, cached, _ = plan_numbers(capsys.readouterr().out)
    assert calls == chunks and cached == 0 and not (tmp_path / "runs" / "dry" / "dataset").exists()
