"""The command line's contract, through the installed ``embedforge`` console script.

Each case runs the script a user runs (next to ``sys.executable``) in a subprocess and
checks the exit code from the table (0 done, 1 done with failures, 2 user or usage
error, 130 interrupted), that stderr is one line naming the file or flag (usage errors
add click's usage text above it) with no traceback, and what stdout says. No case runs
a model or reaches an LLM: each one fails, or is interrupted, before that.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("embedforge")
INTERRUPTED = "interrupted; rerun the same command to resume"


def embedforge(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed console script in ``cwd`` with no API key, the Hub offline and a private cache."""
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, cwd=cwd, timeout=300,
                          env=env or clean_env(cwd))


def clean_env(cwd: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "EMBEDFORGE_QUIET", "TQDM_DISABLE")}
    return {**env, "HF_HUB_OFFLINE": "1", "EMBEDFORGE_CACHE": str(cwd / "llm.sqlite"), "PYTHONWARNINGS": "ignore"}


def error_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    """Check the exit code and a stderr of one ``error:`` line (the last), no traceback; return that line."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert [line for line in lines if line.startswith("error:")] == lines[-1:], result.stderr
    return lines[-1]


def one_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    """Like :func:`error_line`, and that line is all of stderr."""
    line = error_line(result, code)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return line


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a small document and the configurations and folders the cases need."""
    root = tmp_path_factory.mktemp("contract")
    (root / "doc.txt").write_text("Amyotrophic lateral sclerosis affects motor neurons. " * 40, encoding="utf-8")
    sources = '[corpus]\nsources = ["doc.txt"]\n'
    (root / "dims.toml").write_text(f'name = "d"\n{sources}[train]\ndims = [4096, 384]\n', encoding="utf-8")
    (root / "latin1.toml").write_bytes('name = "caf\u00e9"\n'.encode("latin-1"))
    (root / "escape.toml").write_text(f'name = "../../escaped"\n{sources}', encoding="utf-8")
    (root / "absolute.toml").write_text(f'name = "{root / "abs-run"}"\n{sources}', encoding="utf-8")
    (root / "afile").write_text("not a folder\n", encoding="utf-8")
    (root / "runs-file.toml").write_text(f'name = "x"\nruns_dir = "afile"\n{sources}', encoding="utf-8")
    (root / "model").mkdir()
    (root / "model" / "modules.json").write_text("[]\n", encoding="utf-8")
    (root / "dataset").mkdir()
    (root / "dataset" / "manifest.json").write_text("{}\n", encoding="utf-8")
    (root / "notes").mkdir()
    (root / "notes" / "notes.txt").write_text("mine\n", encoding="utf-8")
    _dataset(root / "bad-score", corpus=b'{"_id": "c1", "text": "a chunk"}\n', score="abc")
    _dataset(root / "latin1-corpus", corpus='{"_id": "c1", "text": "caf\u00e9"}\n'.encode("latin-1"), score="1")
    return root


def _dataset(folder: Path, corpus: bytes, score: str) -> None:
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_bytes(corpus)
    (folder / "queries.jsonl").write_text('{"_id": "q1", "text": "what is a chunk?"}\n', encoding="utf-8")
    for split in ("train", "eval"):
        (folder / "qrels" / f"{split}.tsv").write_text(f"query-id\tcorpus-id\tscore\nq1\tc1\t{score}\n",
                                                       encoding="utf-8")


def test_the_script_is_installed() -> None:
    assert SCRIPT.is_file(), f"{SCRIPT}: install the package (pip install -e .) first"


def test_help_and_version(work: Path) -> None:
    helped = embedforge("--help", cwd=work)
    assert helped.returncode == 0 and helped.stderr == ""
    text = " ".join(helped.stdout.split())
    assert "Exit codes: 0 everything done; 1 done with failures" in text and "130 interrupted" in text
    assert "<bool>" not in embedforge("compare", "--help", cwd=work).stdout
    version = embedforge("chunk", "--version", cwd=work)  # a global flag after the command
    assert (version.returncode, version.stdout.split()[0], version.stderr) == (0, "embedforge", "")


@pytest.mark.parametrize(("args", "says"), [
    (["dataset", "build", "doc.txt", "--outt", "y"], "No such option: --outt"),
    (["dataset", "buidl", "doc.txt", "--out", "y"], "No such command 'buidl'"),
    (["dataset", "build", "doc.txt"], "Missing option '--out'"),
    (["--install-completion"], "No such option: --install-completion"),
], ids=["option", "command", "missing", "completion"])
def test_usage_errors_exit_2_with_usage_text(work: Path, args: list[str], says: str) -> None:
    result = embedforge(*args, cwd=work)
    assert says in error_line(result, 2)
    assert result.stderr.startswith("Usage: embedforge") and result.stdout == ""


@pytest.mark.parametrize(("llm", "says"), [
    ("openai:gpt-4o-mini", "OPENAI_API_KEY is not set"),
    ("gpt-4o-mini", "no provider"),
    ("openai-compatible:http://127.0.0.1:9/v1", "expected openai-compatible:MODEL@URL"),
], ids=["no-key", "no-provider", "no-model"])
def test_llm_spec_is_checked_before_any_work(work: Path, llm: str, says: str) -> None:
    out = work / f"out-{abs(hash(llm))}"
    line = one_line(embedforge("dataset", "build", "doc.txt", "--out", str(out), "--llm", llm, cwd=work), 2)
    assert line.startswith(f"error: --llm {llm}") or line.startswith(f"error: --llm '{llm}'")
    assert says in line and not out.exists()


