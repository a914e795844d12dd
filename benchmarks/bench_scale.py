"""Scale: corpus-stage documents/s, local vs Ray Data with 1 and 2 parse workers, and Ray's overhead per document.

The corpus of ``bench_corpus.py`` (alternating HTML and PDF files, deterministic) at 2,000
documents; each configuration runs ``chunk_documents`` in a fresh child process, interleaved
for ``--rounds`` rounds: ``local`` (one bounded parse worker), ``ray-1`` and ``ray-2`` (a private
Ray started in the child with 2 CPUs, ``workers`` = 1 or 2 actors, each with its bounded parse
worker). Ray's start-up (``ray.init``, the actors loading the tokenizer) is timed apart from the
documents: ``seconds`` counts from the first document handed over to the last chunk written.

Overhead per document at k workers = (k x T_ray_k - T_local) / T_local: the worker-seconds a
document costs on Ray beyond what it costs locally (0 = perfect scaling; the goal is <= 0.10
at 2 workers). On a 2-core machine the driver (filter, writing) shares the cores with the
workers, so ray-2 cannot reach 2x. Every run checks its chunks.jsonl equals the local one.

    python benchmarks/bench_scale.py [--files 2000] [--rounds 1]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics

from bench_corpus import generate
from harness import OUT, offline_env, print_table, run_child, spread, write_result

CHILD = r"""
import json, sys, time
from pathlib import Path
from embedforge.corpus import chunk_documents
from embedforge.engine import EngineSettings, connect
files, out, workers = json.loads(Path(sys.argv[1]).read_text()), sys.argv[2], int(sys.argv[3])
engine = EngineSettings(kind="ray", workers=workers) if workers else EngineSettings()
started = time.perf_counter()
if workers:
    import ray
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    with connect(engine):
        pass
    ray.data.range(4).map_batches(lambda b: b).materialize()  # Ray Data's own first-use cost, outside the timing
startup = time.perf_counter() - started
started = time.perf_counter()
summary = chunk_documents(files, out, engine=engine)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "startup": startup, "documents": summary.documents_read,
                  "chunks": summary.chunks_kept, "failed": len(summary.failures)}))
"""
CONFIGS = {"local": 0, "ray-1": 1, "ray-2": 2}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    offline_env()
    load_before = os.getloadavg()
    paths = generate(OUT / "data" / "corpus", args.files)
    listing = OUT / "data" / f"scale_{args.files}.json"
    listing.write_text(json.dumps(paths), encoding="utf-8")
    env = {"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0", "TOKENIZERS_PARALLELISM": "false"}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in CONFIGS}
    digests: dict[str, str] = {}
    for r in range(args.rounds):
        order = list(CONFIGS) if r % 2 == 0 else list(CONFIGS)[::-1]
        for name in order:
            out = OUT / "data" / f"scale_{name}"
            payload, wall, _ = run_child(CHILD, str(listing), str(out), str(CONFIGS[name]), env=env, timeout=3600)
            digests[name] = hashlib.sha256((out / "chunks.jsonl").read_bytes()).hexdigest()
            runs[name].append({**payload, "wall": wall})
            print(f"  round {r + 1}: {name} {payload['seconds']:.1f} s (+{payload['startup']:.1f} s start-up), "
                  f"{payload['documents']} docs, {payload['chunks']} chunks", flush=True)
    median = {name: statistics.median(run["seconds"] for run in rs) for name, rs in runs.items()}
    overhead = {name: round((CONFIGS[name] * median[name] - median["local"]) / median["local"], 3)
                for name in CONFIGS if CONFIGS[name]}
    summary = {name: {"seconds": spread([run["seconds"] for run in rs]),
                      "startup_s": spread([run["startup"] for run in rs]),
                      "docs_per_s": round(args.files / median[name], 2),
                      "speedup_vs_local": round(median["local"] / median[name], 3),
                      "chunks": rs[0]["chunks"], "failed": rs[0]["failed"]} for name, rs in runs.items()}
    identical = len(set(digests.values())) == 1
    print_table([[name, s["seconds"]["median"], s["startup_s"]["median"], s["docs_per_s"], s["speedup_vs_local"],
                  overhead.get(name, "")] for name, s in summary.items()],
                ["config", "median s", "start-up s", "docs/s", "speedup", "overhead/doc"])
    print(f"chunks.jsonl identical across configs: {identical}; load before {load_before}, after {os.getloadavg()}")
    path = write_result("scale", {"files": args.files, "rounds": args.rounds, "summary": summary,
                                  "overhead_per_document": overhead, "chunks_identical": identical,
                                  "load_before": load_before, "load_after": os.getloadavg(),
                                  "figures": {"ray2_overhead": {"goal": "<= 0.10", "measured": overhead["ray-2"],
                                                                "ok": overhead["ray-2"] <= 0.10}}})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
