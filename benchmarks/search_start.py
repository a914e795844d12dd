"""Benchmark 12, part 3: where a second ``embedforge search`` command's wall time goes.

A second search finds its corpus embeddings cached, so what is left is starting a process. Timed
here, interleaved round by round against the floor no search can go under in a fresh process,
``python -c "import torch, sentence_transformers"``, and against ``python -c pass``:

- the whole console script, ``embedforge search DATASET --model M QUESTION`` (stdout to a pipe);
- its phases, in one child that walks the command's own path with a clock: interpreter, the CLI's
  imports, torch + sentence-transformers, the retriever's remaining imports, reading the dataset,
  loading the model, the model key (remembered; and hashing the files, as before it was), the
  corpus hash and cache load, the question's encode (on one thread, as the command does), scores +
  top k, printing;
- ``python -X importtime``: how many modules the command imports beyond the floor, and whose;
- one question's encode with torch's default threads against one thread (the CLI answers on one).

Called from ``bench_search.py --part start``.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from harness import interleave, paired_ratio, run_child, spread

FLOOR = "import torch, sentence_transformers"
QUESTION = "how is breathing supported at night?"
QUIET = {"TQDM_DISABLE": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}  # the children's stderr is not captured

# The command's path with a clock: each mark is the seconds since the previous one.
PHASES = r"""
import contextlib, io, json, sys, time
marks = [("start", time.perf_counter())]
def mark(name): marks.append((name, time.perf_counter()))
import embedforge.commands.main
mark("cli imports")
import torch, sentence_transformers
mark("torch + sentence_transformers")
import embedforge.evaluation.retriever as R
mark("retriever imports (ours)")
folder, spec, question = sys.argv[1], sys.argv[2], sys.argv[3]
data = R.load_dataset_dir(folder)
ids = list(data.corpus); texts = [str(data.corpus[c].get("text", "")) for c in ids]
mark("dataset read")
model = R.load_embedder(spec, device="cpu")
mark("model load")
key = R._model_key(spec, R.Path(folder))
mark("model key (remembered)")
from embedforge.evaluation.embedding_cache import cache_path, corpus_hash, folder_hash, load_cached
folder_hash(R.resolve_model(spec))
mark("model files hashed (before)")
corpus_key = corpus_hash(ids, texts)
assert load_cached(cache_path(folder, key, corpus_key), f"{key}:{corpus_key}", len(ids)) is not None
mark("corpus hash + cache load")
retriever = R.Retriever(folder, spec, device="cpu")
mark("(Retriever built again)")
from embedforge.commands.search import _questions_on_one_thread, _show
_questions_on_one_thread()
q = retriever.embed_questions([question])
mark("question encode")
hits = retriever.top(retriever.dense_scores(q)[0], 5)
mark("scores + top 5")
with contextlib.redirect_stdout(io.StringIO()):
    _show(hits)
mark("printing")
print(json.dumps({name: now - before for (_, before), (name, now) in zip(marks, marks[1:])}))
"""

THREADS = r"""
import json, sys, time, torch
from embedforge.embedder import load_embedder
model = load_embedder(sys.argv[1], device="cpu")
model.encode_query(["warm up"], show_progress_bar=False)
default, times = torch.get_num_threads(), {"default": [], "one": []}
for r in range(int(sys.argv[2])):
    for name in (["default", "one"] if r % 2 == 0 else ["one", "default"]):
        torch.set_num_threads(default if name == "default" else 1)
        started = time.perf_counter()
        model.encode_query([f"question {r}: how is breathing supported?"], show_progress_bar=False)
        times[name].append(time.perf_counter() - started)
