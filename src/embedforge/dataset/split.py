"""Seeded train/eval split by chunk.

Every question of a chunk goes to the same split, so no chunk text is seen in
training and then asked about in eval. The assignment orders chunk ids (content
hashes) by a seeded hash, never by list position or a shared RNG stream: the same
chunks and seed give the same split whatever order they arrive in, and adding one
chunk moves no other chunk. ``split.json`` records the split of every chunk so
``regenerate`` can keep it exactly.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from embedforge.errors import EmbedforgeError
from embedforge.files import write_json
from embedforge.fingerprint import text_hash

SPLIT_FILE = "split.json"
_HASH_CHARS = 16


def _draw(chunk_id: str, seed: int) -> float:
    """A seeded pseudo-uniform number in [0, 1) for one chunk."""
    return int(text_hash(f"{seed}:{chunk_id}", _HASH_CHARS), 16) / 16**_HASH_CHARS


def eval_count(n_chunks: int, eval_fraction: float) -> int:
    """How many of ``n_chunks`` question-bearing chunks go to eval: at least 1 of each side when n >= 2."""
    if n_chunks < 2:
        return 0
    return min(max(round(n_chunks * eval_fraction), 1), n_chunks - 1)


def assign_split(
    question_chunks: Iterable[str], all_chunks: Iterable[str], eval_fraction: float, seed: int
) -> dict[str, str]:
    """Map every chunk id to ``"train"`` or ``"eval"``.

    Args:
        question_chunks: ids of chunks with at least one kept question; exactly
            ``eval_count`` of them (by seeded hash order) become eval.
        all_chunks: every chunk id; those without questions get a split too (by their
            seeded draw against ``eval_fraction``) so a later ``regenerate`` that gives
            them questions knows where they belong.
        eval_fraction: share of question-bearing chunks in eval.
        seed: the split seed.

    Returns:
        chunk id -> split name, sorted by chunk id.
    """
    bearing = sorted(set(question_chunks), key=lambda cid: (_draw(cid, seed), cid))
    n_eval = eval_count(len(bearing), eval_fraction)
    split = {cid: ("eval" if rank < n_eval else "train") for rank, cid in enumerate(bearing)}
    for cid in set(all_chunks) - split.keys():
        split[cid] = "eval" if _draw(cid, seed) < eval_fraction else "train"
    return dict(sorted(split.items()))


def write_split(out_dir: str | os.PathLike[str], split: dict[str, str]) -> None:
    """Write ``split.json`` (chunk id -> split) into a dataset folder."""
    write_json(Path(out_dir) / SPLIT_FILE, dict(sorted(split.items())))


def read_split(dataset_dir: str | os.PathLike[str]) -> dict[str, str]:
    """Read ``split.json`` from a dataset folder.

    Raises:
        EmbedforgeError: the file is missing, not JSON, or names a split other than train/eval.
    """
    path = Path(dataset_dir) / SPLIT_FILE
    if not path.is_file():
        raise EmbedforgeError(f"{path}: no split file; this folder was not written by `dataset build`")
    try:
        split = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise EmbedforgeError(f"{path}: not valid JSON ({exc.msg}); rebuild the dataset") from exc
    if not isinstance(split, dict) or not set(split.values()) <= {"train", "eval"}:
        raise EmbedforgeError(f"{path}: expected an object chunk id -> train/eval; rebuild the dataset")
    return {str(k): str(v) for k, v in split.items()}
