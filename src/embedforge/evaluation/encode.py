"""Encode the corpus and the questions once per model; derive every smaller dim from that.

Matryoshka dims are prefixes of the full embedding, so re-encoding per dim (what a
``SequentialEvaluator`` of ``InformationRetrievalEvaluator(truncate_dim=d)`` does)
wastes all but one pass. Here each model encodes once at its full dim, exactly as
the evaluator would (``encode_query`` with the model's ``query`` prompt,
``encode_document`` with its document prompt), and :func:`truncate` cuts and, for
cosine models, re-normalises.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from embedforge.embedder import load_embedder
from embedforge.errors import EmbedforgeError
from embedforge.evaluation.encode_pool import DEFAULT_POOL_MIN_CHUNKS, encode_pool, pool_devices, single_device

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

ScoreFn = Callable[["torch.Tensor", "torch.Tensor"], "torch.Tensor"]


@dataclass
class EncodedModel:
    """One model's full-dim embeddings of the corpus and of every question.

    Attributes:
        name, spec: as given to ``compare``.
        corpus: corpus embeddings, one row per chunk in corpus order (float32 tensor).
        queries: question embeddings, one row per question in the order given.
        similarity: the model's similarity function name (``cosine``, ``dot``, ...).
        query_prompt: the prompt put before each question, or None.
        document_prompt: the prompt put before each chunk, or None.
        seconds: wall time of the two encode passes.
    """

    name: str
    spec: str
    corpus: torch.Tensor
    queries: torch.Tensor
    similarity: str
    query_prompt: str | None
    document_prompt: str | None
    seconds: float

    @property
    def full_dim(self) -> int:
        return int(self.corpus.shape[1])


def encode_model(
    name: str,
    spec: str,
    corpus_texts: Sequence[str],
    query_texts: Sequence[str],
    *,
    batch_size: int = 64,
    device: str | None = None,
    trust_remote_code: bool = False,
    query_prompt: str | None = None,
    pool_min_chunks: int = DEFAULT_POOL_MIN_CHUNKS,
) -> EncodedModel:
    """Load ``spec`` and encode corpus and questions once, at the full dim.

    ``device`` may list several devices (``cuda:0,cuda:1``) to encode with a pool of processes;
    a corpus of ``pool_min_chunks`` or more uses every GPU when there are several
    (:mod:`embedforge.evaluation.encode_pool`).

    Raises:
        EmbedforgeError: the model cannot be loaded, or it yields no usable embeddings.
    """
    model = load_embedder(spec, device=single_device(device), trust_remote_code=trust_remote_code)
    started = time.perf_counter()
    common: dict[str, Any] = {"batch_size": batch_size, "convert_to_tensor": True, "show_progress_bar": False}
    try:
        with encode_pool(model, pool_devices(device, len(corpus_texts), pool_min_chunks)) as pool:
            corpus = model.encode_document(list(corpus_texts), pool=pool, **common)
        queries = model.encode_query(list(query_texts), prompt=query_prompt, **common)
    except Exception as exc:  # a model that loads but cannot encode is a broken model folder
        raise EmbedforgeError(
            f"{spec}: the model failed to encode ({type(exc).__name__}: {exc}); "
            "check it is a complete sentence-transformers model"
        ) from exc
    seconds = time.perf_counter() - started
    if corpus.ndim != 2 or queries.ndim != 2 or corpus.shape[1] == 0:
        raise EmbedforgeError(f"{spec}: the model gives no sentence embeddings; use a sentence-transformers model")
    log.info("%s: encoded %d chunks and %d questions at dim %d in %.1fs",
             name, len(corpus_texts), len(query_texts), corpus.shape[1], seconds)
    return EncodedModel(name=name, spec=spec, corpus=corpus.float(), queries=queries.float(),
                        similarity=str(model.similarity_fn_name or "cosine"), seconds=seconds,
                        **_prompts_used(model, query_prompt))


def _prompts_used(model: Any, query_prompt: str | None) -> dict[str, str | None]:
    """The query and document prompts the model encoded with (its own ones unless a query prompt was given)."""
    prompts = model.prompts
    document = next((prompts[k] for k in ("document", "passage", "corpus") if k in prompts), None)
    return {"query_prompt": query_prompt if query_prompt is not None else prompts.get("query") or None,
            "document_prompt": document or None}


def truncate(embeddings: torch.Tensor, dim: int, similarity: str) -> torch.Tensor:
    """The first ``dim`` components; re-normalised to unit length when the model scores by cosine."""
    import torch.nn.functional as F

    cut = embeddings[:, :dim]
    return F.normalize(cut, p=2, dim=-1) if similarity == "cosine" else cut


def score_function(similarity: str) -> ScoreFn:
    """A (queries, corpus) -> scores function for already-truncated embeddings.

    Cosine embeddings are unit length after :func:`truncate`, so a matrix product is the
    cosine (the same arithmetic as sentence-transformers' ``cos_sim``); other similarities
    use sentence-transformers' own function, as its evaluator does.
    """
    import torch

    if similarity == "cosine":
        return lambda q, c: torch.mm(q, c.transpose(0, 1))
    from sentence_transformers.util.similarity import SimilarityFunction

    fn: ScoreFn = SimilarityFunction.to_similarity_fn(similarity)
    return fn
