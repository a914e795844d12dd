"""Settings of the compare stage and the parsing of its ``NAME=SPEC`` model arguments.

``compare`` answers "is my fine-tuned model better than the base, at which
dimension, and can I trust the difference?". Everything that shapes that answer
(which dims, the BM25 yardstick, the bootstrap, the split, an extra hand-written
query file) is a field here, so the CLI, ``config.py`` and the tests build the same
object. The metric set is the reference model card's (sentence-transformers'
``InformationRetrievalEvaluator`` defaults).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from embedforge.errors import EmbedforgeError
from embedforge.evaluation.encode_pool import DEFAULT_POOL_MIN_CHUNKS
from embedforge.settings import Settings, setting
from embedforge.training.dims import DEFAULT_DIMS  # the dims trained are the dims evaluated

ACCURACY_AT = (1, 3, 5, 10)
PRECISION_RECALL_AT = (1, 3, 5, 10)
NDCG_AT = 10
MRR_AT = 10
MAP_AT = 100
METRIC_NAMES: tuple[str, ...] = (
    *(f"accuracy@{k}" for k in ACCURACY_AT),
    *(f"precision@{k}" for k in PRECISION_RECALL_AT),
    *(f"recall@{k}" for k in PRECISION_RECALL_AT),
    f"ndcg@{NDCG_AT}",
    f"mrr@{MRR_AT}",
    f"map@{MAP_AT}",
)
PRIMARY_METRIC = f"ndcg@{NDCG_AT}"
BM25_NAME = "bm25"
_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


@dataclass(frozen=True)
class CompareSettings(Settings):
    """How ``compare`` evaluates.

    Attributes:
        dims: Matryoshka dims to evaluate (each model's full dim is always added; dims above a
            model's full dim are skipped for it). None: 768, 512, 256, 128, 64.
        bm25: add a BM25 row (bm25s) as the lexical yardstick.
        bootstrap_samples: paired-bootstrap resamples of the queries; 0 turns the bootstrap off.
        seed: seed of the bootstrap resampling.
        batch_size: encode batch size.
        split: which qrels split holds the questions to score (``eval``).
        device: ``cpu``, ``cuda``... or None for sentence-transformers' choice; several, comma-separated
            (``cuda:0,cuda:1``), encode the corpus with one process per device.
        pool_min_chunks: with no device given and several GPUs, a corpus of this many chunks or more is
            encoded with one process per GPU (the measured crossover); 0 turns that off.
        trust_remote_code: let models run code shipped with them.
        query_prompt: a prompt put before every question; None: the model's own ``query`` prompt, if any.
        handwritten: a JSONL file of hand-written questions ({"question", "chunk_id" | "chunk_ids" |
            "answer"}) scored against the same corpus, reported as the "handwritten" section.
    """

    dims: tuple[int, ...] | None = None
    bm25: bool = False
    bootstrap_samples: int = 1000
    seed: int = 42
    batch_size: int = setting(64, output=False)
    split: str = "eval"
    device: str | None = setting(None, output=False)
    pool_min_chunks: int = setting(DEFAULT_POOL_MIN_CHUNKS, output=False)
    trust_remote_code: bool = False
    query_prompt: str | None = None
    handwritten: str | None = None

    def check(self) -> None:
        """Raise EmbedforgeError on a value no run could use."""
        if self.dims is not None:
            if not self.dims:
                raise EmbedforgeError("dims: empty list; give dims such as 256,128,64 or leave it out")
            bad = [d for d in self.dims if not isinstance(d, int) or d <= 0]
            if bad:
                raise EmbedforgeError(f"dims: {bad[0]!r} is not a positive integer; use e.g. 256,128,64")
        if self.bootstrap_samples < 0:
            raise EmbedforgeError("bootstrap_samples: must be 0 (off) or more; 1000 is a good value")
        if self.batch_size <= 0:
            raise EmbedforgeError("batch_size: must be a positive integer")
        if self.pool_min_chunks < 0:
            raise EmbedforgeError("pool_min_chunks: must be 0 (no automatic pool) or more")
        if self.split in ("train", "dev"):
            raise EmbedforgeError(
                f"split {self.split!r}: those questions trained or chose the model (the epoch, the interpolation "
                "weight), so scoring them would flatter it; compare scores the eval split"
            )


def dims_for(full_dim: int, requested: tuple[int, ...] | None) -> tuple[int, ...]:
    """The dims one model is evaluated at, largest first: its full dim plus the requested ones below it."""
    wanted = DEFAULT_DIMS if requested is None else requested
    return tuple(sorted({full_dim, *(d for d in wanted if d <= full_dim)}, reverse=True))


def parse_model_specs(items: Sequence[str]) -> dict[str, str]:
    """Turn ``["base=bundled", "tuned=models/run1"]`` into an ordered ``{name: spec}``.

    A bare SPEC (no ``=``) is named after itself: ``bundled`` or the folder's last part.
    The first model is the baseline every other is compared with.

    Raises:
        EmbedforgeError: no models, an empty name or spec, a name with odd characters, or a name given twice.
    """
    models: dict[str, str] = {}
    for item in items:
        name, sep, spec = item.partition("=")
        if not sep:
            spec, name = item, item.rstrip("/").rsplit("/", 1)[-1]
        name, spec = name.strip(), spec.strip()
        if not name or not spec:
            raise EmbedforgeError(
                f"--model {item!r}: expected NAME=SPEC, e.g. base=bundled or tuned=models/run1"
            )
        if not _NAME_PATTERN.match(name):
            raise EmbedforgeError(
                f"--model {item!r}: the name {name!r} may hold only letters, digits, '_', '-' and '.'"
            )
        if name in models:
            raise EmbedforgeError(
                f"--model {item!r}: the name {name!r} is given twice; give each model its own name"
            )
        models[name] = spec
    if not models:
        raise EmbedforgeError(
            "no models to compare; pass --model NAME=SPEC at least once (e.g. base=bundled)"
        )
    return models


def check_model_names(models: dict[str, str], bm25: bool) -> None:
    """Raise EmbedforgeError when the model dict is empty or a name clashes with the BM25 row."""
    if not models:
        raise EmbedforgeError(
            "no models to compare; pass --model NAME=SPEC at least once (e.g. base=bundled)"
        )
    for name in models:
        if not _NAME_PATTERN.match(name):
            raise EmbedforgeError(f"model name {name!r}: use only letters, digits, '_', '-' and '.'")
    if bm25 and BM25_NAME in models:
        raise EmbedforgeError(f"model name {BM25_NAME!r} is taken by the --bm25 row; rename that model")
