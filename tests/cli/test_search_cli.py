"""``embedforge search`` through the installed console script: the right chunk first, one-line errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from embedforge.dataset.layout import RetrievalDataset, write_dataset_dir

pytestmark = pytest.mark.slow  # runs bundled-minilm in a subprocess

SCRIPT = Path(sys.executable).with_name("embedforge")
CHUNKS = {
    "c-motor": "Motor neurons carry signals from the brain to the muscles.\nWhen they die, muscles weaken.",
    "c-tube": "A feeding tube can help when chewing and swallowing become hard.",
    "c-breath": "Noninvasive ventilation supports breathing at night through a mask.",
    "c-care": "Caregivers should take breaks and ask family and friends for help.",
    "c-gene": "About one in ten cases is familial, passed on through a gene such as SOD1 or C9orf72.",
}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search_cli") / "dataset"
    corpus = {cid: {"title": "", "text": text, "source": f"{cid}.txt", "section": "Care", "page": 0}
              for cid, text in CHUNKS.items()}
    write_dataset_dir(out, RetrievalDataset(corpus=corpus, queries={}))
    return out


def embedforge(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONWARNINGS": "ignore"}
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, cwd=cwd, timeout=300, env=env,
                          input=stdin)


def error(result: subprocess.CompletedProcess[str]) -> str:
    """Exit 2, no traceback, and the last stderr line is the one ``error:`` line."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert [line for line in lines if line.startswith("error:")] == lines[-1:], result.stderr
    return lines[-1]


def test_verbatim_chunk_comes_first_then_from_the_cache(dataset: Path, tmp_path: Path) -> None:
    question = CHUNKS["c-tube"]
    first = embedforge("search", str(dataset), "--model", "bundled-minilm", "-k", "2", question, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith(" 1  ") and "c-tube.txt  § Care  A feeding tube" in lines[0]
    assert "corpus encoded and cached" in first.stderr
    again = embedforge("search", str(dataset), "--model", "bundled-minilm", "--hybrid", "0.5", "-k", "1",
                       "--interactive", cwd=tmp_path, stdin=f"{question}\nWhat is SOD1?\n\n")
    assert again.returncode == 0 and "cached corpus embeddings" in again.stderr and "hybrid, w = 0.5" in again.stderr
    answers = again.stdout.splitlines()
    assert len(answers) == 2 and "c-tube.txt" in answers[0] and "c-gene.txt" in answers[1]
    assert again.stderr.count(" s)") == 2, "each interactive answer prints its time"


def test_a_second_search_does_not_encode_the_corpus(dataset: Path, tmp_path: Path) -> None:
    shutil.rmtree(dataset / ".embedforge-cache", ignore_errors=True)
    args = ("search", str(dataset), "--model", "bundled-minilm", "--dim", "128", "-k", "3", "What is SOD1?")
    first = embedforge(*args, cwd=tmp_path)
    assert first.returncode == 0 and "corpus encoded and cached" in first.stderr, first.stderr
    cached = _files(dataset / ".embedforge-cache")
    assert {path.suffix for path in cached} == {".npz", ".json"}  # the embeddings and the remembered model key
    again = embedforge(*args, cwd=tmp_path)
    assert again.returncode == 0 and "cached corpus embeddings" in again.stderr, again.stderr
    assert again.stdout == first.stdout
    assert _files(dataset / ".embedforge-cache") == cached, "the second search rewrote the cache"


def _files(folder: Path) -> dict[Path, tuple[int, bytes]]:
    return {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in folder.iterdir()}


def test_one_line_errors(dataset: Path, tmp_path: Path) -> None:
    missing = error(embedforge("search", str(tmp_path / "nope"), "--model", "bundled-minilm", "what?", cwd=tmp_path))
    assert "nope: dataset folder not found" in missing
    empty = error(embedforge("search", str(dataset), "--model", "bundled-minilm", " ", cwd=tmp_path))
    assert "question: empty" in empty
    wide = error(embedforge("search", str(dataset), "--model", "bundled-minilm", "--dim", "1024", "what?",
                            cwd=tmp_path))
    assert "--dim 1024: the model bundled-minilm outputs 384 dims; give --dim 384 or less" in wide