@pytest.mark.parametrize(("config", "says"), [
    ("dims.toml", "dims.toml: [train] dims [4096, 384]: bundled outputs 768 dims"),
    ("latin1.toml", "latin1.toml: not UTF-8 text"),
    ("escape.toml", "name '../../escaped': must be a plain folder name inside runs_dir"),
    ("absolute.toml", "must be a plain folder name inside runs_dir"),
    ("runs-file.toml", "runs-file.toml: runs_dir afile/x: afile is a file"),
], ids=["dims", "not-utf8", "name-escapes", "name-absolute", "runs-dir-file"])
def test_run_configuration_is_checked_before_any_work(work: Path, config: str, says: str) -> None:
    before = sorted(p.name for p in work.parent.iterdir()), sorted(p.name for p in work.iterdir())
    assert says in one_line(embedforge("run", config, cwd=work), 2)
    assert (sorted(p.name for p in work.parent.iterdir()), sorted(p.name for p in work.iterdir())) == before


@pytest.mark.parametrize(("args", "says"), [
    (["chunk", "doc.txt", "--out", "afile"], "--out afile: is a file, not a folder"),
    (["chunk", "doc.txt", "--out", "/sys/embedforge-contract"], "--out /sys/embedforge-contract: cannot write there"),
    (["chunk", "doc.txt", "--out", "notes"], "--out notes: not empty, holds 'notes.txt'"),
    (["train", "bad-score", "--out", "model"], "--out model: already holds a finished model; pass --overwrite"),
    (["dataset", "build", "doc.txt", "--out", "dataset"], "--out dataset: already holds a finished dataset"),
], ids=["file", "read-only", "other-files", "finished-model", "finished-dataset"])
def test_out_folders_are_checked_before_any_work(work: Path, args: list[str], says: str) -> None:
    assert says in one_line(embedforge(*args, cwd=work), 2)
    assert not Path("/sys/embedforge-contract").exists()
    assert sorted(p.name for p in (work / "notes").iterdir()) == ["notes.txt"]


@pytest.mark.parametrize(("dataset", "says"), [
    ("bad-score", ".tsv:2: score 'abc' is not a number"),
    ("latin1-corpus", "latin1-corpus/corpus.jsonl: not UTF-8 text"),
], ids=["qrels-score", "corpus-not-utf8"])
def test_bad_dataset_files_are_named(work: Path, dataset: str, says: str) -> None:
    assert says in one_line(embedforge("train", dataset, "--out", f"m-{dataset}", cwd=work), 2)


def test_failed_documents_exit_1_and_say_how_many(work: Path) -> None:
    result = embedforge("chunk", "/nonexistent", "doc.txt", "--out", "chunks", "-q", cwd=work)
    assert "1 of 2 documents failed" in error_line(result, 1)
    assert "documents failed: 1" in result.stdout and "chunks kept: 1" in result.stdout
    assert "%|" not in result.stderr  # no progress bar under --quiet


def _dead_llm() -> str:
    with socket.socket() as probe:  # a port with nothing listening: every call is refused
        probe.bind(("127.0.0.1", 0))
        return f"openai-compatible:m@http://127.0.0.1:{probe.getsockname()[1]}/v1"


def test_every_llm_call_failing_writes_no_dataset_and_exits_1(work: Path) -> None:
    llm = _dead_llm()
    result = embedforge("dataset", "build", "doc.txt", "--out", "dead", "--llm", llm, "--max-retries", "0",
                        "--roundtrip-k", "0", "--quiet", cwd=work)
    line = error_line(result, 1)
    assert f"--llm {llm}: every LLM call failed (connection_error 1); no dataset written" in line
    assert not (work / "dead" / "manifest.json").exists() and "%|" not in result.stderr


def test_a_run_whose_llm_calls_all_fail_exits_1(work: Path) -> None:
    llm = _dead_llm()
    (work / "dead.toml").write_text(f'name = "dead"\n[corpus]\nsources = ["doc.txt"]\n[generate]\nllm = "{llm}"\n'
                                    "max_retries = 0\n[dataset]\nroundtrip_k = 0\n", encoding="utf-8")
    line = error_line(embedforge("-q", "run", "dead.toml", cwd=work), 1)
    assert "every LLM call failed (connection_error 1); no dataset written" in line
    assert not (work / "runs" / "dead" / "dataset" / "manifest.json").exists()


def test_ctrl_c_exits_130_with_one_line(work: Path) -> None:
    with socket.socket() as server:  # accepts the LLM call and never answers it
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(240)
        llm = f"openai-compatible:m@http://127.0.0.1:{server.getsockname()[1]}/v1"
        args = [str(SCRIPT), "dataset", "build", "doc.txt", "--out", "interrupted", "--llm", llm, "--timeout", "600"]
        # The default SIGINT, as a terminal's foreground command has: a test run started in the background
        # (`nohup make test &`) passes SIGINT on ignored, and Python then never raises KeyboardInterrupt.
        process = subprocess.Popen(args, cwd=work, env=clean_env(work), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True,
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        try:
            connection, _ = server.accept()  # the build is now waiting on its first LLM call
            process.send_signal(signal.SIGINT)
            stdout, stderr = process.communicate(timeout=120)
            connection.close()
        finally:
            process.kill()
    assert process.returncode == 130, (stdout, stderr)
    assert stderr.strip().splitlines()[-1] == INTERRUPTED and "Traceback" not in stderr
    assert not (work / "interrupted" / "manifest.json").exists()
