"""The training loss: MatryoshkaLoss over MultipleNegativesRankingLoss.

MNRL treats every other chunk in the batch as a negative for a question (and any
mined hard negatives as extra ones); MatryoshkaLoss applies it at each dim so the
first ``d`` values of an embedding work on their own. ``cached-mnrl`` is the GradCache
variant: the same loss, computed in mini-batches, so large batches fit in small memory.

Negatives are not gathered across DDP processes: the no-duplicates sampler only
guarantees a chunk is not twice in one process's batch, and gathering would bring
back the reference's defect (a pair's own chunk among its negatives).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from torch import nn


def build_loss(
    model: SentenceTransformer, loss: str, dims: tuple[int, ...], mini_batch_size: int = 16
) -> nn.Module:
    """``MatryoshkaLoss(model, inner, dims)``, ``inner`` MNRL (``"mnrl"``) or CachedMNRL (``"cached-mnrl"``).

    Raises:
        ValueError: an unknown loss name (settings reject it earlier with a one-line error).
    """
    from sentence_transformers.sentence_transformer.losses import (
        CachedMultipleNegativesRankingLoss,
        MatryoshkaLoss,
        MultipleNegativesRankingLoss,
    )

    inner: nn.Module
    if loss == "mnrl":
        inner = MultipleNegativesRankingLoss(model)
    elif loss == "cached-mnrl":
        inner = CachedMultipleNegativesRankingLoss(model, mini_batch_size=mini_batch_size)
    else:
        raise ValueError(f"unknown loss {loss!r}")
    return MatryoshkaLoss(model, inner, matryoshka_dims=list(dims))
