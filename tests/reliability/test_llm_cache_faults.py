"""The LLM cache failing after it opens: one line naming the file and what to do; no answer lost.

Four faults of a real SQLite file: a table of another layout (refused when opened, before any
call), damaged pages (one line when read, before any call), another process holding the write
lock (the answer is kept, the cache written no more this run) and a full disk while writing
(a tmpfs a few hundred kilobytes large, in a mount namespace of its own): the answer is kept
and written to the dataset, and the command ends with one line naming the cache, exit 2.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hostile_llm import QUESTION, embedforge_cli, hostile_llm

from embedforge.corpus.record import Chunk
from embedforge.errors import EmbedforgeError
from embedforge.generators import GenerationSettings, generate_questions
from embedforge.generators import cache as cache_module
from embedforge.generators.cache import GenerationCache

CHUNK = Chunk.create("Respite care gives family caregivers a planned break while trained staff look after "
                     "the person with ALS at home or in a day centre.", source="respite.txt", title="Respite")
_HOLD_LOCK = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()  # until the test closes our stdin
"""


def _settings(cache: Path, url: str) -> GenerationSettings:
    return GenerationSettings(llm=f"openai-compatible:m@{url}", cache=str(cache), progress=False, concurrency=1,
                              resample=0, max_retries=0, questions_per_chunk=1, temperature=0.0,
                              greedy_prompt=None)


def test_a_cache_of_another_layout_is_refused_before_any_call(tmp_path: Path) -> None:
    path = tmp_path / "llm.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE generations (key TEXT PRIMARY KEY, answer TEXT)")
    with hostile_llm("ok") as server:
        with pytest.raises(EmbedforgeError, match="not an embedforge LLM cache") as info:
            generate_questions([CHUNK], _settings(path, server.url))
        assert server.requests == 0
    assert str(path) in str(info.value) and "--cache" in str(info.value)


def test_damaged_pages_are_one_line_naming_the_cache_before_any_call(tmp_path: Path) -> None:
    path = tmp_path / "llm.sqlite"
    with GenerationCache(path) as cache:
        for i in range(300):
            cache.put(f"k{i}", chunk_text=f"chunk {i}", prompt_hash="p", llm="m", params={}, raw="q" * 2000,
                      tokens_in=1, tokens_out=1)
    data = bytearray(path.read_bytes())
    noise = random.Random(0).randbytes(len(data) - 4096)
    data[4096:] = noise  # every page but the first (the schema): the table's and the index's b-trees
    path.write_bytes(bytes(data))
    with hostile_llm("ok") as server:
        with pytest.raises(EmbedforgeError, match=r"malformed|not a database") as info:
            generate_questions([CHUNK], _settings(path, server.url))
        assert server.requests == 0
    assert str(path) in str(info.value) and "move the file aside" in str(info.value)


def test_a_locked_cache_keeps_the_answer_and_names_the_lock(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "llm.sqlite"
    GenerationCache(path).close()
    monkeypatch.setattr(cache_module, "BUSY_TIMEOUT_S", 0.2)  # wait 0.2 s for the lock, not 30
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with hostile_llm("ok") as server:
            result = generate_questions([CHUNK], _settings(path, server.url))
    finally:
        holder.communicate("", timeout=30)
    assert result.records[0].question == QUESTION  # the answer received is kept
    [(line, unsaved)] = result.counts.uncached.items()
    assert unsaved == 1 and str(path) in line and "another process holds it locked" in line
    with GenerationCache(path) as cache:
        assert len(cache) == 0


def _namespaces_work() -> bool:
    """True where ``unshare -rm`` may mount a tmpfs (a user and mount namespace of our own)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    with tempfile.TemporaryDirectory() as folder:
        mount = subprocess.run([unshare, "-rm", "sh", "-c", 'mount -t tmpfs -o size=64k tmpfs "$0"', folder],
                               capture_output=True)
    return mount.returncode == 0


@pytest.mark.skipif(not _namespaces_work(), reason="needs unshare -rm to mount a tmpfs (user and mount namespaces)")
def test_a_full_disk_keeps_the_answer_in_the_dataset_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "respite.txt").write_text(CHUNK.text, encoding="utf-8")
    disk = tmp_path / "disk"
    disk.mkdir()
    mount = 'mount -t tmpfs -o size=256k tmpfs "$0" && head -c 160k /dev/zero > "$0/fill" && exec "$@"'
    script = Path(sys.executable).with_name("embedforge")
    with hostile_llm("long", padding=200_000) as server:  # the answer needs more than the disk has left
        done = embedforge_cli(
            "-rm", "sh", "-c", mount, str(disk), str(script), "dataset", "build", "docs", "--out", "out",
            "--llm", f"openai-compatible:m@{server.url}", "--embedder", "bundled-minilm", "--roundtrip-k", "0",
            "--questions-per-chunk", "1", "--greedy-prompt", "", "--resample", "0", "--max-retries", "0",
            cwd=tmp_path, env={"EMBEDFORGE_CACHE": str(disk / "llm.sqlite")}, program=shutil.which("unshare"))
    assert done.returncode == 2, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert f"{disk / 'llm.sqlite'}: LLM answers could not be written to the cache" in last
    assert "disk is full" in last and "the 1 answers are in out" in last
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert QUESTION in (tmp_path / "out" / "queries.jsonl").read_text(encoding="utf-8")
