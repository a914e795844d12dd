"""Benchmark 11: ``embedforge search`` latency with cached corpus embeddings, and the first search's encode.

Part 1: a dataset folder of ``--chunks`` (10⁵) short chunks whose cache holds random unit vectors
(the model's width), so ``Retriever`` starts from the cache. Timed per question, interleaved:
``Retriever.search`` (question encode + scores + top k) against the plain floor on the same arrays
(``encode_query`` + ``corpus @ q`` + ``np.argpartition``), and the scoring step alone
(``Retriever.top(Retriever.dense_scores(q))`` against ``corpus @ q`` + argpartition). Goal <= 1.2x.

Part 2: the first search of a ``--encode-chunks`` corpus (no cache): the corpus step of
``Retriever`` (model hash, corpus hash, ``encode_document``, atomic cache write) against
``SentenceTransformer.encode`` of the same texts alone; and how long a second ``Retriever`` takes to
start from the cache.

Part 3 (:mod:`search_start`): a second ``embedforge search`` command over a ``--start-chunks`` corpus
whose embeddings are cached, against ``python -c "import torch, sentence_transformers"`` in the
same rounds; its phases, its imports beyond that floor, and one question's encode on torch's
default threads against one.

    python benchmarks/bench_search.py [--part all|latency|first|start] [--chunks 100000] [--encode-chunks 2000]
        [--rounds 30] [--start-chunks 500] [--start-rounds 5] [--model bundled-minilm]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from harness import offline_env, paired_ratio, print_table, spread, write_result
from search_start import print_second_search, second_search

WORDS = [
    "motor", "neuron", "muscle", "weakness", "breathing", "speech", "therapy", "diagnosis", "caregiver",
    "support", "family", "nerve", "cell", "disease", "research", "treatment", "clinic", "respite", "plan",
    "swallowing", "fatigue", "sleep", "nutrition"
]


def write_corpus(folder: Path, n: int, seed: int) -> None:
    from embedforge.dataset.layout import RetrievalDataset, write_dataset_dir

    rng = random.Random(seed)
    corpus = {f"c{i:06d}": {"title": "", "text": " ".join(rng.choices(WORDS, k=40)) + f" item {i}.",
                            "source": f"doc{i // 50}.txt", "section": "", "page": 0} for i in range(n)}
    write_dataset_dir(folder, RetrievalDataset(corpus=corpus, queries={}))


def seed_cache(folder: Path, model: str, width: int) -> np.ndarray:
    """Write random unit vectors as the cached corpus embeddings of ``model``; return them."""
    from embedforge.dataset.layout import load_dataset_dir
    from embedforge.evaluation.embedding_cache import cache_path, corpus_hash, save_cached
    from embedforge.evaluation.retriever import _model_key

    dataset = load_dataset_dir(folder)
    ids = list(dataset.corpus)
    texts = [str(dataset.corpus[c]["text"]) for c in ids]
    model_key, corpus_key = _model_key(model, folder), corpus_hash(ids, texts)
    vectors = np.random.default_rng(0).normal(size=(len(ids), width)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    save_cached(cache_path(folder, model_key, corpus_key), f"{model_key}:{corpus_key}", vectors)
    return vectors


def latency(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from embedforge.evaluation.retriever import Retriever

    folder = work / "big"
    write_corpus(folder, args.chunks, 1)
    from embedforge.embedder import load_embedder

    width = int(load_embedder(args.model, device="cpu").get_embedding_dimension() or 0)
    seed_cache(folder, args.model, width)
    started = time.perf_counter()
    retriever = Retriever(folder, args.model, device="cpu")
    start_s = time.perf_counter() - started
    assert retriever.cache_hit, "the seeded cache was not used"
    model, corpus, k = retriever._model, retriever.corpus, 5
    questions = [" ".join(random.Random(r).choices(WORDS, k=8)) + "?" for r in range(args.rounds)]

    def plain(question: str) -> np.ndarray:
        q = model.encode_query([question], convert_to_numpy=True, show_progress_bar=False)[0]
        scores = corpus @ (q / np.linalg.norm(q))
        return np.argpartition(-scores, k - 1)[:k]

    times: dict[str, list[float]] = {"search": [], "plain": [], "score": [], "score_plain": []}
    for r, question in enumerate(questions):
        q = retriever.embed_questions([question])
        tasks = {"search": lambda question=question: retriever.search(question, k),
                 "plain": lambda question=question: plain(question),
                 "score": lambda q=q: retriever.top(retriever.dense_scores(q)[0], k),
                 "score_plain": lambda q=q: np.argpartition(-(corpus @ q[0]), k - 1)[:k]}
        names = list(tasks)[r % 4:] + list(tasks)[: r % 4]
        for name in names:
            t0 = time.perf_counter()
            tasks[name]()
            times[name].append(time.perf_counter() - t0)
    return {"chunks": args.chunks, "dim": width, "rounds": args.rounds, "retriever_start_s": round(start_s, 3),
            "ms": {name: spread([v * 1000 for v in values]) for name, values in times.items()},
            "search_over_plain": round(paired_ratio(times["search"], times["plain"]), 3),
            "score_over_plain": round(paired_ratio(times["score"], times["score_plain"]), 3)}


def first_search(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from embedforge.dataset.layout import load_dataset_dir
    from embedforge.embedder import load_embedder
    from embedforge.evaluation.embedding_cache import corpus_embeddings
    from embedforge.evaluation.retriever import Retriever, _model_key

    folder = work / "small"
    write_corpus(folder, args.encode_chunks, 2)
    dataset = load_dataset_dir(folder)
    ids = list(dataset.corpus)
    texts = [str(dataset.corpus[c]["text"]) for c in ids]
    model = load_embedder(args.model, device="cpu")
    model.encode(texts[:64], show_progress_bar=False)  # warm-up
    runs: dict[str, list[float]] = {"embedforge": [], "st_encode": []}
    for r in range(args.encode_rounds):
        for name in (["embedforge", "st_encode"] if r % 2 == 0 else ["st_encode", "embedforge"]):
            for stale in (folder / ".embedforge-cache").glob("*"):
                stale.unlink()
            t0 = time.perf_counter()
            if name == "embedforge":
                corpus_embeddings(folder, _model_key(args.model, folder), ids, texts,
                                  lambda t: model.encode_document(t, convert_to_numpy=True, show_progress_bar=False))
            else:
                model.encode(texts, convert_to_numpy=True, show_progress_bar=False)
            runs[name].append(time.perf_counter() - t0)
    started = time.perf_counter()
    again = Retriever(folder, args.model, device="cpu")
    second_start = time.perf_counter() - started
    t0 = time.perf_counter()
    again.search("how is breathing supported?", 5)
    return {"chunks": args.encode_chunks, "rounds": args.encode_rounds,
            "s": {name: spread(values) for name, values in runs.items()},
            "first_over_encode": round(paired_ratio(runs["embedforge"], runs["st_encode"]), 3),
            "second_retriever_start_s": round(second_start, 3), "cache_hit": again.cache_hit,
            "second_search_s": round(time.perf_counter() - t0, 4)}


def print_latency(lat: dict[str, Any]) -> None:
    ms = lat["ms"]
    print_table([["search / plain (encode + scores + top 5)", ms["search"]["median"], ms["plain"]["median"],
                  lat["search_over_plain"]],
                 ["scores + top 5 / numpy matmul + argpartition", ms["score"]["median"], ms["score_plain"]["median"],
                  lat["score_over_plain"]]],
                ["figure", "embedforge ms", "plain ms", "ratio (median of paired)"])


def print_first(first: dict[str, Any]) -> None:
    s = first["s"]
    print(f"first search's corpus step {s['embedforge']['median']:.2f}s vs "
          f"SentenceTransformer.encode {s['st_encode']['median']:.2f}s: {first['first_over_encode']}x; "
          f"second Retriever start {first['second_retriever_start_s']}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["all", "latency", "first", "start"], default="all")
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--encode-chunks", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--encode-rounds", type=int, default=2)
    parser.add_argument("--start-chunks", type=int, default=500)
    parser.add_argument("--start-rounds", type=int, default=5)
    parser.add_argument("--model", default="bundled-minilm")
    args = parser.parse_args()
    offline_env()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if args.part in ("all", "latency"):
            results["latency"] = lat = latency(args, Path(tmp))
            print_latency(lat)
        if args.part in ("all", "first"):
            results["first_search"] = first = first_search(args, Path(tmp))
            print_first(first)
        if args.part in ("all", "start"):
            write_corpus(Path(tmp) / "start", args.start_chunks, 3)
            results["second_search"] = start = second_search(Path(tmp) / "start", args.model, args.start_rounds)
            print_second_search(start)
    print(write_result("search" if args.part == "all" else f"search-{args.part}", results))


if __name__ == "__main__":
    main()
