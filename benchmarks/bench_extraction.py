"""Benchmark 7: main-content extraction on real pages, scored by the article-extraction benchmark.

Runs ``embedforge extract`` (the CLI, in a child process) over the dev half of the public
article-extraction benchmark (91 news and blog pages with hand-made ground truth; read its
README) and scores the ``text`` of each document with the benchmark's own ``score.py``
(token-shingle F1). In the same run, interleaved, the old HTML path (embedforge's own
BeautifulSoup extractor, with the whole page mojibake-repaired as before) does the same pages
in a child process, as the baseline for F1 and pages/s. Prints both beside the published
figures and writes its section of BENCHMARKS.md (between the bench_extraction markers).

    python benchmarks/bench_extraction.py [--quick] [--rounds N] [--bench DIR] [--no-markdown]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import OUT, REPO, offline_env, paired_ratio, print_table, write_result

# name: (F1 on the whole benchmark, then F1, precision, recall on this dev half: the benchmark's stored outputs)
PUBLISHED = {"rs-trafilatura": (0.970, 0.969, 0.948, 0.992), "trafilatura 2.0": (0.958, 0.963, 0.940, 0.987),
             "newspaper4k": (0.949, 0.950, 0.965, 0.936), "readability-lxml": (0.922, 0.919, 0.900, 0.939),
             "goose3": (0.896, 0.894, 0.940, 0.852), "BeautifulSoup get_text": (0.665, 0.659, 0.493, 0.994)}
GOAL = {"f1": 0.97, "precision": 0.95, "recall": 0.98}
OLD_PATH = r"""
import json, sys
from pathlib import Path
from embedforge.corpus.clean import decode_bytes
from embedforge.corpus.extract import document_text
from embedforge.corpus.html_soup import declared_charset, soup_document
out = {}
for path in sorted(Path(sys.argv[1]).glob("*.html")):
    data = path.read_bytes()
    try:
        doc = soup_document(path, decode_bytes(data, path.name, declared=declared_charset(data)))
        out[path.stem] = document_text(doc)
    except Exception:
        out[path.stem] = None
