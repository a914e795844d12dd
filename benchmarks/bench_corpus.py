"""Benchmark 4: chunking speed (documents/s, MB/s) and peak memory at 50 and at 500 documents.

Generates a deterministic corpus of HTML and PDF files (half each; PDFs with fpdf2) in
``benchmarks/out/data/``, then runs ``embedforge.corpus.chunk_documents`` in a fresh child
process on the first 50 and on all 500 files, interleaved for several rounds. Peak memory is
each child's own ``ru_maxrss`` (main process) and that of its parse worker, as the OS counts
them. Goal: peak memory flat from 50 to 500 files (the stage streams document by document).

    python benchmarks/bench_corpus.py [--quick] [--files N] [--rounds N]
"""

from __future__ import annotations

import argparse
import html
import json
import random
import statistics
from datetime import datetime, timezone
from pathlib import Path

from harness import OUT, offline_env, paired_ratio, print_table, run_child, spread, write_result

VOCAB = [
    "patient", "caregiver", "muscle", "weakness", "breathing", "speech", "therapy", "diagnosis",
    "symptom", "support", "family", "nerve", "cell", "motor", "neuron", "disease", "research",
    "treatment", "clinic", "respite", "care", "plan", "swallowing", "fatigue", "sleep", "nutrition",
    "wheelchair", "ventilation", "medicine", "trial", "genetics", "stress", "exercise", "nurse", "team",
    "home", "insurance", "equipment", "communication", "device", "emotion", "grief", "friend", "meal",
    "schedule", "appointment", "doctor"
]

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from embedforge.corpus import chunk_documents
files = json.loads(Path(sys.argv[1]).read_text())
started = time.perf_counter()
summary = chunk_documents(files, sys.argv[2])
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "documents": summary.documents_read, "chunks": summary.chunks_kept,
                  "failed": len(summary.failures), "dropped": summary.dropped,
                  "self_peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def paragraph(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(3, 7)):
        words = [rng.choice(VOCAB) for _ in range(rng.randint(8, 22))]
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


def make_html(path: Path, rng: random.Random, number: int) -> None:
    parts = [f"<html><head><title>Guide {number}</title></head><body><h1>Guide {number}</h1>"]
    for s in range(rng.randint(3, 6)):
        parts.append(f"<h2>Section {number}.{s}</h2>")
        parts += [f"<p>{html.escape(paragraph(rng))}</p>" for _ in range(rng.randint(2, 5))]
    path.write_text("".join(parts) + "</body></html>", encoding="utf-8")


def make_pdf(path: Path, rng: random.Random, number: int) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=timezone.utc))  # deterministic bytes
    pdf.add_page()
    pdf.set_font("Helvetica", size=16)
    pdf.cell(text=f"Handbook {number}", new_x="LMARGIN", new_y="NEXT")
    for s in range(rng.randint(3, 6)):
        pdf.set_font("Helvetica", size=13)
        pdf.cell(text=f"Part {number}.{s}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        for _ in range(rng.randint(2, 5)):
            pdf.multi_cell(0, 6, paragraph(rng), new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def generate(folder: Path, count: int) -> list[str]:
    """``count`` files alternating HTML and PDF (made once, then reused); sorted paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / (f"doc{n:04d}.html" if n % 2 == 0 else f"doc{n:04d}.pdf")
        if not path.exists():
            rng = random.Random(n)
            (make_html if n % 2 == 0 else make_pdf)(path, rng, n)
        paths.append(str(path))
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds")
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.quick:
        args.rounds = 2
    offline_env()
    paths = generate(OUT / "data" / "corpus", args.files)
    sizes = {"small": args.small, "large": args.files}
    lists = {}
    for name, count in sizes.items():
        lists[name] = OUT / "data" / f"files_{count}.json"
        lists[name].write_text(json.dumps(paths[:count]), encoding="utf-8")
    results: dict[str, list[dict[str, float]]] = {name: [] for name in sizes}
    for r in range(args.rounds):
        for name in (list(sizes) if r % 2 == 0 else list(sizes)[::-1]):
            payload, wall, peak = run_child(CHILD, str(lists[name]), str(OUT / "data" / f"chunks_{name}"))
            payload.update(wall=wall, tree_peak_mib=peak,
                           mb=sum(Path(p).stat().st_size for p in paths[:sizes[name]]) / 1e6)
            results[name].append(payload)
            print(f"  round {r + 1}: {sizes[name]} files {payload['seconds']:.1f}s, "
                  f"main {payload['self_peak_mib']:.0f} MiB, worker {payload['worker_peak_mib']:.0f} MiB",
                  flush=True)
    summary = {}
    for name, runs in results.items():
        secs = [run["seconds"] for run in runs]
        summary[name] = {
            "files": sizes[name], "mb": round(runs[0]["mb"], 2), "chunks": runs[0]["chunks"],
            "failed": runs[0]["failed"], "seconds": spread(secs),
            "docs_per_s": round(sizes[name] / statistics.median(secs), 2),
            "mb_per_s": round(runs[0]["mb"] / statistics.median(secs), 3),
            "main_peak_mib": spread([run["self_peak_mib"] for run in runs]),
            "worker_peak_mib": spread([run["worker_peak_mib"] for run in runs]),
        }
    growth = paired_ratio([r["self_peak_mib"] for r in results["large"]],
                          [r["self_peak_mib"] for r in results["small"]])
    worker_growth = paired_ratio([r["worker_peak_mib"] for r in results["large"]],
                                 [r["worker_peak_mib"] for r in results["small"]])
    figures = {"peak_main_large_vs_small": {"goal": "flat (<= 1.10)", "measured": round(growth, 3),
                                            "ok": growth <= 1.10},
               "peak_worker_large_vs_small": {"goal": "flat (<= 1.10)", "measured": round(worker_growth, 3),
                                              "ok": worker_growth <= 1.10}}
    print_table([[s["files"], s["chunks"], s["mb"], s["seconds"]["median"], s["docs_per_s"], s["mb_per_s"],
                  s["main_peak_mib"]["median"], s["worker_peak_mib"]["median"]] for s in summary.values()],
                ["files", "chunks", "MB", "median s", "docs/s", "MB/s", "main peak MiB", "worker peak MiB"])
    print_table([[k, v["goal"], v["measured"], "ok" if v["ok"] else "MISSED"] for k, v in figures.items()],
                ["ratio", "goal", "measured", "verdict"])
    print(f"wrote {write_result('corpus', {'sizes': summary, 'figures': figures, 'rounds': args.rounds})}")


if __name__ == "__main__":
    main()
