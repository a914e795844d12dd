"""Seeded train/dev/eval split by chunk.

Every question of a chunk goes to the same split, so no chunk text is seen in
training and then asked about in dev or eval. dev chooses whatever is chosen from
data (the epoch, the interpolation weight); eval is scored once, by ``compare``, and
chooses nothing. A corpus with fewer than ``MIN_DEV_CHUNKS`` question-bearing chunks
gets no dev split (each side would be too small to trust): training then picks by rule.

The assignment orders chunk ids (content hashes) by a seeded hash, never by list
position or a shared RNG stream: the same chunks and seed give the same split whatever
order they arrive in, and adding one chunk moves no other chunk. ``split.json`` records the split of every chunk so
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
SPLIT_NAMES = ("train", "dev", "eval")
# Below this many question-bearing chunks a dev split would hold 1-3 chunks: too few to choose by.
MIN_DEV_CHUNKS = 20
_HASH_CHARS = 16


def _draw(chunk_id: str, seed: int) -> float:
    """A seeded pseudo-uniform number in [0, 1) for one chunk."""
    return int(text_hash(f"{seed}:{chunk_id}", _HASH_CHARS), 16) / 16**_HASH_CHARS


def eval_count(n_chunks: int, eval_fraction: float) -> int:
    """How many of ``n_chunks`` question-bearing chunks go to eval: at least 1 of each side when n >= 2."""
    if n_chunks < 2:
        return 0
    return min(max(round(n_chunks * eval_fraction), 1), n_chunks - 1)


def dev_count(n_chunks: int, dev_fraction: float) -> int:
    """How many question-bearing chunks go to dev: none below ``MIN_DEV_CHUNKS`` or with fraction 0."""
    if dev_fraction <= 0 or n_chunks < MIN_DEV_CHUNKS:
        return 0
    return max(round(n_chunks * dev_fraction), 1)


def assign_split(
    question_chunks: Iterable[str], all_chunks: Iterable[str], eval_fraction: float, seed: int,
    dev_fraction: float = 0.0,
) -> dict[str, str]:
    """Map every chunk id to ``"train"``, ``"dev"`` or ``"eval"``.

    Args:
        question_chunks: ids of chunks with at least one kept question; in seeded hash
            order, the first ``eval_count`` become eval, the next ``dev_count`` dev.
        all_chunks: every chunk id; those without questions get a split too (by their
            seeded draw against the fractions) so a later ``regenerate`` that gives
            them questions knows where they belong.
        eval_fraction: share of question-bearing chunks in eval.
        seed: the split seed.
        dev_fraction: share in dev (0: no dev split).

    Returns:
        chunk id -> split name, sorted by chunk id.
    """
    bearing = sorted(set(question_chunks), key=lambda cid: (_draw(cid, seed), cid))
    n_eval = eval_count(len(bearing), eval_fraction)
    n_dev = min(dev_count(len(bearing), dev_fraction), max(len(bearing) - n_eval - 1, 0))
    split = {cid: _by_rank(rank, n_eval, n_dev) for rank, cid in enumerate(bearing)}
    dev_share = dev_fraction if n_dev else 0.0
    for cid in set(all_chunks) - split.keys():
        draw = _draw(cid, seed)
        split[cid] = "eval" if draw < eval_fraction else "dev" if draw < eval_fraction + dev_share else "train"
    return dict(sorted(split.items()))


def _by_rank(rank: int, n_eval: int, n_dev: int) -> str:
    return "eval" if rank < n_eval else "dev" if rank < n_eval + n_dev else "train"


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
    if not isinstance(split, dict) or not set(split.values()) <= set(SPLIT_NAMES):
        raise EmbedforgeError(f"{path}: expected an object chunk id -> train/dev/eval; rebuild the dataset")
    return {str(k): str(v) for k, v in split.items()}
