"""dataset stage: (chunk, question) pairs -> a BEIR folder split by chunk.

Public API (what the CLI, the pipeline, the notebook and the tests call):
    DatasetSettings, DatasetSummary
    build_dataset(sources, out_dir, *, chunk_settings, generation_settings, dataset_settings)
    build_dataset_from_chunks(chunks, out_dir, *, generation_settings, dataset_settings)
    regenerate(dataset_dir, out_dir, *, generation_settings, dataset_settings)
    import_dataset(train_file, eval_file, out_dir, settings)
    export_dataset(dataset_dir, out_dir, format="llamaindex")
    load_dataset_dir(path) -> RetrievalDataset

Names load on first use, so a reader of a dataset folder (``embedforge search``, ``compare``,
``embedforge.dataset.layout``) does not import the builder, the corpus stage and the generators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from embedforge.lazy import lazy_getattr

if TYPE_CHECKING:
    from embedforge.dataset.build import build_dataset, build_dataset_from_chunks, regenerate
    from embedforge.dataset.importers import export_dataset, import_dataset
    from embedforge.dataset.layout import RetrievalDataset, load_dataset_dir, write_dataset_dir
    from embedforge.dataset.settings import DatasetSettings
    from embedforge.dataset.summary import DatasetSummary

_LAZY = {
    **dict.fromkeys(("build_dataset", "build_dataset_from_chunks", "regenerate"), "embedforge.dataset.build"),
    **dict.fromkeys(("export_dataset", "import_dataset"), "embedforge.dataset.importers"),
    **dict.fromkeys(("RetrievalDataset", "load_dataset_dir", "write_dataset_dir"), "embedforge.dataset.layout"),
    "DatasetSettings": "embedforge.dataset.settings",
    "DatasetSummary": "embedforge.dataset.summary",
}


__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = [
    "DatasetSettings",
    "DatasetSummary",
    "RetrievalDataset",
    "build_dataset",
    "build_dataset_from_chunks",
    "export_dataset",
    "import_dataset",
    "load_dataset_dir",
    "regenerate",
    "write_dataset_dir",
]
