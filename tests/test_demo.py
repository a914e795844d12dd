"""The whole job, once, with the demo's recipe: the ALS documents, the bundled LLM, configs/als-offline.toml
(5 sampled + 1 greedy question per chunk, a train/dev/eval split, 1 epoch, alpha chosen on dev) and the
comparison on the eval split and the hand-written questions that are only reported.

The demo's own embedder is the 768-dim all-mpnet-base-v2; this test runs the same recipe on MiniLM
(``bundled-minilm``, 5x quicker on a CPU) so the suite stays short. tests/training/test_mpnet.py trains
and compares the 768-dim model itself, and benchmarks/bench_quality.py measures the demo as it ships.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from embedforge.pipeline.config import load_config
from embedforge.pipeline.execute import run

pytestmark = pytest.mark.slow  # runs a real model

REPO = Path(__file__).resolve().parents[1]
DIMS = ("384", "256", "128", "64")
MINILM = ["model=bundled-minilm"]  # the run's one model spec: chunks, round-trip filter, base


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, als_corpus: Path) -> Path:
    pytest.importorskip("llama_cpp", reason="the bundled LLM needs llama-cpp-python (make setup installs it)")
    runs = tmp_path_factory.mktemp("runs")
    config = load_config(
        REPO / "configs" / "als-offline.toml",
        [f"runs_dir={runs}", f"compare.handwritten={REPO / 'evals' / 'als_handwritten_report.jsonl'}", *MINILM],
    )
    result = run(config, corpus_dir=als_corpus)
    assert result.ran == ["chunk", "dataset", "train", "compare"]
    return result.run_dir


def test_demo_writes_every_output(demo: Path) -> None:
    for name in ("chunks.jsonl", "dataset/manifest.json", "dataset/qrels/dev.tsv", "model/model.safetensors",
                 "model/README.md", "model/selection.json", "report/report.md", "report/metrics.json",
                 "report/per_query.csv", "report/ndcg_by_dim.png"):
        assert (demo / name).is_file(), name
    report = (demo / "report" / "report.md").read_text(encoding="utf-8")
    assert "fine-tuned" in report and "base" in report and "Hand-written" in report
    assert "chosen by dev" in report and "chose nothing" in report


def test_the_recipe_asks_several_questions_per_chunk_and_dev_chooses(demo: Path) -> None:
    manifest = json.loads((demo / "dataset" / "manifest.json").read_text(encoding="utf-8"))
    counts = manifest["counts"]
    assert counts["questions"] >= 3 * counts["chunks_with_questions"], counts
    assert counts["dev_queries"] > 0 and counts["eval_queries"] > 0
    prompts = {json.loads(line)["prompt_name"] for line in (demo / "dataset" / "queries.jsonl").open()}
    assert prompts == {"multi", "default"}  # the sampled questions and the greedy one
    selection = json.loads((demo / "model" / "selection.json").read_text(encoding="utf-8"))
    assert selection["alpha"]["chosen_by"] == "dev" and selection["eval_split_used"] is False


def test_natural_questions_choose_and_the_model_is_no_worse_on_them(demo: Path) -> None:
    """The demo's examples (evals' natural half that may be looked at) name their answers, so they choose the
    epoch and alpha; the grid's floor is the base model, so the saved model is no worse than it on them."""
    examples = sum(1 for line in (REPO / "evals" / "als_natural_look.jsonl").open() if line.strip())
    natural = sum(1 for _ in (demo / "dataset" / "natural_dev.jsonl").open())
    assert natural >= 0.75 * examples  # MiniLM's chunks: a few answers may straddle two chunks
    selection = json.loads((demo / "model" / "selection.json").read_text(encoding="utf-8"))
    assert selection["chosen_on"] == f"{natural} natural (the user's examples) questions", selection
    scores = {float(a): v for a, v in selection["alpha"]["dev_scores"].items()}
    assert 0.0 in scores and scores[selection["alpha"]["value"]] == max(scores.values()) >= scores[0.0]
    metrics = json.loads((demo / "report" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["fusion"]["chosen_by"] == "natural (the user's examples)"  # and the fusion weight too


def test_model_loads_with_plain_sentence_transformers(demo: Path) -> None:
    from sentence_transformers import SentenceTransformer

    for dim in (384, 256, 128, 64):
        model = SentenceTransformer(str(demo / "model"), truncate_dim=dim, device="cpu")
        assert model.encode(["How is ALS diagnosed?"]).shape == (1, dim)


def test_a_rerun_through_the_console_script_ends_with_the_headline(demo: Path, als_corpus: Path,
                                                                  tmp_path: Path) -> None:
    """From another folder (the configuration's paths are relative to its file), every stage up to date,
    `embedforge run` ends with Δ ndcg@10 per dim, the recommended retriever and the report's path."""
    import os
    import subprocess
    import sys

    script = Path(sys.executable).with_name("embedforge")
    handwritten = REPO / "evals" / "als_handwritten_report.jsonl"
    sets = [f"runs_dir={demo.parent}", f"compare.handwritten={handwritten}", *MINILM]
    args = [str(script), "run", str(REPO / "configs" / "als-offline.toml"), "--corpus", str(als_corpus),
            *(item for value in sets for item in ("--set", value))]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONWARNINGS": "ignore"}
    result = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "up to date, skipped" in result.stdout and " ran in " not in result.stdout, result.stdout
    assert "Δ ndcg@10, fine-tuned vs base (eval split" in result.stdout
    assert all(re.search(rf"^\s+{dim}: 0\.\d+ -> 0\.\d+ \([+-]0\.\d+ \[", result.stdout, re.M) for dim in DIMS)
    assert "recommended: " in result.stdout and f"report: {demo / 'report' / 'report.md'}" in result.stdout
