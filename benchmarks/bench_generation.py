"""Benchmark 2: question generation with the bundled Gemma 3 270M.

    overhead    ``generate_questions`` (fresh cache each round, no resampling) vs raw llama-cpp-python
                ``Llama.create_completion`` on the same prompt texts, stops, max_tokens, temperature 0,
                seed, n_ctx and n_batch; interleaved rounds. Goal: embedforge / raw <= 1.15.
    cached      a second ``generate_questions`` over every ALS chunk with the cache filled by a first
                run. Goal: 0 LLM calls, under 2 s.
    server      the same chunks through ``openai-compatible:gemma@URL`` (completions API) against
                ``python -m llama_cpp.server`` with ``--concurrency`` 1, 2, 4. When the C++
                ``llama-server`` is on PATH it is started with ``--parallel N`` for N slots; the
                llama-cpp-python server has no slots (it serves one request at a time), which
                the output says.

    python benchmarks/bench_generation.py [--quick] [--chunks N] [--rounds N] [--skip-server]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import find_als_corpus, interleave, offline_env, paired_ratio, print_table, spread, write_result

# One greedy question per chunk (the default recipe samples 5 and adds a greedy one).
ONE_GREEDY: dict = {"questions_per_chunk": 1, "temperature": 0.0, "greedy_prompt": None}


def als_chunks(work: Path) -> list:
    from embedforge.corpus import Chunk, chunk_documents, read_chunks

    als = find_als_corpus()
    if als is None:
        texts = [f"Section {i}. Caregivers of people with ALS need rest, help with meals, and time for "
                 f"themselves; respite care number {i} gives them a break of a few hours each week."
                 for i in range(40)]
        return [Chunk.create(text=t, source="synthetic", title="Care") for t in texts]
    summary = chunk_documents([als], work / "als")
    assert summary.output is not None
    return read_chunks(summary.output)


def start_server(model: str, slots: int, log: Path) -> tuple[subprocess.Popen, str, str]:
    """A llama.cpp server on a free port: C++ llama-server --parallel when present, else llama_cpp.server."""
    import socket

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    native = shutil.which("llama-server")
    if native:
        cmd = [native, "-m", model, "--port", str(port), "--parallel", str(slots), "-c", str(2048 * slots),
               "--alias", "gemma"]
        kind = f"llama-server --parallel {slots}"
    else:
        cmd = [sys.executable, "-m", "llama_cpp.server", "--model", model, "--host", "127.0.0.1", "--port",
               str(port), "--n_ctx", "2048", "--model_alias", "gemma"]
        kind = "llama_cpp.server (one request at a time; no --parallel)"
    proc = subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited {proc.returncode}; see {log}")
        try:
            if httpx.get(f"{url}/v1/models", timeout=2).status_code == 200:
                return proc, f"{url}/v1", kind
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"server not up in 120 s; see {log}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="6 chunks, 2 rounds, cached re-run on 12 chunks")
    parser.add_argument("--chunks", type=int, default=16, help="chunks per timed round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cached-chunks", type=int, default=0,
                        help="ALS chunks for the cached re-run (0: all)")
    parser.add_argument("--cache-from", help="an llm.sqlite to start the cached re-run from (a copy is used)")
    parser.add_argument("--skip-server", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.chunks, args.rounds, args.cached_chunks = 6, 2, 12
    offline_env()
    from llama_cpp import Llama

    from embedforge.generators import GenerationSettings, generate_questions, load_prompt
    from embedforge.generators.backends.llamacpp import bundled_gguf_path, context_size

    work = Path(tempfile.mkdtemp(prefix="bench-gen-"))
    chunks = als_chunks(work)
    sample = chunks[: args.chunks]
    base = GenerationSettings(**ONE_GREEDY, resample=0, progress=False)
    prompt = load_prompt(base.prompt_name())
    texts = [prompt.completion_text(c.text, c.title, c.section or "", 1) for c in sample]
    model_path = bundled_gguf_path()
    raw = Llama(model_path=model_path, n_ctx=context_size(2048), n_batch=512, seed=base.seed, verbose=False)
    counter = iter(range(10**6))

    def run_embedforge() -> None:
        cache = str(work / f"c{next(counter)}.sqlite")
        settings = GenerationSettings(**ONE_GREEDY, resample=0, progress=False, cache=cache)
        generate_questions(sample, settings)

    def run_raw() -> None:
        for text in texts:
            raw.create_completion(text, max_tokens=base.max_tokens, temperature=base.temperature,
                                  stop=prompt.stops(1), seed=base.seed, repeat_penalty=1.0)

    run_embedforge()  # warm-up: loads the process-wide model
    run_raw()
    times = interleave({"embedforge": run_embedforge, "raw_llama_cpp": run_raw}, args.rounds)
    overhead = paired_ratio(times["embedforge"], times["raw_llama_cpp"])
    result: dict = {"settings": {"chunks": len(sample), "rounds": args.rounds, "max_tokens": base.max_tokens,
                                 "temperature": base.temperature, "n_ctx": context_size(2048)},
                    "seconds": {k: spread(v) for k, v in times.items()},
                    "questions_per_s": {k: round(len(sample) / spread(v)["median"], 3)
                                        for k, v in times.items()},
                    "figures": {"embedforge_vs_raw": {"goal": "<= 1.15", "measured": round(overhead, 3),
                                                      "ok": overhead <= 1.15}}}

    cached = chunks[: args.cached_chunks] if args.cached_chunks else chunks
    if args.cache_from:
        shutil.copyfile(args.cache_from, work / "als.sqlite")
    settings = GenerationSettings(**ONE_GREEDY, progress=False, cache=str(work / "als.sqlite"))
    started = time.perf_counter()
    first = generate_questions(cached, settings)
    fill = time.perf_counter() - started
    reruns, calls = [], []
    for _ in range(3):
        started = time.perf_counter()
        again = generate_questions(cached, settings)
        reruns.append(time.perf_counter() - started)
        calls.append(again.counts.llm_calls)
    rerun = spread(reruns)
    result["cached"] = {"chunks": len(cached), "first_run_s": round(fill, 2),
                        "first_run_calls": first.counts.llm_calls, "rerun_s": rerun, "rerun_calls": calls}
    result["figures"]["cached_rerun_calls"] = {"goal": "0", "measured": max(calls), "ok": max(calls) == 0}
    result["figures"]["cached_rerun_seconds"] = {"goal": "< 2 s", "measured": rerun["median"],
                                                 "ok": rerun["median"] < 2.0}
    if not args.skip_server:
        result["server"] = server_throughput(model_path, sample, work)
    rows = [
        [k, v["goal"], v["measured"], "ok" if v["ok"] else "MISSED"] for k, v in
        result["figures"].items()
    ]
    print_table(rows, ["figure", "goal", "measured", "verdict"])
    for row in result.get("server", []):
        print(f"  server {row['server']}, concurrency {row['concurrency']}: {row['questions_per_s']} q/s")
    print(f"wrote {write_result('generation', result)}")


def server_throughput(model_path: str, sample: list, work: Path) -> list[dict]:
    """Questions/s through the openai-compatible backend at --concurrency 1, 2, 4 (slots to match)."""
    from embedforge.generators import GenerationSettings, generate_questions

    rows = []
    native = shutil.which("llama-server") is not None
    servers = [1, 2, 4] if native else [1]
    for slots in servers:
        proc, url, kind = start_server(model_path, slots, work / f"server{slots}.log")
        try:
            for concurrency in ([slots] if native else [1, 2, 4]):
                settings = GenerationSettings(**ONE_GREEDY, llm=f"openai-compatible:gemma@{url}", completions=True,
                                              concurrency=concurrency, resample=0, progress=False,
                                              cache=str(work / f"s{slots}-{concurrency}.sqlite"))
                started = time.perf_counter()
                out = generate_questions(sample, settings)
                seconds = time.perf_counter() - started
                rows.append({"server": kind, "slots": slots, "concurrency": concurrency,
                             "seconds": round(seconds, 2), "calls": out.counts.llm_calls,
                             "questions_per_s": round(len(sample) / seconds, 3)})
                print(f"  {kind}: concurrency {concurrency} {seconds:.1f}s", flush=True)
        finally:
            proc.terminate()
            proc.wait(15)
    return rows


if __name__ == "__main__":
    main()
