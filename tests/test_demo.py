"""The whole job, once, as `make demo` runs it: the ALS documents, the bundled LLM and embedder,
configs/als-offline.toml's training settings (the reference's batch 10 and lr 5e-5, 3 epochs), and
the comparison.

The fine-tuned model must beat the base model at every dim on the demo's eval split and on
the hand-written questions in evals/ (written by a person, never shown to the prompts or filters).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from embedforge.config import load_config
from embedforge.pipeline import run

REPO = Path(__file__).resolve().parents[1]
DIMS = ("384", "256", "128", "64")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, als_corpus: Path) -> Path:
    pytest.importorskip("llama_cpp", reason="the bundled LLM needs llama-cpp-python (make setup installs it)")
    runs = tmp_path_factory.mktemp("runs")
    config = load_config(
        REPO / "configs" / "als-offline.toml",
        [f"runs_dir={runs}", f"handwritten={REPO / 'evals' / 'als_handwritten_report.jsonl'}"],
    )
    result = run(config, corpus_dir=als_corpus)
    assert result.ran == ["chunk", "dataset", "train", "compare"]
    return result.run_dir


def test_demo_writes_every_output(demo: Path) -> None:
    for name in ("chunks.jsonl", "dataset/manifest.json", "model/model.safetensors", "model/README.md",
                 "report/report.md", "report/metrics.json", "report/per_query.csv", "report/ndcg_by_dim.png"):
        assert (demo / name).is_file(), name
    report = (demo / "report" / "report.md").read_text(encoding="utf-8")
    assert "fine-tuned" in report and "base" in report and "Hand-written" in report


@pytest.mark.parametrize("section", ["eval", "handwritten"])
def test_fine_tuned_beats_base_at_every_dim(demo: Path, section: str) -> None:
    metrics = json.loads((demo / "report" / "metrics.json").read_text(encoding="utf-8"))
    table = metrics["models"] if section == "eval" else metrics["handwritten"]["models"]
    for dim in DIMS:
        base, tuned = table["base"][dim]["ndcg@10"], table["fine-tuned"][dim]["ndcg@10"]
        assert tuned > base, f"{section} dim {dim}: fine-tuned {tuned:.4f} <= base {base:.4f}"


def test_model_loads_with_plain_sentence_transformers(demo: Path) -> None:
    from sentence_transformers import SentenceTransformer

    for dim in (384, 256, 128, 64):
        model = SentenceTransformer(str(demo / "model"), truncate_dim=dim, device="cpu")
        assert model.encode(["How is ALS diagnosed?"]).shape == (1, dim)
