"""A newcomer's first hour (issue 34), through the installed ``embedforge`` console script.

Mistakes get one line and exit 2 before any work (unreadable sources, what the real run refuses
also refused by ``--dry-run``, errors that name the flag, "did you mean"); ``prompt list`` and
``prompt copy``; one ``--prompt`` writes every question; a configuration's paths are relative to
its file, whose one name for the embedder is ``model`` (old keys still read); help reads plainly;
``dataset build`` ends with who wrote the questions, samples and the next command, ``train`` with the
dims, what chose the epoch and alpha, and ``compare`` next, ``compare`` with Δ ndcg@10 per dim, the
recommendation, the report and the ``search`` to try it; ``dataset show`` prints questions beside their
chunks. The build tests run the bundled LLM (two calls) and the summaries test trains MiniLM for one
epoch on nine chunks (fewer train pairs than the default batch); every other case stops before any
model is loaded.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(sys.executable).with_name("embedforge")
TEXT = ("Amyotrophic lateral sclerosis (ALS) is a rare neurological disease that affects motor neurons, the nerve "
        "cells in the brain and spinal cord that control voluntary muscle movement. Riluzole and edaravone are "
        "the two drugs approved to slow ALS; a feeding tube and noninvasive ventilation help later on.\n")


def embedforge(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The console script in ``cwd``: no API key, the Hub offline, a private LLM cache."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "EMBEDFORGE_QUIET", "TQDM_DISABLE")}
    env.update(HF_HUB_OFFLINE="1", EMBEDFORGE_CACHE=str(cwd / "llm.sqlite"), PYTHONWARNINGS="ignore")
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, cwd=cwd, timeout=600, env=env)


def error_line(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """The exit code is ``code`` and stderr's last line is its only ``error:`` line, no traceback."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert [line for line in lines if line.startswith("error:")] == lines[-1:], result.stderr
    return lines[-1]


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("newcomer")
    (root / "doc.txt").write_text(TEXT, encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "page.html").write_text(f"<html><body><h1>ALS</h1><p>{TEXT}</p></body></html>", encoding="utf-8")
    (root / "docs" / "notes.docx").write_bytes(b"PK\x03\x04 not read")
    (root / "docs" / "sheet.xlsx").write_bytes(b"PK\x03\x04 not read")
    (root / "docs" / "old.docx").write_bytes(b"PK\x03\x04 not read")
    (root / "configs").mkdir()
    (root / "configs" / "doc.txt").write_text(TEXT, encoding="utf-8")
    (root / "configs" / "run.toml").write_text(
        'name = "t"\nmodel = "bundled-minilm"\n[corpus]\nsources = ["doc.txt"]\n[generate]\nquestions_per_chunk = 2\n',
        encoding="utf-8")
    (root / "finished").mkdir()
    (root / "finished" / "manifest.json").write_text("{}\n", encoding="utf-8")
    return root


def test_unreadable_sources_exit_2_with_one_line_and_leave_no_folder(work: Path) -> None:
    for command in (["dataset", "build"], ["chunk"], ["extract"]):
        result = embedforge(*command, "no-such-page.html", "--out", "out", cwd=work)
        assert error_line(result) == "error: no-such-page.html: no such file or folder; check the path"
        assert len(result.stderr.strip().splitlines()) == 1 and not (work / "out").exists()


def test_a_folders_unsupported_files_are_counted_by_type(work: Path) -> None:
    result = embedforge("extract", "docs", "--out", "extracted", cwd=work)
    assert result.returncode == 0, result.stderr
    assert "docs: skipped 3 file(s) of unsupported types (.docx 2, .xlsx 1)" in result.stderr


@pytest.mark.parametrize(("args", "says"), [
    (["--set", "train.dims=[1024,512]"], "[train] dims [1024, 512]: bundled-minilm outputs 384 dims"),
    (["--set", "model=nobody/no-such-model"], "nobody/no-such-model: not in the local Hugging Face cache"),
    (["--force", "trian"], "--force 'trian': unknown stage; did you mean 'train'?"),
    (["--set", "compare.handwritten=missing.jsonl"], "[compare] handwritten missing.jsonl: file not found"),
])
def test_the_dry_run_refuses_what_the_run_refuses(work: Path, args: list[str], says: str) -> None:
    assert says in error_line(embedforge("run", "configs/run.toml", *args, "--dry-run", cwd=work))


