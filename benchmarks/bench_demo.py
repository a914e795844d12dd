"""Benchmark 5: what ``make demo`` costs, stage by stage.

Runs ``embedforge run configs/als-offline.toml --set runs_dir=TMP`` (the demo's own command)
in a child process with an empty LLM cache, reads the per-stage seconds it prints
(``  chunk    ran in 12.3 s``), then runs it again: every stage should be up to date and
skipped. The child's peak RSS is the OS's account (``os.wait4``). The ``dataset`` stage
includes question generation with the bundled LLM. The run's ndcg@10 per model and dim (eval
split and hand-written questions) is kept beside the times, so README's results table can be
checked against it.

    python benchmarks/bench_demo.py [--config configs/als-offline.toml] [--set KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import REPO, offline_env, print_table, write_result

STAGE_LINE = re.compile(r"^\s+(\w+)\s+ran in ([0-9.]+) s", re.MULTILINE)
SKIP_LINE = re.compile(r"^\s+(\w+)\s+up to date, skipped", re.MULTILINE)


def run_pipeline(config: str, runs_dir: Path, extra: list[str], cache: Path) -> dict:
    """One ``embedforge run``: wall seconds, per-stage seconds, skipped stages, peak RSS MiB."""
    exe = shutil.which("embedforge", path=str(Path(sys.executable).parent)) or "embedforge"
    cmd = [exe, "run", config, "--set", f"runs_dir={runs_dir}"]
    for item in extra:
        cmd += ["--set", item]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "EMBEDFORGE_CACHE": str(cache)})
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {code}:\n{output[-3000:]}")
    return {"wall_s": round(wall, 2), "stages": {m[1]: float(m[2]) for m in STAGE_LINE.finditer(output)},
            "skipped": [m[1] for m in SKIP_LINE.finditer(output)],
            "peak_mib": round(usage.ru_maxrss / 1024, 1),
            "command": " ".join(cmd)}


def ndcg_table(report: Path) -> dict:
    """ndcg@10 by section (eval, handwritten), model and dim, from the run's metrics.json."""
    import json

    metrics = json.loads((report / "metrics.json").read_text(encoding="utf-8"))
    sections = {"eval": metrics["models"], "handwritten": metrics.get("handwritten", {}).get("models", {})}
    return {section: {model: {dim: round(values["ndcg@10"], 4) for dim, values in dims.items()}
                      for model, dims in models.items()} for section, models in sections.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default="configs/als-offline.toml")
    parser.add_argument("--set", dest="extra", action="append", default=[], help="extra --set KEY=VALUE")
    parser.add_argument("--quick", action="store_true", help="accepted for run_all; the demo has one size")
    args = parser.parse_args()
    offline_env()
    work = Path(tempfile.mkdtemp(prefix="bench-demo-"))
    first = run_pipeline(args.config, work / "runs", args.extra, work / "llm.sqlite")
    again = run_pipeline(args.config, work / "runs", args.extra, work / "llm.sqlite")
    rows = [[stage, f"{sec:.1f}", f"{sec / first['wall_s']:.0%}"] for stage, sec in first["stages"].items()]
    rows.append(["(whole command)", f"{first['wall_s']:.1f}", "100%"])
    print_table(rows, ["stage", "seconds", "share"])
    print(f"re-run: {again['wall_s']:.1f} s, skipped {again['skipped']}; "
          f"peak RSS {first['peak_mib']:.0f} MiB")
    ndcg = ndcg_table(next((work / "runs").glob("*/report")))
    for section, models in ndcg.items():
        for model, dims in models.items():
            print(f"  ndcg@10 {section:<11} {model:<10} " + "  ".join(f"{d}: {v:.3f}" for d, v in dims.items()))
    print(f"wrote {write_result('demo', {'first_run': first, 'rerun': again, 'ndcg@10': ndcg})}")


if __name__ == "__main__":
    main()
