"""How one row of a comparison was produced: a model, BM25 or a fused row (its spec, dims, prompts, time).

Kept apart from ``result.py`` so the modules that make rows (``comparison``, ``hybrid``) and the
result that lists them do not import each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ModelInfo:
    """How one row of the comparison was produced.

    Attributes:
        name, spec: as given (BM25's spec is ``bm25s``).
        full_dim: the model's embedding width (0 for BM25).
        dims: the dims it was scored at, largest first.
        similarity: ``cosine``, ``dot``... (``bm25`` for BM25).
        query_prompt, document_prompt: prompts put before questions / chunks, or None.
        encode_seconds: wall time of its single encode pass (or of BM25 indexing and scoring).
        selection: what chose the model's checkpoint and interpolation weight (the model folder's
            ``selection.json`` from ``embedforge train``), or None.
    """

    name: str
    spec: str
    full_dim: int
    dims: tuple[int, ...]
    similarity: str
    query_prompt: str | None = None
    document_prompt: str | None = None
    encode_seconds: float = 0.0
    selection: dict[str, Any] | None = None