def test_a_missing_hand_written_file_or_offline_hub_model_stops_the_run_before_any_work(work: Path) -> None:
    for args in (["--set", "compare.handwritten=missing.jsonl"], ["--set", "model=nobody/no-such-model"]):
        error_line(embedforge("run", "configs/run.toml", *args, cwd=work))
        assert not (work / "runs").exists()


def test_compare_checks_its_models_before_loading_any(work: Path) -> None:
    result = embedforge("compare", "finished", "--model", "base=bundled-minilm", "--model", "tuned=models/mistyped",
                        "--out", "report", cwd=work)
    assert "models/mistyped: not in the local Hugging Face cache" in error_line(result)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr  # no model was loaded (no bar, no log)
    assert not (work / "report").exists()


def test_the_dry_run_of_build_refuses_the_out_the_build_refuses(work: Path) -> None:
    result = embedforge("dataset", "build", "doc.txt", "--out", "finished", "--dry-run", cwd=work)
    assert "--out finished: already holds a finished dataset" in error_line(result)


def test_the_dry_run_cost_includes_resampling_and_tiktoken_offline_is_one_line(work: Path) -> None:
    from embedforge.generators.pricing import estimate_cost

    result = embedforge("-v", "dataset", "build", "doc.txt", "--out", "o", "--model", "bundled-minilm",
                        "--llm", "openai:gpt-4o-mini", "--dry-run", cwd=work)
    assert result.returncode == 0, result.stderr
    numbers = [int(n) for n in re.findall(r"input: (\d+) tokens.*?at most (\d+) tokens.*?up to (\d+) more calls "
                                           r"\((\d+) input tokens\)", result.stdout, re.S)[0]]
    tokens_in, tokens_out, more_calls, more_in = numbers
    ceiling = estimate_cost("openai:gpt-4o-mini", tokens_in + more_in, tokens_out * (1 + more_calls // 2))
    assert f"cost: at most ${ceiling:.4f}" in result.stdout and "resampling calls included" in result.stdout
    assert "ConnectionPool" not in result.stderr and "NameResolution" not in result.stderr


@pytest.mark.parametrize(("args", "says"), [
    (["dataset", "build", "doc.txt", "--out", "o", "--eval-fraction", "20"], "error: --eval-fraction 20.0: must be"),
    (["dataset", "build", "doc.txt", "--out", "o", "--questions-per-chunk", "0"],
     "error: --questions-per-chunk 0: invalid; use 1 or more"),
    (["prompt", "show", "no-such.toml"], "error: no-such.toml: file not found"),
    (["run", "configs/run.toml", "--set", "train.epoch=3"],
     "error: --set train.epoch: [train]: unknown setting 'epoch'; did you mean 'epochs'?"),
    (["run", "configs/run.toml", "--set", "trian.epochs=3"], "error: --set trian.epochs: unknown key 'trian'; "
                                                             "did you mean 'train'?"),
])
def test_errors_name_the_flag_and_suggest(work: Path, args: list[str], says: str) -> None:
    assert error_line(embedforge(*args, cwd=work)).startswith(says)


def test_prompt_list_and_copy(work: Path) -> None:
    listed = embedforge("prompt", "list", cwd=work)
    assert re.search(r"^default\s+one question a call", listed.stdout, re.M), listed.stdout
    assert re.search(r"^multi\s+several questions a call", listed.stdout, re.M), listed.stdout
    assert embedforge("prompt", "copy", "default", "mine.toml", cwd=work).returncode == 0
    assert (work / "mine.toml").read_text(encoding="utf-8").startswith("# The default prompt")
    assert "mine.toml: already exists" in error_line(embedforge("prompt", "copy", "default", "mine.toml", cwd=work))
    assert "no such packaged prompt" in error_line(embedforge("prompt", "copy", "nope", "x.toml", cwd=work))
    assert embedforge("prompt", "show", "mine.toml", cwd=work).returncode == 0


def test_one_prompt_asks_every_question_once_per_question(work: Path) -> None:
    def calls(*args: str) -> int:
        result = embedforge("dataset", "build", "doc.txt", "--out", "o", "--model", "bundled-minilm",
                            "--questions-per-chunk", "3", "--dry-run", *args, cwd=work)
        assert result.returncode == 0, result.stderr
        return int(re.search(r"(\d+) LLM calls to make", result.stdout).group(1))  # type: ignore[union-attr]

    embedforge("prompt", "copy", "default", "one.toml", "--overwrite", cwd=work)
    assert calls() == 2  # multi: three questions in one call, plus the greedy one
    assert calls("--prompt", "one.toml") == 4  # a one-question prompt: three sampled calls and the greedy one


def test_a_configuration_s_paths_are_relative_to_its_file(work: Path, tmp_path: Path) -> None:
    result = embedforge("run", str(work / "configs" / "run.toml"), "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1 chunks")


COMMANDS = [["corpus", "fetch"], ["extract"], ["chunk"], ["prompt", "list"], ["prompt", "copy"], ["prompt", "show"],
            ["dataset", "build"], ["dataset", "show"], ["dataset", "preview"], ["dataset", "regenerate"],
            ["dataset", "import"], ["dataset", "export"], ["train"], ["compare"], ["search"], ["run"], ["push"]]


def _help(path: list[str]) -> str:
    """``embedforge PATH --help`` as the console script prints it (the same click objects, in this process)."""
    import typer.main

    from embedforge.commands.main import app

    command = typer.main.get_command(app)
    ctx = command.make_context("embedforge", [], resilient_parsing=True)
    for name in path:
        command = command.get_command(ctx, name)
        ctx = command.make_context(name, [], parent=ctx, resilient_parsing=True)
    return str(command.get_help(ctx))


def test_the_command_list_is_in_pipeline_order_with_whole_descriptions(work: Path) -> None:
    top = embedforge("--help", cwd=work).stdout
    listed = re.findall(r"^  (\w+) ", top.split("Commands:")[1], re.M)
    assert listed[:8] == ["corpus", "extract", "chunk", "prompt", "dataset", "train", "compare", "search"]
    assert "..." not in top.split("Commands:")[1].split("Exit codes")[0]


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_help_is_plain_shows_every_default_and_examples(path: list[str]) -> None:
    text = _help(path)
    assert not re.search(r"<(list|str|int|float|path|bool)|\{\w+\}", text), text  # no <list[str]>, {sources}
    assert "Examples:\n    embedforge " in text
    for entry in re.split(r"\n  (?=-)", text.split("Options:")[1])[1:]:
        assert "[default:" in entry or "[required" in entry or entry.startswith("--help"), entry


def test_one_meaning_for_n_and_one_name_for_the_embedder() -> None:
    assert not re.search(r"^\s+-n[ ,]", _help(["prompt", "show"]), re.M)  # -n: how many to show, everywhere
    assert re.search(r"^\s+-n N\s+How many", _help(["dataset", "show"]), re.M)
    for path in (["chunk"], ["dataset", "build"], ["train"]):
        text = _help(path)
        assert "--model TEXT" in text and "--embedder" not in text and "--base-model" not in text, path


def test_old_embedder_flags_still_work(work: Path) -> None:
    result = embedforge("chunk", "doc.txt", "--out", "c", "--embedder", "nobody/no-such-model", cwd=work)
    assert "nobody/no-such-model: not in the local Hugging Face cache" in error_line(result)
    import typer.main

    from embedforge.commands.main import app

    train = typer.main.get_command(app).commands["train"]  # type: ignore[attr-defined]
    ctx = train.make_context("train", ["data", "--out", "m", "--base-model", "bundled-minilm"])
    assert ctx.params["base_model"] == "bundled-minilm"


@pytest.fixture(scope="module")
def built(work: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A dataset written by the bundled LLM with one copied and renamed prompt (two LLM calls)."""
    pytest.importorskip("llama_cpp", reason="the bundled LLM needs llama-cpp-python")
    embedforge("prompt", "copy", "default", "relative.toml", "--overwrite", cwd=work)
    prompt = work / "relative.toml"
    prompt.write_text(prompt.read_text(encoding="utf-8").replace('name = "default"', 'name = "relative"'),
                      encoding="utf-8")
    result = embedforge("-q", "dataset", "build", "doc.txt", "--out", "built", "--model", "bundled-minilm",
                        "--prompt", "relative.toml", "--questions-per-chunk", "1", "--resample", "0",
                        "--roundtrip-k", "0", "--min-words", "1", cwd=work)
    assert result.returncode == 0, result.stderr
    return work / "built", result


@pytest.mark.slow
def test_one_prompt_writes_every_question_and_the_summary_says_so(built: tuple[Path, Any]) -> None:
    folder, result = built
    prompts = [json.loads(line)["prompt_name"] for line in (folder / "queries.jsonl").open(encoding="utf-8")]
    assert prompts and set(prompts) == {"relative"}, prompts
    assert f"questions by prompt: relative {len(prompts)}" in result.stdout
    assert "sample questions:\n  Q: " in result.stdout and "chunk (doc.txt" in result.stdout
    assert "next: embedforge dataset show built" in result.stdout and "embedforge train built" in result.stdout


@pytest.mark.slow
def test_dataset_show_prints_questions_beside_chunks_and_the_filtered_with_reasons(
        built: tuple[Path, Any], work: Path) -> None:
    assert built[0].is_dir()
    shown = embedforge("dataset", "show", "built", "-n", "1", cwd=work)
    assert shown.returncode == 0, shown.stderr
    assert re.search(r"^Q: .+\(prompt relative\)\n   chunk \(doc\.txt, \w+\): Amyotrophic", shown.stdout, re.M)
    # The same calls from the cache, every question now too short: filtered, with the reason.
    again = embedforge("-q", "dataset", "build", "doc.txt", "--out", "strict", "--model", "bundled-minilm",
                       "--prompt", "relative.toml", "--questions-per-chunk", "1", "--resample", "0",
                       "--roundtrip-k", "0", "--min-words", "39", "--max-words", "40", cwd=work)
    assert "llm calls 0" in again.stdout or "cached 2" in again.stdout, again.stdout
    dropped = embedforge("dataset", "show", "strict", "--filtered", cwd=work)
    assert re.search(r"^Q: .+\(filtered too_short\)", dropped.stdout, re.M), dropped.stdout
    assert "filtered questions shown; by reason: too_short" in dropped.stdout


def _config(work: Path, name: str, tables: str) -> str:
    (work / "configs" / name).write_text(
        f'name = "t"\nmodel = "bundled-minilm"\n[corpus]\nsources = ["doc.txt"]\n{tables}', encoding="utf-8")
    return str(work / "configs" / name)


def test_one_name_for_the_embedder_in_a_configuration(work: Path) -> None:
    new = embedforge("run", _config(work, "new.toml", '[train]\nmodel = "bundled-minilm"\n'), "--dry-run", cwd=work)
    assert new.returncode == 0 and new.stdout.startswith("1 chunks"), new.stderr
    read = embedforge("run", _config(work, "new-bad.toml", '[train]\nmodel = "nobody/no-such-model"\n'), "--dry-run",
                      cwd=work)
    assert "new-bad.toml: [train] model: nobody/no-such-model: not in the local" in error_line(read)
    old = embedforge("run", _config(work, "old.toml", '[train]\nbase_model = "nobody/no-such-model"\n'), "--dry-run",
                     cwd=work)
    assert "old.toml: [train] model: nobody/no-such-model: not in the local" in error_line(old)
    assert "old.toml [train] base_model: an old name, read until the next release; call it model" in old.stderr
    both = embedforge("run", _config(work, "both.toml", '[dataset]\nmodel = "a"\nroundtrip_model = "b"\n'), cwd=work)
    assert error_line(both).endswith("both.toml [dataset]: both 'model' and its old name 'roundtrip_model' are "
                                     "given; keep 'model' and delete 'roundtrip_model'")
    # A command that reads several sections of one file (chunk: [chunk] and [engine]) warns once.
    chunked = embedforge("chunk", "doc.txt", "--out", "chunks", "--config",
                         _config(work, "old-chunk.toml", '[chunk]\nembedder = "bundled-minilm"\n'), cwd=work)
    assert chunked.returncode == 0, chunked.stderr
    assert chunked.stderr.count("[chunk] embedder: an old name") == 1, chunked.stderr
    typo = embedforge("run", _config(work, "typo.toml", '[chunk]\nmodle = "bundled-minilm"\n'), cwd=work)
    assert "[chunk]: unknown setting 'modle'; did you mean 'model'?" in error_line(typo)
    assert not (work / "runs").exists()


FACTS = [
    ("Riluzole slows ALS a few months by reducing glutamate release at the synapses.", "What does riluzole do?"),
    ("Edaravone is given by infusion and scavenges free radicals in people with ALS.", "How is edaravone given?"),
    ("A feeding tube placed through the belly keeps weight up when swallowing fails.", "When is a feeding tube used?"),
    ("Noninvasive ventilation with a mask supports breathing while the patient sleeps.", "What helps night breathing?"),
    ("Electromyography records the electrical activity of muscles to support diagnosis.", "What test records muscles?"),
    ("About one case in ten is familial and runs in families through inherited genes.", "Is ALS inherited?"),
    ("Speech therapists teach voice banking so a synthetic voice can sound like the patient.",
     "What is voice banking?"),
    ("Physical therapy with gentle stretching keeps joints mobile and eases cramps.", "How are cramps eased?"),
    ("Power wheelchairs with head controls keep people moving when the arms weaken.", "What keeps people mobile?"),
]


@pytest.fixture(scope="module")
def tiny_dataset(work: Path) -> str:
    """Nine one-question chunks, six of them train: fewer train pairs than the default batch of 10."""
    from embedforge.dataset.layout import RetrievalDataset, write_dataset_dir

    corpus = {f"c{i}": {"title": "ALS", "text": text} for i, (text, _) in enumerate(FACTS)}
    queries = {f"q{i}": {"text": question, "chunk_id": f"c{i}"} for i, (_, question) in enumerate(FACTS)}
    qrels = {"train": {f"q{i}": {f"c{i}"} for i in range(6)}, "eval": {f"q{i}": {f"c{i}"} for i in range(6, 9)}}
    write_dataset_dir(work / "tiny", RetrievalDataset(corpus=corpus, queries=queries, qrels=qrels))
    return "tiny"


def _next(stdout: str) -> list[str]:
    """The command of the summary's ``next:`` line, as a user would paste it."""
    import shlex

    line = next(line for line in stdout.splitlines() if line.startswith("next: "))
    return shlex.split(line.removeprefix("next: ").split("   (")[0])


@pytest.mark.slow
def test_train_and_compare_end_with_what_they_made_and_the_next_command(work: Path, tiny_dataset: str) -> None:
    # Job 3 as the README writes it, on a dataset smaller than the default batch: trained, with one warning.
    trained = embedforge("train", tiny_dataset, "--out", "models/tiny", "--model", "bundled-minilm", "--epochs", "1",
                         cwd=work)
    assert trained.returncode == 0, trained.stderr
    assert "--batch-size 10: the train split of tiny has 6 distinct chunks/questions, so batches hold 6" \
        in trained.stderr
    assert "model: models/tiny" in trained.stdout and "dims: 384, 256, 128, 64" in trained.stdout
    assert "chosen: epoch 1.0 by nothing (one epoch trained), alpha 0.7 by rule, on nothing (models/tiny/selection" \
        in trained.stdout
    command = _next(trained.stdout)
    assert command == ["embedforge", "compare", "tiny", "--model", "base=bundled-minilm", "--model",
                       "tuned=models/tiny", "--bm25", "--out", "reports/tiny"]
    compared = embedforge(*command[1:], "--bootstrap", "200", cwd=work)
    assert compared.returncode == 0, compared.stderr
    delta = r"^Δ ndcg@10, tuned vs base \(eval split, 3 questions\):\n\s+384: [01]\.\d+ -> [01]\.\d+ \([+-][01]\."
    assert re.search(delta, compared.stdout, re.M), compared.stdout
    assert re.search(r"^recommended: Use \S+", compared.stdout, re.M), compared.stdout
    assert "report: reports/tiny/report.md" in compared.stdout
    search = _next(compared.stdout)
    assert search[:5] == ["embedforge", "search", "tiny", "--model", search[4]] and "--interactive" in search
    tried = subprocess.run([str(SCRIPT), *search[1:]], input="What is voice banking?\n", capture_output=True,
                           text=True, cwd=work, timeout=600, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert tried.returncode == 0 and re.search(r"^ 1  [\d.]+  ", tried.stdout, re.M), tried.stderr
