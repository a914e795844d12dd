"""A Ray head node on 127.0.0.1 for the tests, the environment of embedforge children, generated documents."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def child_env(cache: Path) -> dict[str, str]:
    """An embedforge child's environment: offline, the given LLM cache, Ray without tokens or usage stats."""
    env = dict(os.environ)
    env.update(EMBEDFORGE_CACHE=str(cache), RAY_AUTH_MODE="disabled", RAY_USAGE_STATS_ENABLED="0",
               TOKENIZERS_PARALLELISM="false", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONUNBUFFERED="1")
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def ray_head(folder: Path, cpus: int = 2, startup_s: float = 180.0) -> Iterator[str]:
    """``ray start --head --block`` with ``cpus`` CPUs, its files under ``folder``; yields its address.

    Stopped at the end by signalling the process this started (never ``ray stop``, which would stop
    every Ray of the machine's user).
    """
    port = _free_port()
    log = folder / "head.log"
    command = [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block", "--node-ip-address=127.0.0.1",
               f"--port={port}", f"--num-cpus={cpus}", "--num-gpus=0", "--include-dashboard=false",
               "--disable-usage-stats", f"--temp-dir={folder / 'tmp'}"]
    with log.open("w") as out:
        head = subprocess.Popen(command, env=child_env(folder / "unused.sqlite"), stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + startup_s
        while "Ray runtime started" not in log.read_text(errors="replace"):
            if head.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"ray start --head failed: {log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        yield f"127.0.0.1:{port}"
    finally:
        if head.poll() is None:
            head.send_signal(signal.SIGTERM)  # --block: ray stops the processes it started, then exits
            try:
                head.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(head.pid, signal.SIGKILL)
                head.wait(timeout=30)


WORDS = [
    "river", "stone", "garden", "lantern", "harbor", "meadow", "signal", "orchard", "valley", "copper",
    "window", "market", "ladder", "thunder", "basket", "canyon", "pepper", "violin", "marble", "candle",
    "forest", "engine", "rocket", "island", "mirror", "velvet", "compass", "silver", "bridge", "anchor",
    "falcon", "glacier", "tunnel", "beacon", "saddle", "quartz", "timber",
]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def generated_documents(folder: Path, count: int, seed: int = 7) -> Path:
    """``count`` short Markdown files: 7 texts, each copied exactly and with one word changed, and tiny notes.

    Every eighth file is a note too short to keep; of the rest, the first file of each text is kept
    and its copies are dropped as duplicates or near duplicates, wherever they fall.
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    texts = [_text(rng, 90) for _ in range(7)]
    for i in range(count):
        if i % 8 == 7:
            body = f"Note {i}: {rng.choice(WORDS)}."
        else:
            words = texts[i % 8].split()
            if i >= 8 and i % 3 == 0:  # a near copy: one word swapped
                words[rng.randrange(len(words))] = rng.choice(WORDS) + "s"
            body = " ".join(words)
        (folder / f"doc-{i:03d}.md").write_text(f"# Generated {i % 8}\n\n{body}\n", encoding="utf-8")
    return folder
