"""Run the CPU benchmark set (``make bench``) and gather every figure into ``benchmarks/out/summary.json``.

Each benchmark runs as its own process, in its ``--quick`` size by default so the set fits
in 15 minutes on a 2-core machine; ``--full`` runs the sizes BENCHMARKS.md quotes.
``make demo``'s stage times (bench_demo.py) run the whole demo and are only included
with ``--demo``; the recipe's quality (bench_quality.py, about 11 minutes) with ``--demo``
or ``--full``; the GPU precision benchmark runs when a CUDA GPU is visible.

    python benchmarks/run_all.py [--full] [--demo] [--only evaluation,corpus,...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from harness import HERE, OUT, machine, print_table

CPU_SET = {"corpus": "bench_corpus.py", "evaluation": "bench_evaluation.py",
           "generation": "bench_generation.py", "training": "bench_training.py",
           "extraction": "bench_extraction.py"}
BUDGET_S = 15 * 60


def cuda_visible() -> bool:
    probe = "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"
    return subprocess.run([sys.executable, "-c", probe], check=False).returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="the full sizes (much longer than 15 minutes)")
    parser.add_argument("--demo", action="store_true", help="also time `make demo` stage by stage")
    parser.add_argument("--only", default="", help="comma-separated names: " + ",".join(CPU_SET))
    args = parser.parse_args()
    plan = dict(CPU_SET)
    if args.demo:
        plan["demo"] = "bench_demo.py"
    if args.demo or args.full:  # the default recipe end to end on the ALS documents, about 11 minutes
        plan["quality"] = "bench_quality.py"
    if cuda_visible():
        plan["gpu_train_precision"] = "gpu_train_precision.py"
    if args.only:
        plan = {k: v for k, v in plan.items() if k in args.only.split(",")}
    summary: dict = {"machine": machine(), "mode": "full" if args.full else "quick", "benchmarks": {}}
    started = time.perf_counter()
    for name, script in plan.items():
        cmd = [sys.executable, str(HERE / script)]
        if not args.full and name not in ("demo", "quality", "gpu_train_precision"):
            cmd.append("--quick")
        print(f"== {name}: {' '.join(cmd[1:])}", flush=True)
        begun = time.perf_counter()
        code = subprocess.run(cmd, cwd=HERE.parent, check=False).returncode
        entry: dict = {"exit": code, "seconds": round(time.perf_counter() - begun, 1)}
        result = OUT / f"{name}.json"
        if code == 0 and result.is_file():
            entry["figures"] = json.loads(result.read_text(encoding="utf-8")).get("figures", {})
        summary["benchmarks"][name] = entry
    summary["total_seconds"] = round(time.perf_counter() - started, 1)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    rows = []
    for name, entry in summary["benchmarks"].items():
        for figure, value in entry.get("figures", {"(failed)": {}}).items():
            verdict = "FAILED" if entry["exit"] else ("ok" if value.get("ok") else "MISSED")
            rows.append([name, figure, value.get("goal", ""), value.get("measured", ""), verdict])
    print_table(rows, ["benchmark", "figure", "goal", "measured", "verdict"])
    print(f"total {summary['total_seconds']:.0f} s (budget {BUDGET_S} s); wrote {OUT / 'summary.json'}")
    if any(entry["exit"] for entry in summary["benchmarks"].values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
