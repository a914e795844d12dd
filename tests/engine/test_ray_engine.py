"""``--engine ray`` on a real Ray cluster this module starts (``ray start --head``, 127.0.0.1, 2 CPUs).

Every embedforge run here is a child process (the CLI), so this test process never imports Ray.
The documents: the two ALS documents plus 200 generated ones, most of them copies or near copies
of a few texts, spread over the partitions, so a filter applied per partition would keep some
that the global one drops.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ray_cluster import child_env, generated_documents

pytestmark = pytest.mark.slow
ONE_GREEDY = ["--questions-per-chunk", "1", "--temperature", "0", "--greedy-prompt", "", "--resample", "0"]
# Bigger chunks than the default: fewer LLM calls (each ~1-4 s on a CPU) over the same documents.
BUILD = [*ONE_GREEDY, "--roundtrip-k", "0", "--chunk-tokens", "380", "--max-tokens", "32"]


def embedforge(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "embedforge", *args], env=env, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def sources(als_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = generated_documents(tmp_path_factory.mktemp("docs") / "generated", 200)
    return [str(als_corpus), str(folder)]


def test_chunks_are_byte_identical_under_local_and_ray(sources: list[str], ray_cluster: str,
                                                       tmp_path: Path) -> None:
    env = child_env(tmp_path / "llm.sqlite")
    embedforge("chunk", *sources, "--out", str(tmp_path / "local"), env=env)
    ray = embedforge("chunk", *sources, "--out", str(tmp_path / "ray"), "--engine", "ray",
                     "--ray-address", ray_cluster, env=env)
    local_bytes = (tmp_path / "local" / "chunks.jsonl").read_bytes()
    assert local_bytes == (tmp_path / "ray" / "chunks.jsonl").read_bytes()
    chunks = [json.loads(line) for line in local_bytes.splitlines()]
    generated = [c for c in chunks if c["source"].startswith("generated/")]
    assert len(chunks) > 60 and 5 <= len(generated) <= 20, len(generated)  # most generated ones were dropped
    assert "near_duplicate" in ray.stdout and "duplicate" in ray.stdout, ray.stdout


def _cached(cache: Path) -> int:
    if not cache.is_file():
        return 0
    try:
        with sqlite3.connect(f"file:{cache}?mode=ro", uri=True, timeout=5) as db:
            return int(db.execute("SELECT COUNT(*) FROM generations").fetchone()[0])
    except sqlite3.OperationalError:  # the table is not created yet
        return 0


def _kill_after(command: list[str], env: dict[str, str], cache: Path, answers: int, log: Path) -> int:
    """Run ``command``, SIGKILL it once ``cache`` holds ``answers`` answers; return how many it holds then."""
    with log.open("w") as out:
        child = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            while child.poll() is None and _cached(cache) < answers:
                time.sleep(0.1)
            assert child.poll() is None, f"the run ended before it was killed: {log.read_text()[-2000:]}"
            child.send_signal(signal.SIGKILL)
        finally:
            child.wait(timeout=60)
    return _cached(cache)


def _questions(dataset: Path) -> list[dict]:
    """queries.jsonl, sorted by id, without created_at (when the answer was made, not what it is)."""
    rows = [json.loads(line) for line in (dataset / "queries.jsonl").read_text(encoding="utf-8").splitlines()]
    return sorted(({k: v for k, v in row.items() if k != "created_at"} for row in rows), key=lambda r: r["_id"])


def test_ray_build_killed_mid_generation_resumes_with_only_the_missing_calls_and_equals_local(
        sources: list[str], ray_cluster: str, tmp_path: Path) -> None:
    local_env, ray_cache = child_env(tmp_path / "local.sqlite"), tmp_path / "ray.sqlite"
    ray_env = child_env(ray_cache)
    embedforge("dataset", "build", *sources, "--out", str(tmp_path / "local"), *BUILD, env=local_env)
    local_manifest = json.loads((tmp_path / "local" / "manifest.json").read_text())
    calls = local_manifest["counts"]["llm_calls"]
    assert calls >= 20

    command = [sys.executable, "-m", "embedforge", "dataset", "build", *sources, "--out", str(tmp_path / "ray"),
               *BUILD, "--engine", "ray", "--ray-address", ray_cluster, "--overwrite"]
    kept = _kill_after(command, ray_env, ray_cache, calls // 3, tmp_path / "killed.log")
    assert calls // 3 <= kept < calls
    assert not (tmp_path / "ray" / "manifest.json").exists()

    embedforge(*command[3:], env=ray_env)  # the same command again, to the end
    counts = json.loads((tmp_path / "ray" / "manifest.json").read_text())["counts"]
    assert counts["cached"] == kept and counts["llm_calls"] == calls - kept, counts  # only the missing calls
    assert _cached(ray_cache) == calls

    for name in ("chunks.jsonl", "split.json", "corpus.jsonl"):
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    qrels = sorted(path.name for path in (tmp_path / "local" / "qrels").iterdir())
    assert qrels == sorted(path.name for path in (tmp_path / "ray" / "qrels").iterdir()) and "test.tsv" in qrels
    for name in qrels:
        assert (tmp_path / "ray" / "qrels" / name).read_bytes() == (tmp_path / "local" / "qrels" / name).read_bytes()
    assert _questions(tmp_path / "ray") == _questions(tmp_path / "local")
