"""``embedforge.Retriever``: search a dataset's corpus with a model, dense or fused with BM25.

What ``compare`` measures, a user can try: the same embeddings (the model's document prompt,
truncated to ``dim`` and re-normalised for cosine models), the same convex fusion
(:mod:`embedforge.evaluation.fusion`), and ``hybrid="auto"`` chooses the weight exactly as
``compare`` does, on the choosing questions (:func:`~embedforge.evaluation.choosing.choosing_queries`).
The corpus embeddings are cached next to the dataset (:mod:`embedforge.evaluation.embedding_cache`),
so only the first search of a (model, corpus) pair encodes the corpus.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from embedforge.dataset.layout import load_dataset_dir
from embedforge.embedder import is_hub_id, load_embedder, resolve_model
from embedforge.errors import EmbedforgeError
from embedforge.evaluation.bm25 import BM25Index
from embedforge.evaluation.embedding_cache import corpus_embeddings, model_key
from embedforge.evaluation.fusion import WeightChoice, choose_weight, convex_fusion
from embedforge.evaluation.metrics import RelevancePairs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk: ``rank`` (1 = best), ``score``, ``chunk_id``, ``text`` and its corpus ``metadata``."""

    rank: int
    score: float
    chunk_id: str
    text: str
    metadata: dict[str, Any]


def _check_weight(hybrid: float | str | None) -> float | str | None:
    if hybrid is None or hybrid == "auto":
        return hybrid
    try:
        weight = float(hybrid)
    except (TypeError, ValueError):
        weight = float("nan")
    if not 0.0 <= weight <= 1.0:
        raise EmbedforgeError(f"--hybrid {hybrid!r}: expected a weight from 0 (BM25 alone) to 1 (dense alone), "
                              "or auto; e.g. --hybrid 0.7")
    return weight


