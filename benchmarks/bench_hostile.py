"""Benchmark 11: what a hostile LLM answer or prompt costs: peak memory and time to the refusal.

Two measurements, each task in a child process of its own (peak RSS from ``os.wait4``):

* **Answer cap.** One ``generate_questions`` call against a local OpenAI-compatible server
  (``tests/reliability/hostile_llm.py``, on 127.0.0.1) that answers normally (``ok``) or with a
  body that never ends (``endless``: a chunked stream, bounded at ``--endless-mb`` so the code
  before the cap ends too). With ``--baseline SRC`` the same two run again with SRC's
  ``src`` first on the path (a checkout of the code before), interleaved, order rotated.
* **Context check.** ``check_generation`` of the bundled LLM with a prompt whose few-shot
  example is ``--prompt-mb`` of text (refused before the first call), against the packaged
  prompt (accepted): wall seconds and peak RSS of each child, imports included.

    python benchmarks/bench_hostile.py [--rounds N] [--endless-mb M] [--prompt-mb M] [--baseline SRC]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from harness import REPO, offline_env, print_table, run_child, write_result

sys.path.insert(0, str(REPO / "tests" / "reliability"))
import hostile_llm  # the tests' hostile server, shared rather than copied

CALL = r"""
import json, sys, time
from embedforge.corpus.record import Chunk
from embedforge.generators import GenerationSettings, generate_questions
chunk = Chunk.create("Respite care gives family caregivers a planned break while trained staff look after "
                     "the person with ALS at home or in a day centre.", source="respite.txt")
settings = GenerationSettings(llm=f"openai-compatible:m@{sys.argv[1]}", cache=sys.argv[2], progress=False,
                              concurrency=1, resample=0, max_retries=0, questions_per_chunk=1, temperature=0.0,
                              greedy_prompt=None, timeout=600.0)
started = time.perf_counter()
record = generate_questions([chunk], settings).records[0]
print(json.dumps({"status": record.status, "reason": record.reason, "call_s": time.perf_counter() - started}))
"""
CHECK = r"""
import json, sys, time
from embedforge.errors import EmbedforgeError
from embedforge.generators import GenerationSettings
from embedforge.generators.preflight import check_generation
started = time.perf_counter()
try:
    check_generation(GenerationSettings(prompt=sys.argv[1] or None, questions_per_chunk=1, greedy_prompt=None))
    verdict = "accepted"
except EmbedforgeError as exc:
    verdict = str(exc)
print(json.dumps({"verdict": verdict, "check_s": time.perf_counter() - started}))
"""


def answer_cap(rounds: int, endless_mb: int, baseline: str | None, work: Path) -> list[dict[str, Any]]:
    """Peak RSS and wall time of one call per (code, mode), interleaved over ``rounds``."""
    hostile_llm.ENDLESS_LIMIT = endless_mb * 1024 * 1024
    codes = {"capped": {}} | ({"before": {"PYTHONPATH": str(Path(baseline) / "src")}} if baseline else {})
    runs: dict[tuple[str, str], list[tuple[float, float, dict[str, Any]]]] = {}
    tasks = [(code, mode) for code in codes for mode in ("ok", "endless")]
    for r in range(rounds):
        for code, mode in tasks[r % len(tasks):] + tasks[: r % len(tasks)]:
            with hostile_llm.hostile_llm(mode) as server:
                cache = work / f"{code}-{mode}-{r}.sqlite"
                payload, wall, peak = run_child(CALL, server.url, str(cache), env=codes[code])
                payload["sent_mb"] = round(server.sent / 2**20, 1)
            runs.setdefault((code, mode), []).append((wall, peak, payload))
            print(f"  round {r + 1}: {code} {mode}: {wall:.1f} s, peak {peak:.0f} MiB, {payload}", flush=True)
    return [{"code": code, "mode": mode, "wall_s": round(statistics.median(w for w, _, _ in got), 2),
             "peak_mib": round(statistics.median(p for _, p, _ in got), 1), "last": got[-1][2]}
            for (code, mode), got in runs.items()]


def context_check(rounds: int, prompt_mb: int, work: Path) -> list[dict[str, Any]]:
    """Wall time and peak RSS of the preflight check: a ``prompt_mb`` MB prompt vs the packaged one."""
    huge = work / "huge.toml"
    text = "The quick brown fox jumps over the lazy dog. " * (prompt_mb * 1_000_000 // 45)
    huge.write_text('name = "huge"\ntemplate = "Passage: {context}\\nQuestion:"\nfence = ["<<", ">>"]\n'
                    f'[[examples]]\ncontext = """{text}"""\nquestions = ["What jumps?"]\n', encoding="utf-8")
    rows = []
    for name, prompt in (("packaged default", ""), (f"{prompt_mb} MB example", str(huge))):
        got = [run_child(CHECK, prompt) for _ in range(rounds)]
        rows.append({"prompt": name, "wall_s": round(statistics.median(w for _, w, _ in got), 2),
                     "check_s": round(statistics.median(p["check_s"] for p, _, _ in got), 2),
                     "peak_mib": round(statistics.median(m for _, _, m in got), 1), "verdict": got[-1][0]["verdict"]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--endless-mb", type=int, default=256, help="where the endless body stops, MiB")
    parser.add_argument("--prompt-mb", type=int, default=10)
    parser.add_argument("--baseline", help="a checkout of the code before, run with its src/ first on the path")
    args = parser.parse_args()
    offline_env()
    with tempfile.TemporaryDirectory() as tmp:
        cap = answer_cap(args.rounds, args.endless_mb, args.baseline, Path(tmp))
        check = context_check(args.rounds, args.prompt_mb, Path(tmp))
    print_table([[r["code"], r["mode"], r["wall_s"], r["peak_mib"], r["last"]["reason"] or r["last"]["status"],
                  r["last"]["sent_mb"]] for r in cap], ["code", "answer", "wall s", "peak MiB", "outcome", "sent MiB"])
    print_table([[r["prompt"], r["wall_s"], r["check_s"], r["peak_mib"], r["verdict"][:70]] for r in check],
                ["prompt", "wall s", "check s", "peak MiB", "verdict"])
    print(write_result("hostile", {"answer_cap": cap, "context_check": check, "endless_mb": args.endless_mb,
                                   "prompt_mb": args.prompt_mb, "rounds": args.rounds}))


if __name__ == "__main__":
    main()