Path(sys.argv[2]).write_text(json.dumps(out))
"""
MARK_START, MARK_END = "<!-- bench_extraction:start -->", "<!-- bench_extraction:end -->"


def find_bench(given: str | None) -> Path:
    for candidate in (given, os.environ.get("EMBEDFORGE_EXTRACTION_BENCH"),
                      REPO.parent / "shared" / "benchmarks" / "article-extraction"):
        if candidate and (Path(candidate) / "score.py").is_file():
            return Path(candidate)
    sys.exit("article-extraction benchmark not found: pass --bench DIR or set EMBEDFORGE_EXTRACTION_BENCH")


def unpack(bench: Path, dest: Path) -> int:
    """The gzipped pages as DIR/<id>.html (outside git); the number of pages."""
    dest.mkdir(parents=True, exist_ok=True)
    pages = sorted((bench / "html").glob("*.html.gz"))
    for page in pages:
        (dest / page.name.removesuffix(".gz")).write_bytes(gzip.decompress(page.read_bytes()))
    return len(pages)


def run_new(pages: Path, work: Path) -> dict[str, str | None]:
    out = work / "extract"
    cmd = [sys.executable, "-m", "embedforge", "--quiet", "extract", str(pages), "--out", str(out)]
    done = subprocess.run(cmd, check=False, capture_output=True, text=True)  # exit 2 when a page fails
    if done.returncode not in (0, 2):
        raise RuntimeError(f"embedforge extract failed: {done.stderr[-2000:]}")
    texts: dict[str, str | None] = {path.stem: None for path in pages.glob("*.html")}
    for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        texts[Path(record["source"]).stem] = record["text"]
    return texts


def run_old(pages: Path, work: Path) -> dict[str, str | None]:
    target = work / "old.json"
    subprocess.run([sys.executable, "-c", OLD_PATH, str(pages), str(target)], check=True)
    return json.loads(target.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def score(bench: Path, texts: dict[str, str | None], work: Path, name: str) -> dict[str, float]:
    predictions = work / f"{name}.json"
    predictions.write_text(json.dumps({k: {"articleBody": v or ""} for k, v in texts.items()}), encoding="utf-8")
    line = subprocess.run([sys.executable, str(bench / "score.py"), str(predictions)], check=True,
                          capture_output=True, text=True).stdout
    found = re.search(r"F1 ([\d.]+) ± ([\d.]+)\s+precision ([\d.]+)\s+recall ([\d.]+)", line)
    if not found:
        raise RuntimeError(f"score.py said: {line}")
    f1, std, precision, recall = (float(x) for x in found.groups())
    return {"f1": f1, "f1_std": std, "precision": precision, "recall": recall,
            "failed": sum(v is None for v in texts.values())}


def markdown(rows: list[list[object]], figures: dict[str, dict[str, object]], rounds: int, pages: int) -> str:
    lines = [MARK_START, "### 7. Extraction quality (`benchmarks/bench_extraction.py`)", "",
             f"Command: `python benchmarks/bench_extraction.py` ({rounds} rounds, interleaved). The dev half "
             f"({pages} pages) of the article-extraction benchmark, scored by its `score.py`; embedforge's rows "
             "are `embedforge extract` (CLI, child process, pages/s include its start-up) and the old "
             "BeautifulSoup path, measured in this run; the other rows are the benchmark's stored outputs on "
             "these pages and its published F1 on all 181. `text` = the kept blocks, each new heading on its "
             "own line.", "",
             "| extractor | F1 (dev half) | precision | recall | F1 (whole benchmark) | failed pages | pages/s |",
             "|---|--:|--:|--:|--:|--:|--:|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    lines += ["", "| figure | goal | measured | verdict |", "|---|---|---|---|"]
    lines += [f"| {k} | {v['goal']} | {v['measured']} | {'met' if v['ok'] else 'MISSED'} |" for k, v in figures.items()]
    return "\n".join([*lines, MARK_END])


def write_markdown(section: str) -> None:
    path = REPO / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8")
    if MARK_START in text and MARK_END in text:
        text = text[:text.index(MARK_START)] + section + text[text.index(MARK_END) + len(MARK_END):]
    elif "\n## What is left" in text:
        text = text.replace("\n## What is left", f"\n{section}\n\n## What is left", 1)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bench", help="the article-extraction folder (default ../shared/benchmarks/...)")
    parser.add_argument("--no-markdown", action="store_true", help="do not write BENCHMARKS.md")
    args = parser.parse_args()
    rounds = 2 if args.quick else args.rounds
    offline_env()
    bench = find_bench(args.bench)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        count = unpack(bench, work / "pages")
        runs = {"new": run_new, "old": run_old}
        times: dict[str, list[float]] = {name: [] for name in runs}
        texts: dict[str, dict[str, str | None]] = {}
        for r in range(rounds):
            for name in (list(runs) if r % 2 == 0 else list(runs)[::-1]):
                started = time.perf_counter()
                texts[name] = runs[name](work / "pages", work)
                times[name].append(time.perf_counter() - started)
            print(f"  round {r + 1}/{rounds}: extract {times['new'][-1]:.1f}s, old {times['old'][-1]:.1f}s", flush=True)
        scores = {name: score(bench, texts[name], work, name) for name in runs}
    speed = {name: round(count / statistics.median(times[name]), 2) for name in runs}
    ratio = paired_ratio(times["old"], times["new"])
    new = scores["new"]
    figures: dict[str, dict[str, object]] = {
        f"dev {key}": {"goal": f">= {goal}", "measured": new[key], "ok": new[key] >= goal}
        for key, goal in GOAL.items()}
    figures["failed pages"] = {"goal": "0", "measured": new["failed"], "ok": new["failed"] == 0}
    figures["pages/s, extract / old parse_html"] = {"goal": ">= 1.0x", "measured": round(ratio, 3), "ok": ratio >= 1.0}
    rows: list[list[object]] = [
        [label, f"{s['f1']:.3f} ± {s['f1_std']:.3f}", f"{s['precision']:.3f}", f"{s['recall']:.3f}", "",
         s["failed"], speed[name]]
        for name, s, label in (("new", new, "embedforge extract (trafilatura + fallback)"),
                               ("old", scores["old"], "embedforge parse_html before (BeautifulSoup)"))]
    rows += [[name, f"{f1:.3f}", f"{p:.3f}", f"{r:.3f}", f"{whole:.3f}", "", ""]
             for name, (whole, f1, p, r) in PUBLISHED.items()]
    print_table(rows, ["extractor", "F1 dev", "precision", "recall", "F1 whole", "failed", "pages/s"])
    print_table([[k, v["goal"], v["measured"], "ok" if v["ok"] else "MISSED"] for k, v in figures.items()],
                ["figure", "goal", "measured", "verdict"])
    if not args.no_markdown:
        write_markdown(markdown(rows, figures, rounds, count))
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"wrote {write_result('extraction', {'scores': scores, 'pages_per_s': speed, 'figures': figures})}")


if __name__ == "__main__":
    main()
