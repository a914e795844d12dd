"""Settings of the dataset stage: how to split and how hard to filter.

One dataclass, so the CLI (flags), ``config.py`` (TOML) and the tests build the
same object. ``validate`` turns a bad value into one EmbedforgeError line before
any work starts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path

from embedforge.errors import EmbedforgeError
from embedforge.settings import Settings

# Measured on the ALS documents (68 chunks, bundled LLM and embedder): questions copied
# from the prompt's examples or about nothing in their chunk rank 12-24; on-topic but
# generic ones ("What is the FDA's approval process for drugs for ALS?") rank 6-9,
# because several chunks share the topic. Top-10 drops the first kind and keeps the
# second, which is still a fair training pair. K=1 would keep only questions the base
# model already answers, leaving nothing to learn; K=0 turns the filter off.
DEFAULT_ROUNDTRIP_K = 10


@dataclass(frozen=True)
class DatasetSettings(Settings):
    """How a dataset folder is split and filtered.

    Attributes:
        eval_fraction: share of question-bearing chunks whose questions go to the eval split.
        dev_fraction: share that goes to the dev split, which chooses the epoch and the interpolation
            weight; 0, or a corpus under ``split.MIN_DEV_CHUNKS`` question-bearing chunks, gives none.
        seed: seeds the chunk -> split assignment (same seed, same split).
        roundtrip_k: keep a question only if its own chunk ranks in the top K of all chunks; 0 disables.
        roundtrip_model: embedder SPEC the round-trip filter ranks with (``bundled``, a folder, a hub id).
        max_overlap: the copy filter: drop a question sharing more than this share of its content words
            with its chunk (``dataset/overlap.py``); 1.0 turns it off.
        most_specific: keep at most this many questions a chunk, the most specific by query likelihood
            under the bundled LLM, dropping generic ones (``dataset/specific.py``); 0 turns it off.
        natural_dev: a file of questions in your users' words that name their answer (as ``--examples``
            takes them); they choose the epoch, alpha and the fusion weight and never reach a prompt.
            None: the ``--examples`` the prompt does not show, if any (``dataset/natural.py``).
        license: the documents' license for the dataset card (a Hub license id such as ``cc-by-4.0``);
            ``unknown`` until the user states it.
        language: the documents' language(s) for the card, ISO 639-1 codes separated by commas.
    """

    eval_fraction: float = 0.2
    dev_fraction: float = 0.2
    seed: int = 42
    roundtrip_k: int = DEFAULT_ROUNDTRIP_K
    roundtrip_model: str = "bundled"
    max_overlap: float = 1.0
    most_specific: int = 0
    natural_dev: str | None = None
    license: str = "unknown"  # an output: the card must say it (a change rewrites the folder)
    language: str = "en"

    def check(self) -> None:
        """Raise EmbedforgeError naming the bad value."""
        if not 0.0 < self.eval_fraction < 1.0:
            raise EmbedforgeError(
                f"eval_fraction {self.eval_fraction}: must be between 0 and 1 (exclusive); try 0.2"
            )
        if not 0.0 <= self.dev_fraction < 1.0 - self.eval_fraction:
            raise EmbedforgeError(
                f"dev_fraction {self.dev_fraction}: must be in [0, 1 - eval fraction); try 0.2 (0: no dev split)"
            )
        if self.roundtrip_k < 0:
            raise EmbedforgeError(f"roundtrip_k {self.roundtrip_k}: must be 0 (off) or a positive rank")
        if self.most_specific < 0:
            raise EmbedforgeError(f"most_specific {self.most_specific}: must be 0 (off) or a positive count")
        if not 0.0 < self.max_overlap <= 1.0:
            raise EmbedforgeError(f"max_overlap {self.max_overlap}: must be in (0, 1]; try 0.8 (1: no copy filter)")
        if not self.roundtrip_model.strip():
            raise EmbedforgeError("roundtrip_model: empty model spec; use `bundled` or a model folder")


def recorded_settings(dataset_dir: Path) -> DatasetSettings:
    """The dataset settings recorded in ``dataset_dir``'s manifest (for ``regenerate``), else the defaults.

    Raises:
        EmbedforgeError: the manifest is unreadable.
    """
    from embedforge.dataset.manifest import MANIFEST_FILE

    path = dataset_dir / MANIFEST_FILE
    if not path.is_file():
        return DatasetSettings()
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))["configuration"]["dataset"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise EmbedforgeError(f"{path}: unreadable manifest ({exc}); pass --roundtrip-k explicitly") from exc
    names = {f.name for f in fields(DatasetSettings)}
    return DatasetSettings(**{k: v for k, v in recorded.items() if k in names})
