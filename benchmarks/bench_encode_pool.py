"""Benchmark 10: compare's corpus pass in one process versus a pool of processes; where the pool starts to win.

``compare`` encodes the corpus once per model. sentence-transformers can spread that pass
over one process per device (``start_multi_process_pool``); the pool costs a start-up
(spawn, import torch, receive the model) that only a large corpus earns back. Two tasks
run interleaved, per corpus size, through embedforge's own ``encode_model`` (model load
included, as in ``compare``):

    one     ``device="cpu"``: one process, torch's threads on every core
    pool    ``device="cpu,cpu"``: two processes, one thread each

The figure is pool / one per size, and the crossover (the size from which the ratio is
below 1), fitted as start-up / per-chunk saving from the two lines ``t = a + b * n``.
The corpus is the ALS sentences recombined into chunks of about ``--words`` words.

    python benchmarks/bench_encode_pool.py [--quick] [--sizes 1000,4000,16000] [--rounds N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
from pathlib import Path

from bench_evaluation import source_sentences
from harness import interleave, offline_env, paired_ratio, print_table, write_result


def chunks_of(sentences: list[str], n: int, words: int) -> list[str]:
    """``n`` chunks of about ``words`` words, sentences drawn with a fixed seed."""
    rng = random.Random(42)
    out = []
    for _ in range(n):
        picked: list[str] = []
        while sum(len(s.split()) for s in picked) < words:
            picked.append(rng.choice(sentences))
        out.append(" ".join(picked))
    return out


def fit_line(sizes: list[int], seconds: list[float]) -> tuple[float, float]:
    """Least-squares (intercept a, slope b) of seconds = a + b * size."""
    mean_n, mean_t = statistics.fmean(sizes), statistics.fmean(seconds)
    slope = sum((n - mean_n) * (t - mean_t) for n, t in zip(sizes, seconds, strict=True)) / sum(
        (n - mean_n) ** 2 for n in sizes)
    return mean_t - slope * mean_n, slope


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="sizes 500,2000,4000 and 2 rounds")
    parser.add_argument("--sizes", default="1000,4000,16000")
    parser.add_argument("--words", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    sizes = [500, 2000, 4000] if args.quick else [int(s) for s in args.sizes.split(",")]
    offline_env()
    import torch

    from embedforge.evaluation.encode import encode_model

    sentences = source_sentences(Path(tempfile.mkdtemp(prefix="bench-pool-")))
    questions = chunks_of(sentences, 20, 10)
    print(f"torch threads {torch.get_num_threads()}; sizes {sizes}; chunks of ~{args.words} words")
    medians: dict[str, list[float]] = {"one": [], "pool": []}
    rows, ratios = [], {}
    for size in sizes:
        corpus = chunks_of(sentences, size, args.words)
        tasks = {name: (lambda device=device, corpus=corpus: encode_model("m", "bundled-minilm", corpus, questions,
                                                                          device=device))
                 for name, device in (("one", "cpu"), ("pool", "cpu,cpu"))}
        times = interleave(tasks, args.rounds)
        ratios[size] = round(paired_ratio(times["pool"], times["one"]), 3)
        for name in medians:
            medians[name].append(statistics.median(times[name]))
        rows.append([size, f"{medians['one'][-1]:.1f}", f"{medians['pool'][-1]:.1f}", ratios[size]])
    print_table(rows, ["chunks", "one s", "pool s", "pool / one"])
    (a_one, b_one), (a_pool, b_pool) = fit_line(sizes, medians["one"]), fit_line(sizes, medians["pool"])
    crossover = (a_pool - a_one) / (b_one - b_pool) if b_one > b_pool else None
    where = "none (the pool is never faster per chunk)" if crossover is None else f"{crossover:.0f} chunks"
    print(f"fit: one {a_one:.1f} s + {b_one * 1000:.2f} ms/chunk; "
          f"pool {a_pool:.1f} s + {b_pool * 1000:.2f} ms/chunk; crossover {where}")
    write_result("encode_pool", {
        "sizes": sizes, "words": args.words, "rounds": args.rounds, "pool_vs_one": ratios,
        "fit": {"one": {"start_s": round(a_one, 2), "ms_per_chunk": round(b_one * 1000, 3)},
                "pool": {"start_s": round(a_pool, 2), "ms_per_chunk": round(b_pool * 1000, 3)}},
        "crossover_chunks": None if crossover is None else round(crossover),
    })


if __name__ == "__main__":
    main()
