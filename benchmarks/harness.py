"""Measurement helpers shared by the benchmark scripts: interleaved timing, child peak memory, output.

A 2-core shared machine drifts in speed from minute to minute, so every figure is a
ratio against a baseline measured in the same run: :func:`interleave` runs A, B, C...
in turn, rotating the order each round, and :func:`paired_ratio` takes the median of
the per-round ratios. Peak memory is the operating system's own accounting of a child
process (``os.wait4``), so one benchmark's allocations never leak into another's.
Results go to ``benchmarks/out/<name>.json`` (git-ignored). Public tools only.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
ALS_FILES = ("ninds-als-overview.html", "family-caregivers-self-care.pdf")


def offline_env() -> None:
    """Keep the Hugging Face Hub offline and tokenizers single-process, as the tests do."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def find_als_corpus() -> Path | None:
    """EMBEDFORGE_CORPUS, else ../shared/corpus/als beside the checkout, else corpus/ (`corpus fetch`)."""
    for candidate in (os.environ.get("EMBEDFORGE_CORPUS"), REPO.parent / "shared" / "corpus" / "als",
                      REPO / "corpus"):
        if candidate and all((Path(candidate) / name).is_file() for name in ALS_FILES):
            return Path(candidate)
    return None


def interleave(tasks: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    """Run every task once per round, rotating the order; wall seconds per task per round."""
    names = list(tasks)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            started = time.perf_counter()
            tasks[name]()
            times[name].append(time.perf_counter() - started)
        done = ", ".join(f"{n} {times[n][-1]:.2f}s" for n in names)
        print(f"  round {r + 1}/{rounds}: {done}", flush=True)
    return times


def paired_ratio(a: Sequence[float], b: Sequence[float]) -> float:
    """Median over rounds of a[i] / b[i] (pairing cancels the machine's drift between rounds)."""
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


def spread(values: Sequence[float]) -> dict[str, float]:
    """min / median / max of a list, rounded for the JSON output."""
    return {"min": round(min(values), 4), "median": round(statistics.median(values), 4),
            "max": round(max(values), 4), "runs": len(values)}


def run_child(code: str, *args: str, env: dict[str, str] | None = None,
              timeout: float = 900) -> tuple[dict[str, Any], float, float]:
    """Run ``python -c code args`` and return (its last stdout line as JSON, wall s, peak RSS MiB).

    The peak is ``os.wait4``'s ``ru_maxrss`` of that child: the largest single process among the
    child and the descendants it waited for (so a parse worker counts, not their sum).
    """
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            env={**os.environ, **(env or {})}, text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"child failed with exit {proc.returncode}: {output[-2000:]}")
    lines = [line for line in output.splitlines() if line.strip()]
    payload = json.loads(lines[-1]) if lines else {}
    return payload, wall, usage.ru_maxrss / 1024.0


def machine() -> dict[str, Any]:
    """nproc, CPU model, RAM, Python and key library versions: the header of every result."""
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next((int(line.split()[1]) for line in _read("/proc/meminfo").splitlines()
                   if line.startswith("MemTotal")), 0)
    versions = {}
    for module in ("torch", "sentence_transformers", "transformers", "llama_cpp"):
        try:
            versions[module] = __import__(module).__version__
        except Exception:
            continue
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "load_avg": os.getloadavg(), **versions}


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return ""


def write_result(name: str, payload: dict[str, Any]) -> Path:
    """Write ``benchmarks/out/<name>.json`` with date, machine and the command line added."""
    OUT.mkdir(parents=True, exist_ok=True)
    payload = {"benchmark": name, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "command": " ".join([Path(sys.executable).name, *sys.argv]), "machine": machine(), **payload}
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def print_table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> None:
    """A plain fixed-width table on stdout."""
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * w for w in widths))
