"""Training stage: fine-tune a sentence-transformers embedder on a dataset folder.

``train(dataset_dir, out_dir, TrainSettings(...)) -> TrainResult`` is the one entry
point (CLI ``embedforge train``, the pipeline, the notebook and the tests call it).
Importing this package stays light (no torch), so the CLI and config start fast.
"""

from __future__ import annotations

import os

from embedforge.training.dims import DEFAULT_DIMS, check_dims
from embedforge.training.settings import TrainResult, TrainSettings


def train(dataset_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str],
          settings: TrainSettings | None = None) -> TrainResult:
    """Fine-tune an embedder; see :func:`embedforge.training.trainer.train`."""
    from embedforge.training.trainer import train as run

    return run(dataset_dir, out_dir, settings)


__all__ = ["DEFAULT_DIMS", "TrainResult", "TrainSettings", "check_dims", "train"]
