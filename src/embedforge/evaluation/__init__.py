"""evaluation stage: compare embedders (and BM25) per Matryoshka dim, with bootstrap intervals.

``compare(dataset_dir, {name: spec}, out_dir, CompareSettings(...))`` is the one entry point;
``evaluate_queries`` scores any question set from embeddings already encoded.

Importing the package stays light: the settings and question loaders load at once, the
torch-backed scoring (``compare``, ``evaluate_queries``, the result types) on first use,
so ``embedforge.pipeline.config`` and an up-to-date ``embedforge run`` never import torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from embedforge.evaluation.queries import EvalQueries, load_handwritten, split_queries
from embedforge.evaluation.settings import METRIC_NAMES, CompareSettings, parse_model_specs
from embedforge.lazy import lazy_getattr

if TYPE_CHECKING:
    from embedforge.evaluation.comparison import compare
    from embedforge.evaluation.result import CompareResult, ModelInfo
    from embedforge.evaluation.section import SectionResult, evaluate_queries

_LAZY = {
    "compare": "embedforge.evaluation.comparison",
    "CompareResult": "embedforge.evaluation.result",
    "ModelInfo": "embedforge.evaluation.result",
    "SectionResult": "embedforge.evaluation.section",
    "evaluate_queries": "embedforge.evaluation.section",
}


__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = [
    "METRIC_NAMES",
    "CompareResult",
    "CompareSettings",
    "EvalQueries",
    "ModelInfo",
    "SectionResult",
    "compare",
    "evaluate_queries",
    "load_handwritten",
    "parse_model_specs",
    "split_queries",
]