print(json.dumps({"threads": default, **times}))
"""


def _python(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, check=True, **kwargs)


def wall_times(folder: Path, model: str, rounds: int) -> dict[str, Any]:
    """The console script, the floor and an empty interpreter, interleaved."""
    script = str(Path(sys.executable).with_name("embedforge"))
    search = [script, "search", str(folder), "--model", model, QUESTION]
    subprocess.run(search, capture_output=True, check=True)  # the first search: encodes the corpus
    times = interleave({"search": lambda: subprocess.run(search, capture_output=True, check=True),
                        "floor": lambda: _python("-c", FLOOR),
                        "python": lambda: _python("-c", "pass")}, rounds)
    return {"s": {name: spread(values) for name, values in times.items()},
            "search_over_floor": round(paired_ratio(times["search"], times["floor"]), 3),
            "search_minus_floor_s": round(statistics.median(
                s - f for s, f in zip(times["search"], times["floor"], strict=True)), 3)}


def phases(folder: Path, model: str, rounds: int) -> dict[str, Any]:
    runs = [run_child(PHASES, str(folder), model, QUESTION, env=QUIET)[0] for _ in range(rounds)]
    return {name: round(statistics.median(run[name] for run in runs), 4) for name in runs[0]}


def _imported(*args: str) -> dict[str, int]:
    """Module -> its own import microseconds, from ``python -X importtime``."""
    lines = _python("-X", "importtime", *args).stderr.splitlines()
    found = (re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line) for line in lines)
    return {m[2]: int(m[1]) for m in found if m}


def imports(folder: Path, model: str) -> dict[str, Any]:
    """Modules ``embedforge search`` imports beyond the floor's, by top-level package."""
    search = _imported("-m", "embedforge", "search", str(folder), "--model", model, QUESTION)
    floor = _imported("-c", FLOOR)
    extra = {name: us for name, us in search.items() if name not in floor}
    packages = Counter(name.split(".")[0] for name in extra)
    return {"modules": len(search), "floor_modules": len(floor), "beyond_floor": len(extra),
            "beyond_floor_by_package": dict(packages.most_common()),
            "beyond_floor_self_s": round(sum(extra.values()) / 1e6, 3),
            "ours": sorted(name for name in extra if name.startswith("embedforge"))}


def threads(model: str, rounds: int) -> dict[str, Any]:
    out, _, _ = run_child(THREADS, model, str(rounds), env=QUIET)
    return {"torch_threads": out["threads"], "ms": {k: spread([v * 1000 for v in out[k]]) for k in ("default", "one")},
            "default_over_one": round(paired_ratio(out["default"], out["one"]), 3)}


def second_search(folder: Path, model: str, rounds: int) -> dict[str, Any]:
    """All of part 3 on a dataset folder (its cache is filled by the first search here)."""
    started = time.perf_counter()
    result = {"model": model, "wall": wall_times(folder, model, rounds), "phases_s": phases(folder, model, rounds),
              "imports": imports(folder, model), "question_encode": threads(model, 4 * rounds)}
    result["bench_s"] = round(time.perf_counter() - started, 1)
    return result


def print_second_search(result: dict[str, Any]) -> None:
    wall = result["wall"]
    print(f"second `embedforge search` ({result['model']}): {wall['s']['search']['median']:.2f}s; floor "
          f"`{FLOOR}` {wall['s']['floor']['median']:.2f}s; `python -c pass` {wall['s']['python']['median']:.2f}s; "
          f"search / floor {wall['search_over_floor']}x, search - floor {wall['search_minus_floor_s']}s")
    for name, seconds in result["phases_s"].items():
        print(f"  {name:32s} {seconds:8.3f}s")
    imp = result["imports"]
    print(f"imports: {imp['modules']} modules, {imp['beyond_floor']} beyond the floor's {imp['floor_modules']} "
          f"({imp['beyond_floor_self_s']}s): {imp['beyond_floor_by_package']}")
    enc = result["question_encode"]
    print(f"question encode: {enc['ms']['default']['median']:.1f} ms on {enc['torch_threads']} torch threads, "
          f"{enc['ms']['one']['median']:.1f} ms on one ({enc['default_over_one']}x)")
