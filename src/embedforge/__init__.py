"""embedforge: turn a pile of documents into a better retriever.

The Python API mirrors the CLI, one function per job. Every settings object has defaults (the
bundled embedder and LLM, all on this machine), and results carry the data, not only folders:

>>> import embedforge
>>> data = embedforge.build_dataset(["docs/"], "data/")  # embedforge dataset build docs/ --out data/
>>> data.train.column_names  # the train pairs, a 🤗 datasets.Dataset (also .corpus, .queries)
['anchor', 'positive']
>>> data.paths["qrels_eval"].name  # the eval split's qrels: BEIR's and MTEB's `test`
'test.tsv'
>>> again = embedforge.regenerate("data/", "data2/")  # same chunks and split, new questions
>>> again.chunks == data.chunks
True
>>> tuned = embedforge.train("data/", "model/", embedforge.TrainSettings(base_model="bundled-minilm", epochs=1,
...                                                                      batch_size=2))
>>> tuned.model.get_embedding_dimension(), tuned.model_dir.name  # the loaded SentenceTransformer, its folder
(384, 'model')
>>> report = embedforge.compare("data/", {"base": "bundled-minilm", "tuned": "model/"}, "report/")
>>> sorted(report.metrics())  # eval-split metrics by model, then dim
['base', 'tuned']

A whole recipe runs with ``embedforge.run(embedforge.load_config(PATH))`` (``embedforge run PATH``;
``make demo`` runs ``configs/als-offline.toml``, minutes on a CPU).

Names are imported lazily so that ``import embedforge`` stays fast and the CLI's
``--help`` does not load torch.
"""

from __future__ import annotations

from embedforge.lazy import lazy_getattr

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
    "Retriever": "embedforge.evaluation.retriever",
    "run": "embedforge.pipeline",
    "load_config": "embedforge.pipeline.config",
    "EmbedforgeError": "embedforge.errors",
}

__all__ = [*_API, "__version__"]


__getattr__ = lazy_getattr(__name__, _API)
