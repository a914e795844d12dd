"""Hostile input, round two (issue 15): nothing lost, one line per problem, the right reason.

One ``embedforge chunk`` run (a real subprocess, stderr a pipe, as in CI or a log file) over
a folder holding three good documents (one with a non-UTF-8 file name, one XHTML page that bs4
warns about) and five bad ones: a PDF of nested dictionaries (thousands of pypdf warnings), a
FIFO, a symlink to /dev/zero, and 8 MB on one line that makes the Rust tokenizer abort out of
memory under a 900 MiB cap. The good documents' chunks must be written, each bad one must be
one line on stderr with its real reason, and no progress bar, warning flood or backtrace may
reach stderr.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_files import nested_dictionaries_pdf, non_utf8_name, one_huge_line, special_files, xhtml

from embedforge.corpus import ChunkSettings, chunk_documents
from embedforge.corpus.settings import ParseLimits

pytestmark = pytest.mark.slow


def _hostile_folder(folder: Path) -> None:
    folder.mkdir()
    (folder / "good.txt").write_text("Speech therapists record a voice bank early, so that a communication device "
                                     "can later speak with the person's own voice when speech fails.",
                                     encoding="utf-8")
    xhtml(folder / "page.html")
    non_utf8_name(folder)
    nested_dictionaries_pdf(folder / "nested.pdf")
    special_files(folder)
    one_huge_line(folder / "line.txt")


def test_one_run_over_round_two_inputs(tmp_path: Path) -> None:
    docs, out = tmp_path / "docs", tmp_path / "out"
    _hostile_folder(docs)
    config = tmp_path / "limits.toml"
    config.write_text('[chunk]\nmodel = "bundled-minilm"\nmin_words = 5\n'
                      "[chunk.limits]\nmemory_mb = 900\ntimeout_s = 100\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "embedforge", "chunk", str(docs), "--out", str(out),
                           "--config", str(config)], capture_output=True, text=True, errors="replace",
                          timeout=600)
    lines = done.stderr.splitlines()
    assert done.returncode == 1, done.stderr[-2000:]  # done, with failures (the exit-code table)
    assert "\r" not in done.stderr and "chunking:" not in done.stderr  # no bar on a pipe
    for noise in ("Multiple definitions", "XMLParsedAsHTML", "stack backtrace", "Traceback"):
        assert noise not in done.stderr, noise
    reasons = {
        "nested.pdf": "the PDF is malformed (pypdf reported",
        "fifo.txt": "not a regular file (a FIFO)",
        "zero.txt": "not a regular file (a device)",
        # Which allocation fails first varies: Rust's (the tokenizer aborts) or Python's (MemoryError).
        "line.txt": ("memory allocation of", "needs over 900 MiB"),
    }
    for name, reason in reasons.items():
        mine = [line for line in lines if f"docs/{name}" in line]
        expected = (reason,) if isinstance(reason, str) else reason
        assert len(mine) == 1 and any(text in mine[0] for text in expected), (name, mine)
    assert "exit code None" not in done.stderr
    # the failures, the closing "corpus: ..." line and the "error: 4 of 7 documents failed" line
    assert len(lines) <= len(reasons) + 2, lines
    sources = {json.loads(line)["source"] for line in (out / "chunks.jsonl").read_text("utf-8").splitlines()}
    assert sources == {"docs/good.txt", "docs/page.html", "docs/caf\\xe9.txt"}
    config_written = json.loads((out / "config.json").read_text("utf-8"))
    assert config_written["sources"] == [str(docs)]


def test_a_non_utf8_name_given_directly_is_read(tmp_path: Path) -> None:
    tmp_path.joinpath("d").mkdir()
    path = non_utf8_name(tmp_path / "d")
    summary = chunk_documents([path], tmp_path / "out", ChunkSettings(min_words=5,
                                                                         limits=ParseLimits(isolate=False)))
    assert summary.failures == [] and summary.chunks_kept >= 1
    rows = [json.loads(line) for line in (tmp_path / "out" / "chunks.jsonl").read_text("utf-8").splitlines()]
    assert {row["source"] for row in rows} == {"caf\\xe9.txt"}
    done = subprocess.run([sys.executable, "-m", "embedforge", "chunk", str(path), "--out", str(tmp_path / "cli")],
                          capture_output=True, text=True, errors="replace", timeout=300)
    assert done.returncode == 0 and "no such file" not in done.stderr, done.stderr[-1000:]
    first = (tmp_path / "cli" / "chunks.jsonl").read_text("utf-8").splitlines()[0]
    assert json.loads(first)["source"] == "caf\\xe9.txt"
