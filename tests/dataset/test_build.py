"""End to end on the ALS documents with the bundled LLM and embedder: build twice, then regenerate.

Needs the bundled Gemma model through llama-cpp-python; skips (saying so) where it is not installed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from embedforge import generators
from embedforge.corpus import ChunkSettings, read_chunks
from embedforge.counts import CALL_FIELDS
from embedforge.dataset import (
    DatasetSettings,
    build_dataset,
    build_dataset_from_chunks,
    load_dataset_dir,
    regenerate,
)
from embedforge.dataset.split import read_split
from embedforge.generators import GenerationSettings, load_prompt

# One greedy question per chunk (the default recipe samples 5 and adds a greedy one).
ONE_GREEDY: dict = {"questions_per_chunk": 1, "temperature": 0.0, "greedy_prompt": None}

pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: the bundled LLM cannot run")
pytestmark = pytest.mark.slow

RUN_COUNTERS = CALL_FIELDS


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, als_corpus: Path, bundled_embedder: Any) -> dict:
    """The ALS dataset built twice with the same inputs (the second run reads the LLM cache)."""
    root = tmp_path_factory.mktemp("als")
    # Module fixtures start before the autouse env redirection: name the cache, never the user's.
    cache = str(root / "llm.sqlite")
    kwargs = {
        "chunk_settings": ChunkSettings(),
        "generation_settings": GenerationSettings(**ONE_GREEDY, progress=False, cache=cache),
        "dataset_settings": DatasetSettings(),
        "embedder": bundled_embedder,
    }
    first = build_dataset([als_corpus], root / "first", **kwargs)
    second = build_dataset([als_corpus], root / "second", **kwargs)
    return {"root": root, "first": first, "second": second, "cache": cache}


def _manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_most_chunks_get_a_kept_question(built: dict[str, Any]) -> None:
    folder = built["root"] / "first"
    ds = load_dataset_dir(folder)
    with_question = {c for split in ("train", "dev", "eval") for rel in ds.qrels[split].values() for c in rel}
    assert len(ds.corpus) >= 20
    # Questions in people's words share fewer of their chunk's words, so the off-topic bound drops more of the
    # greedy ones: 49 of the 68 ALS chunks keep one after the round trip (72%; 2026-12-07), 80%+ before.
    assert len(with_question) >= 0.7 * len(ds.corpus), built["first"].format()
    summary = built["first"]
    assert (summary.chunks, summary.chunks_with_questions, summary.questions) == (
        len(ds.corpus), len(with_question), len(ds.queries))
    assert all(row["llm"] == "bundled" and row["prompt_name"] == "default" for row in ds.queries.values())


def test_second_run_makes_no_llm_calls_and_writes_the_same_files(built: dict[str, Any]) -> None:
    first, second = built["root"] / "first", built["root"] / "second"
    assert _manifest(first)["counts"]["llm_calls"] > 0
    assert _manifest(second)["counts"]["llm_calls"] == 0 == built["second"].llm_calls
    assert _manifest(second)["counts"]["cached"] == _manifest(first)["counts"]["llm_calls"]

    names = sorted(str(p.relative_to(first)) for p in first.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(second)) for p in second.rglob("*") if p.is_file())
    for name in names:
        if name != "manifest.json":  # cached questions keep their first created_at: equal bytes
            assert (first / name).read_bytes() == (second / name).read_bytes(), name
    a, b = _manifest(first), _manifest(second)
    for manifest in (a, b):
        manifest.pop("created_at")
        for key in RUN_COUNTERS:
            manifest["counts"].pop(key, None)
    assert a == b


def test_split_is_by_chunk_over_the_whole_corpus(built: dict[str, Any]) -> None:
    folder = built["root"] / "first"
    ds, split = load_dataset_dir(folder), read_split(folder)
    chunks = read_chunks(folder / "chunks.jsonl")
    assert set(ds.corpus) == {c.id for c in chunks} == set(split)
    train = {c for rel in ds.qrels["train"].values() for c in rel}
    dev = {c for rel in ds.qrels["dev"].values() for c in rel}
    evals = {c for rel in ds.qrels["eval"].values() for c in rel}
    assert train and dev and evals and not train & evals and not train & dev and not dev & evals
    assert all(split[c] == "train" for c in train) and all(split[c] == "eval" for c in evals)
    assert all(split[c] == "dev" for c in dev)
    assert abs(len(evals) / (len(train) + len(dev) + len(evals)) - 0.2) < 0.05


def test_manifest_and_card_describe_the_run(built: dict[str, Any], als_corpus: Path) -> None:
    folder = built["root"] / "first"
    manifest, summary = _manifest(folder), built["first"]
    counts = manifest["counts"]
    assert counts["questions"] == summary.questions and counts["chunks"] == summary.chunks
    assert counts["filtered"] == summary.filtered and counts["failed"] == summary.counts.failed
    assert manifest["configuration"]["dataset"]["roundtrip_k"] == DatasetSettings().roundtrip_k
    # The documents the one source walk finds, under the labels their chunks carry.
    documents = sorted(p for p in als_corpus.rglob("*") if p.suffix in (".html", ".pdf"))
    hashes = {f"{als_corpus.resolve().name}/{p.relative_to(als_corpus).as_posix()}":
              hashlib.sha256(p.read_bytes()).hexdigest() for p in documents}
    assert manifest["inputs"]["sources"] == hashes
    card = (folder / "README.md").read_text(encoding="utf-8")
    hashes = {row["prompt_hash"] for row in load_dataset_dir(folder).queries.values()}
    assert len(hashes) == 1 and len(next(iter(hashes))) == len(load_prompt(None).hash)
    assert "`bundled`" in card and next(iter(hashes)) in card and f"{summary.questions} |" in card


def test_regenerate_keeps_chunks_and_split(built: dict, tmp_path: Path, bundled_embedder: Any) -> None:
    # A slice of the corpus keeps this to a few LLM calls; its questions come from the cache.
    chunks = read_chunks(built["root"] / "first" / "chunks.jsonl")[:8]
    folder = tmp_path / "small"
    small = build_dataset_from_chunks(
        chunks, folder, generation_settings=GenerationSettings(**ONE_GREEDY, progress=False, cache=built["cache"]),
        dataset_settings=DatasetSettings(roundtrip_k=0), embedder=bundled_embedder,
    )
    assert small.llm_calls == 0 and small.cached >= len(chunks)

    default = Path(generators.__file__).parent / "prompts" / "default.toml"
    prompt = tmp_path / "plain.toml"
    prompt.write_text(
        default.read_text(encoding="utf-8").replace('name = "default"', 'name = "plain"')
        .replace("The question is specific,", "The question is short, plain English,"),
        encoding="utf-8",
    )
    settings = GenerationSettings(**ONE_GREEDY, prompt=str(prompt), progress=False, cache=built["cache"])
    summary = regenerate(folder, tmp_path / "new", generation_settings=settings, embedder=bundled_embedder)
    new = tmp_path / "new"
    assert (new / "chunks.jsonl").read_bytes() == (folder / "chunks.jsonl").read_bytes()
    assert (new / "split.json").read_bytes() == (folder / "split.json").read_bytes()
    ds, split = load_dataset_dir(new), read_split(folder)
    assert ds.queries and {row["prompt_name"] for row in ds.queries.values()} == {"plain"}
    assert summary.llm_calls >= len(chunks)  # a new prompt: every chunk asked again
    assert json.loads((new / "manifest.json").read_text())["configuration"]["dataset"]["roundtrip_k"] == 0
    for name in ("train", "eval"):
        assert all(split[c] == name for rel in ds.qrels[name].values() for c in rel)


def test_manifest_card_and_summary_report_the_word_overlap(built: dict[str, Any]) -> None:
    """The lexical bias (dataset/bias.py) as recomputed here from the folder, in all three places."""
    from embedforge.dataset.bias import ndcg_at_10
    from embedforge.dataset.overlap import content_overlap
    from embedforge.evaluation.bm25 import bm25_scores

    folder, summary = built["root"] / "first", built["first"]
    data = load_dataset_dir(folder)
    bias = _manifest(folder)["lexical_bias"]
    shares = [content_overlap(data.queries[q]["text"], data.corpus[sorted(r)[0]]["text"])
              for table in data.qrels.values() for q, r in table.items()]
    shares = [s for s in shares if s is not None]
    assert bias["overlap"]["all"]["questions"] == len(shares)
    assert abs(bias["overlap"]["all"]["mean"] - sum(shares) / len(shares)) < 1e-4
    dev = sorted(data.qrels["dev"])
    ids = list(data.corpus)
    scores = bm25_scores([data.corpus[c]["text"] for c in ids], [data.queries[q]["text"] for q in dev])
    own = [ids.index(sorted(data.qrels["dev"][q])[0]) for q in dev]
    ranks = [int((row >= row[column]).sum()) for row, column in zip(scores, own, strict=True)]
    assert abs(bias["dev_retrieval"]["bm25_ndcg@10"] - ndcg_at_10(ranks)) < 1e-4
    assert 0 < bias["dev_retrieval"]["dense_ndcg@10"] <= 1
    assert "## Word overlap" in (folder / "README.md").read_text(encoding="utf-8")
    assert "overlap with their chunk" in summary.format() and "dev ndcg@10: BM25" in summary.format()
