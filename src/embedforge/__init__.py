"""embedforge: turn a pile of documents into a better retriever.

The Python API mirrors the CLI, one function per job::

    import embedforge
    embedforge.build_dataset(["docs/"], "data/")                     # embedforge dataset build docs/ --out data/
    embedforge.regenerate("data/", "data2/", generation_settings=...) # embedforge dataset regenerate ...
    embedforge.train("data/", "model/", embedforge.TrainSettings())   # embedforge train data/ --out model/
    embedforge.compare("data/", {"base": "bundled", "tuned": "model/"}, "report/")
    embedforge.run(embedforge.load_config("configs/als-offline.toml"))

Names are imported lazily so that ``import embedforge`` stays fast and the CLI's
``--help`` does not load torch.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_API = {
    "chunk_documents": "embedforge.corpus",
    "extract_documents": "embedforge.corpus",
    "ChunkSettings": "embedforge.corpus",
    "read_chunks": "embedforge.corpus",
    "generate_questions": "embedforge.generators",
    "GenerationSettings": "embedforge.generators",
    "build_dataset": "embedforge.dataset",
    "build_dataset_from_chunks": "embedforge.dataset",
    "regenerate": "embedforge.dataset",
    "import_dataset": "embedforge.dataset",
    "export_dataset": "embedforge.dataset",
    "load_dataset_dir": "embedforge.dataset",
    "DatasetSettings": "embedforge.dataset",
    "train": "embedforge.training",
    "TrainSettings": "embedforge.training",
    "compare": "embedforge.evaluation",
    "CompareSettings": "embedforge.evaluation",
    "run": "embedforge.pipeline",
    "load_config": "embedforge.config",
    "EmbedforgeError": "embedforge.errors",
}

__all__ = [*_API, "__version__"]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'embedforge' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
