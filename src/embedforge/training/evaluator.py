"""Per-epoch evaluation: information-retrieval metrics at every Matryoshka dim.

One sentence-transformers ``InformationRetrievalEvaluator(truncate_dim=d)`` per dim,
run in sequence, over the dev questions and the WHOLE corpus. Encoding the corpus
once per dim would cost five encodes an epoch; a Matryoshka embedding truncated to
``d`` is exactly the first ``d`` values of the full one (``encode`` truncates after the
model's own normalisation and the cosine re-normalises), so the full-size embeddings
are computed once per evaluation and sliced. A test checks the metrics equal those of
the plain evaluator.

Metric keys look like ``dim_384_cosine_ndcg@10`` (the Trainer adds ``eval_``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sentence_transformers.base.evaluation import SequentialEvaluator
from sentence_transformers.sentence_transformer.evaluation import InformationRetrievalEvaluator

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from embedforge.training.data import TrainingData

EVAL_BATCH_SIZE = 32
MEAN_KEY = "dims_mean_ndcg@10"


def metric_key(dim: int, similarity: str, metric: str = "ndcg@10") -> str:
    """The evaluator's key for ``metric`` at ``dim``, e.g. ``dim_384_cosine_ndcg@10``."""
    return f"dim_{dim}_{similarity}_{metric}"


def metrics_by_dim(
    metrics: dict[str, float], dims: tuple[int, ...], similarity: str
) -> dict[int, dict[str, float]]:
    """dim -> {"ndcg@10": ..., "mrr@10": ...} from a flat evaluator (or Trainer, ``eval_``-prefixed) dict."""
    out: dict[int, dict[str, float]] = {}
    for dim in dims:
        for prefix in (f"eval_dim_{dim}_{similarity}_", f"dim_{dim}_{similarity}_"):
            found = {k[len(prefix):]: float(v) for k, v in metrics.items() if k.startswith(prefix)}
            if found:
                out[dim] = dict(sorted(found.items()))
                break
    return out


class _SharedEmbeddings:
    """Full-size query and corpus embeddings of one evaluation round, shared by the per-dim evaluators."""

    def __init__(self) -> None:
        self.store: dict[str, Any] = {}


class _DimEvaluator(InformationRetrievalEvaluator):
    """The stock IR evaluator, taking its embeddings from the shared full-size ones, sliced to its dim."""

    def __init__(self, shared: _SharedEmbeddings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shared = shared

    def embed_inputs(  # type: ignore[override]
        self, model: SentenceTransformer, sentences: Any, encode_fn_name: str | None = None,
        prompt_name: str | None = None, prompt: str | None = None, **kwargs: Any,
    ) -> Any:
        key = encode_fn_name or "plain"
        if key not in self.shared.store:
            self.shared.store[key] = _encode_full(self, model, sentences, encode_fn_name, prompt_name, prompt)
        return self.shared.store[key][:, : self.truncate_dim]


def _encode_full(evaluator: _DimEvaluator, model: SentenceTransformer, sentences: Any,
                 encode_fn_name: str | None, prompt_name: str | None, prompt: str | None) -> Any:
    encode = model.encode_query if encode_fn_name == "query" else model.encode_document
    return encode(
        sentences, prompt_name=prompt_name, prompt=prompt, batch_size=evaluator.batch_size,
        show_progress_bar=False, convert_to_tensor=True,
    )


class MatryoshkaEvaluator(SequentialEvaluator):
    """IR evaluation at each dim, largest first, plus ``MEAN_KEY``: ndcg@10 averaged over the dims."""

    def __init__(self, evaluators: list[_DimEvaluator], shared: _SharedEmbeddings) -> None:
        super().__init__(evaluators, main_score_function=lambda scores: scores[0])
        self.shared = shared

    def __call__(self, model: Any, output_path: str | None = None, epoch: int = -1, steps: int = -1
                 ) -> dict[str, float]:
        self.shared.store.clear()  # the model changed since the last round
        try:
            scores = dict(super().__call__(model, output_path, epoch, steps))
        finally:
            self.shared.store.clear()
        # The checkpoint and the interpolation weight are chosen on every dim, not on the largest alone.
        ndcg = [v for k, v in scores.items() if k.startswith("dim_") and k.endswith("_ndcg@10")]
        scores[MEAN_KEY] = float(sum(ndcg) / len(ndcg)) if ndcg else 0.0
        return scores


def build_evaluator(data: TrainingData, dims: tuple[int, ...]) -> MatryoshkaEvaluator:
    """The per-epoch evaluator over ``data``'s dev split and whole corpus, one IR evaluator a dim.

    Questions are encoded with ``encode_query`` and chunks with ``encode_document``, so the
    model's own prompts (set by :func:`embedforge.training.prompts.apply_prompts`) apply.
    """
    shared = _SharedEmbeddings()
    evaluators = [
        _DimEvaluator(
            shared,
            queries=data.dev_queries, corpus=data.corpus, relevant_docs=data.dev_qrels,
            name=f"dim_{dim}", truncate_dim=dim, batch_size=EVAL_BATCH_SIZE,
            # One corpus chunk, so the shared full-size embeddings cover the whole corpus.
            corpus_chunk_size=max(len(data.corpus), 1),
            show_progress_bar=False, write_csv=False,
        )
        for dim in dims
    ]
    return MatryoshkaEvaluator(evaluators, shared)
