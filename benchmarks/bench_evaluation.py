"""Benchmark 1: what ``compare`` costs against sentence-transformers' way and against the encode floor.

Three tasks run interleaved in one process, on the same dataset folder and the same two
models (the bundled all-MiniLM-L6-v2 and a copy saved to a folder), each loading its
models itself:

    compare     ``embedforge.evaluation.compare`` over 5 dims (bootstrap, report and plot included)
    st_seq      per model, ``SequentialEvaluator`` of ``InformationRetrievalEvaluator(truncate_dim=d)``
                for the same 5 dims (what a user writes without embedforge)
    floor       per model, one ``encode_document`` pass over the corpus and one ``encode_query``
                pass over the questions: no evaluation can cost less

Goals: compare / st_seq <= 0.3, compare / floor <= 1.15. The corpus is generated
deterministically (sentences of the ALS documents recombined, else synthetic text) so
encoding dominates; questions are word spans of their chunk.

    python benchmarks/bench_evaluation.py [--quick] [--chunks N] [--queries N] [--rounds N]
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
from pathlib import Path

from harness import find_als_corpus, interleave, offline_env, paired_ratio, print_table, spread, write_result

DIMS = (384, 256, 128, 64, 32)
BATCH = 64


def source_sentences(work: Path) -> list[str]:
    """Sentences of the ALS documents (chunked by embedforge), or synthetic ones when they are absent."""
    als = find_als_corpus()
    if als is None:
        rng = random.Random(7)
        vocab = [
            "patient", "caregiver", "muscle", "weakness", "breathing", "speech", "therapy", "diagnosis",
            "symptom", "support", "family", "nerve", "cell", "motor", "neuron", "disease", "research",
            "treatment", "clinic", "respite", "care", "plan"
        ]
        return [" ".join(rng.choice(vocab) for _ in range(rng.randint(8, 20))) + "." for _ in range(600)]
    from embedforge.corpus import chunk_documents, read_chunks

    summary = chunk_documents([als], work / "als")
    assert summary.output is not None
    text = " ".join(chunk.text for chunk in read_chunks(summary.output))
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text)]
    return sorted({s for s in sentences if 6 <= len(s.split()) <= 40})


def build_dataset(out: Path, sentences: list[str], n_chunks: int, n_queries: int, words: int) -> None:
    """Write a dataset folder: n_chunks chunks of about ``words`` words, n_queries eval questions."""
    from embedforge.dataset.layout import RetrievalDataset, write_dataset_dir
    from embedforge.fingerprint import text_hash

    rng = random.Random(42)
    corpus: dict[str, dict[str, str]] = {}
    while len(corpus) < n_chunks:
        picked: list[str] = []
        while sum(len(s.split()) for s in picked) < words:
            picked.append(rng.choice(sentences))
        text = " ".join(picked)
        corpus.setdefault(text_hash(text), {"title": "", "text": text})
    ids = sorted(corpus)
    queries, qrels = {}, {}
    for cid in rng.sample(ids, n_queries):
        tokens = corpus[cid]["text"].split()
        start = rng.randrange(0, max(1, len(tokens) - 12))
        question = " ".join(tokens[start:start + rng.randint(6, 12)]).rstrip(".") + "?"
        qid = text_hash(question + cid)
        queries[qid] = {"text": question, "chunk_id": cid}
        qrels[qid] = {cid}
    dataset = RetrievalDataset(corpus=corpus, queries=queries, qrels={"train": {}, "eval": qrels})
    write_dataset_dir(out, dataset)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 chunks, 50 questions, 2 rounds")
    parser.add_argument("--chunks", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--words", type=int, default=40, help="words per chunk")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.quick:
        args.chunks, args.queries, args.rounds = 200, 50, 2
    offline_env()
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.evaluation import (
        InformationRetrievalEvaluator,
        SequentialEvaluator,
    )

    from embedforge.dataset.layout import load_dataset_dir
    from embedforge.embedder import bundled_model_path
    from embedforge.evaluation import CompareSettings, compare

    work = Path(tempfile.mkdtemp(prefix="bench-eval-"))
    build_dataset(work / "ds", source_sentences(work), args.chunks, args.queries, args.words)
    SentenceTransformer(bundled_model_path("bundled-minilm"), device="cpu").save(str(work / "copy"))
    models = {"base": bundled_model_path("bundled-minilm"), "copy": str(work / "copy")}
    data = load_dataset_dir(work / "ds")
    queries, corpus, relevant = data.split_queries("eval"), data.corpus_texts(), data.qrels["eval"]
    print(f"dataset: {len(corpus)} chunks, {len(queries)} questions; torch threads {torch.get_num_threads()}")

    def run_compare() -> None:
        compare(work / "ds", {"base": "bundled-minilm", "copy": models["copy"]}, work / "report",
                CompareSettings(dims=DIMS, device="cpu", batch_size=BATCH))

    def run_st() -> None:
        for path in models.values():
            model = SentenceTransformer(path, device="cpu")
            SequentialEvaluator([
                InformationRetrievalEvaluator(queries, corpus, relevant, truncate_dim=d, batch_size=BATCH,
                                              write_csv=False, name=f"dim{d}") for d in DIMS
            ])(model)

    def run_floor() -> None:
        texts, questions = list(corpus.values()), list(queries.values())
        for path in models.values():
            model = SentenceTransformer(path, device="cpu")
            model.encode_document(texts, batch_size=BATCH, convert_to_tensor=True)
            model.encode_query(questions, batch_size=BATCH, convert_to_tensor=True)

    run_floor()  # warm-up: file cache, lazy imports, allocator
    times = interleave({"compare": run_compare, "st_seq": run_st, "floor": run_floor}, args.rounds)
    figures = {
        "compare_vs_st_seq": {"goal": "<= 0.3", "measured": round(paired_ratio(times["compare"],
                                                                             times["st_seq"]), 3)},
        "compare_vs_floor": {"goal": "<= 1.15", "measured": round(paired_ratio(times["compare"],
                                                                             times["floor"]), 3)},
    }
    figures["compare_vs_st_seq"]["ok"] = figures["compare_vs_st_seq"]["measured"] <= 0.3
    figures["compare_vs_floor"]["ok"] = figures["compare_vs_floor"]["measured"] <= 1.15
    rows = [[k, f"{spread(v)['median']:.2f}", f"{min(v):.2f}", f"{max(v):.2f}"] for k, v in times.items()]
    print_table(rows, ["task", "median s", "min s", "max s"])
    print_table([[k, v["goal"], v["measured"], "ok" if v["ok"] else "MISSED"] for k, v in figures.items()],
                ["ratio", "goal", "measured (median of paired)", "verdict"])
    path = write_result("evaluation", {
        "settings": {"chunks": len(corpus), "queries": len(queries), "words_per_chunk": args.words,
                     "dims": DIMS, "models": 2, "batch_size": BATCH, "rounds": args.rounds},
        "seconds": {k: spread(v) for k, v in times.items()}, "figures": figures})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