class Retriever:
    """Top-k chunks of a dataset folder's corpus for a question.

    Args:
        dataset_dir: a folder from ``dataset build`` / ``dataset import`` (its whole corpus is searched).
        model: an embedder SPEC (``bundled``, ``bundled-minilm``, a model folder, a Hub id).
        hybrid: None (dense only), a weight ``w`` in [0, 1] (``w * dense + (1 - w) * bm25`` over
            min-max-normalised scores), or ``"auto"`` (w chosen on the dataset's dev questions).
        dim: a Matryoshka dim to truncate to (None: the model's full dim).
        device: ``cpu``, ``cuda``... or None for sentence-transformers' choice.

    Raises:
        EmbedforgeError: a missing dataset, a model that cannot load, a dim above the model's, a bad
            weight, or ``auto`` on a dataset without dev questions.
    """

    def __init__(self, dataset_dir: str | os.PathLike[str], model: str = "bundled", *,
                 hybrid: float | str | None = None, dim: int | None = None, device: str | None = None) -> None:
        weight = _check_weight(hybrid)
        self.dataset_dir = Path(dataset_dir)
        self._dataset = load_dataset_dir(self.dataset_dir)
        self.chunk_ids = list(self._dataset.corpus)
        self.texts = [str(self._dataset.corpus[c].get("text", "")) for c in self.chunk_ids]
        self._model = load_embedder(model, device=device)
        self.similarity = str(self._model.similarity_fn_name or "cosine")
        full = int(self._model.get_embedding_dimension() or 0)
        if dim is not None and not 0 < dim <= full:
            raise EmbedforgeError(f"--dim {dim}: the model {model} outputs {full} dims; give --dim {full} or less")
        self.dim = dim or full
        embeddings, self.cache_hit = corpus_embeddings(
            self.dataset_dir, _model_key(model, self.dataset_dir), self.chunk_ids, self.texts, self._encode_documents)
        if embeddings.shape[1] != full:
            raise EmbedforgeError(f"{model}: the model outputs {full} dims, but its corpus embeddings have "
                                  f"{embeddings.shape[1]}; delete {self.dataset_dir / '.embedforge-cache'} and retry")
        self.corpus = self._cut(embeddings)
        self._bm25: BM25Index | None = None
        self.choice: WeightChoice | None = self._choose() if weight == "auto" else None
        self.weight: float | None = self.choice.weight if self.choice else (None if weight is None else float(weight))

    def _encode_documents(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.encode_document(texts, convert_to_numpy=True, show_progress_bar=False))

    def _cut(self, embeddings: np.ndarray) -> np.ndarray:
        """The first ``dim`` components, re-normalised for a cosine model, float32 and contiguous."""
        cut = np.ascontiguousarray(embeddings[:, : self.dim], dtype=np.float32)
        if self.similarity == "cosine":
            norms = np.linalg.norm(cut, axis=1, keepdims=True)
            cut /= np.where(norms > 0, norms, 1.0)
        return cut

    def embed_questions(self, questions: list[str]) -> np.ndarray:
        """(questions x dim) question embeddings (the model's query prompt), cut like the corpus."""
        embedded = self._model.encode_query(questions, convert_to_numpy=True, show_progress_bar=False)
        return self._cut(np.asarray(embedded))

    def dense_scores(self, questions: np.ndarray) -> np.ndarray:
        """(questions x chunks) similarity of already-embedded questions to every chunk."""
        if self.similarity in ("cosine", "dot"):
            return np.asarray(questions @ self.corpus.T)
        import torch

        from embedforge.evaluation.encode import score_function

        fn = score_function(self.similarity)
        return fn(torch.from_numpy(questions), torch.from_numpy(self.corpus)).numpy()

    def bm25(self) -> BM25Index:
        if self._bm25 is None:
            self._bm25 = BM25Index(self.texts)
        return self._bm25

    def _choose(self) -> WeightChoice:
        # Imported here: only --hybrid auto reads the dev questions (and the generators' examples).
        from embedforge.evaluation.choosing import choosing_queries

        found = choosing_queries(self._dataset, self.dataset_dir)
        if found is None:
            raise EmbedforgeError(f"--hybrid auto: {self.dataset_dir} has no dev questions to choose the weight on; "
                                  "give a weight instead, e.g. --hybrid 0.7")
        queries, label = found
        dense = self.dense_scores(self.embed_questions(list(queries.texts)))
        return choose_weight(dense, self.bm25().scores(queries.texts), RelevancePairs(self.chunk_ids, queries.relevant),
                             label)

    def search(self, question: str, k: int = 5) -> list[Hit]:
        """The ``k`` best chunks for ``question``, best first (ties: corpus order).

        Raises:
            EmbedforgeError: an empty question or a k below 1.
        """
        if not question or not question.strip():
            raise EmbedforgeError("question: empty; ask a question, e.g. \"What causes ALS?\"")
        if k < 1:
            raise EmbedforgeError(f"-k {k}: must be 1 or more")
        scores = self.dense_scores(self.embed_questions([question]))[0]
        if self.weight is not None:
            scores = convex_fusion(scores[None, :], self.bm25().scores([question]), self.weight)[0]
        return self.top(scores, k)

    def top(self, scores: np.ndarray, k: int) -> list[Hit]:
        """The ``k`` best of one row of scores as hits."""
        k = min(k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        best = best[np.lexsort((best, -scores[best]))]
        return [self._hit(rank, int(i), float(scores[i])) for rank, i in enumerate(best, start=1)]

    def _hit(self, rank: int, index: int, score: float) -> Hit:
        chunk_id = self.chunk_ids[index]
        row = self._dataset.corpus[chunk_id]
        metadata = {key: value for key, value in row.items() if key not in ("text", "title")}
        metadata.update(chunk_id=chunk_id, score=score, rank=rank)
        return Hit(rank=rank, score=score, chunk_id=chunk_id, text=self.texts[index], metadata=metadata)

    def as_langchain(self, k: int = 5) -> Any:
        """A LangChain ``BaseRetriever`` over this retriever: its ``invoke(question)`` returns ``k`` ``Document``s
        whose ``page_content`` is the chunk text and whose ``metadata`` is the chunk's (source, section, page...)."""
        from embedforge.evaluation.langchain_retriever import EmbedforgeRetriever

        return EmbedforgeRetriever(retriever=self, k=k)


def _model_key(spec: str, dataset_dir: Path) -> str:
    """The content hash of the model's files (a Hub id: its cached snapshot), remembered in the dataset's cache."""
    target = resolve_model(spec)
    if is_hub_id(spec):
        from huggingface_hub import snapshot_download

        target = snapshot_download(target, local_files_only=True)
    return model_key(target, dataset_dir)
