"""evaluation stage: compare embedders (and BM25) per Matryoshka dim, with bootstrap intervals.

``compare(dataset_dir, {name: spec}, out_dir, CompareSettings(...))`` is the one entry point;
``evaluate_queries`` scores any question set from embeddings already encoded.
"""

from embedforge.evaluation.compare import compare
from embedforge.evaluation.queries import EvalQueries, load_handwritten, split_queries
from embedforge.evaluation.result import CompareResult, ModelInfo
from embedforge.evaluation.section import SectionResult, evaluate_queries
from embedforge.evaluation.settings import METRIC_NAMES, CompareSettings, parse_model_specs

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
