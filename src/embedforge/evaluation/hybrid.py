"""The fused rows of ``compare``: ``hybrid(bm25+NAME)`` and ``rrf(bm25+NAME)`` for every model and dim.

:class:`Fusion` scores BM25 once for every question a comparison holds (each scored section,
then the choosing questions), and for each dense model, at each dim, chooses the convex
fusion weight on the choosing questions alone (:func:`~embedforge.evaluation.fusion.choose_weight`)
and stores the fused rows in every section, ranked and measured like any other row, so they
get the same metrics and the same paired bootstrap against the first model.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch

from embedforge.evaluation.bm25 import bm25_scores
from embedforge.evaluation.encode import EncodedModel, score_function, truncate
from embedforge.evaluation.fusion import RRF_K, WeightChoice, choose_weight, convex_fusion, rrf_fusion
from embedforge.evaluation.metrics import RelevancePairs
from embedforge.evaluation.model_info import ModelInfo
from embedforge.evaluation.queries import EvalQueries
from embedforge.evaluation.section import SectionResult, evaluate_scores

log = logging.getLogger(__name__)


def hybrid_name(model: str) -> str:
    return f"hybrid(bm25+{model})"


def rrf_name(model: str) -> str:
    return f"rrf(bm25+{model})"


def dense_scores(encoded: EncodedModel, rows: slice, dim: int) -> np.ndarray:
    """(questions x chunks) scores of ``encoded``'s question rows ``rows`` at ``dim``, float64."""
    score = score_function(encoded.similarity)
    with torch.inference_mode():
        corpus = truncate(encoded.corpus, dim, encoded.similarity)
        values = score(truncate(encoded.queries[rows], dim, encoded.similarity), corpus)
    return values.cpu().numpy().astype(np.float64)


@dataclass
class Fusion:
    """BM25 scores of every question, the choosing set, and the weights chosen per fused row and dim.

    Attributes:
        sections: the scored sections, in the order their questions are encoded.
        pairs: each section's relevant pairs.
        bm25: each section's (questions x chunks) BM25 scores.
        choosing: the choosing questions and their label, or None (then no fused rows: see ``note``).
        weights: hybrid row name -> dim -> the weight chosen.
    """

    corpus_ids: list[str]
    sections: list[SectionResult]
    pairs: list[RelevancePairs]
    bm25: list[np.ndarray]
    choosing: tuple[EvalQueries, str] | None
    choosing_bm25: np.ndarray | None = None
    weights: dict[str, dict[int, WeightChoice]] = field(default_factory=dict)
    fused_rows: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, corpus_texts: list[str], corpus_ids: list[str], sections: list[SectionResult],
              pairs: list[RelevancePairs], choosing: tuple[EvalQueries, str] | None) -> Fusion:
        """Score BM25 once over every section's questions and the choosing ones."""
        texts = [t for s in sections for t in s.queries.texts] + list(choosing[0].texts if choosing else ())
        scores = bm25_scores(corpus_texts, texts)
        start, per_section = 0, []
        for section in sections:
            per_section.append(scores[start: start + len(section.queries)])
            start += len(section.queries)
        return cls(corpus_ids, sections, pairs, per_section, choosing, scores[start:] if choosing else None)

    @property
    def extra_texts(self) -> list[str]:
        """The choosing questions, encoded after the sections' questions."""
        return list(self.choosing[0].texts) if self.choosing else []

    @property
    def note(self) -> str:
        """One line on how the fused rows were made, or why there are none."""
        if self.choosing is None:
            return ("No hybrid or RRF rows: the dataset has no dev split to choose the BM25 fusion weight on "
                    "(the eval and hand-written questions never choose); rebuild it with more chunks for one.")
        queries, label = self.choosing
        return (f"`hybrid(bm25+NAME)` = w·dense + (1−w)·BM25 over per-question min-max-normalised scores, "
                f"w chosen per model and dim from 0.0, 0.1, … 1.0 by mean ndcg@10 on the {len(queries)} "
                f"{label} questions (ties go to the larger w); the questions scored here chose nothing. "
                f"`rrf(bm25+NAME)` is untuned reciprocal rank fusion, k = {RRF_K}.")

    def weights_markdown(self) -> str:
        """One line per hybrid row: the weight chosen at each dim."""
        return "\n".join(f"- {name}: " + ", ".join(f"dim {d}: w = {c.weight:.1f}" for d, c in by_dim.items())
                         for name, by_dim in self.weights.items())

    def add_model(self, encoded: EncodedModel, info: ModelInfo) -> list[ModelInfo]:
        """Store ``encoded``'s hybrid and RRF rows at each of its dims; return their ModelInfos ([] if none)."""
        if self.choosing is None or self.choosing_bm25 is None:
            return []
        queries, label = self.choosing
        hybrid, rrf = hybrid_name(info.name), rrf_name(info.name)
        n_scored = sum(len(s.queries) for s in self.sections)
        choosing_pairs = RelevancePairs(self.corpus_ids, queries.relevant)
        for dim in info.dims:
            choice = choose_weight(dense_scores(encoded, slice(n_scored, n_scored + len(queries)), dim),
                                   self.choosing_bm25, choosing_pairs, label)
            self.weights.setdefault(hybrid, {})[dim] = choice
            log.info("%s at dim %d: w = %.1f chosen on %d %s questions", hybrid, dim, choice.weight,
                     len(queries), label)
            start = 0
            for section, pairs, bm25 in zip(self.sections, self.pairs, self.bm25, strict=True):
                dense = dense_scores(encoded, slice(start, start + len(section.queries)), dim)
                start += len(section.queries)
                evaluate_scores(section, hybrid, convex_fusion(dense, bm25, choice.weight), [dim], pairs)
                evaluate_scores(section, rrf, rrf_fusion(dense, bm25), [dim], pairs)
        self.fused_rows += [hybrid, rrf]
        fused = replace(info, spec=f"bm25s + {info.spec}", encode_seconds=0.0, selection=None)
        return [replace(fused, name=hybrid, similarity="convex fusion"),
                replace(fused, name=rrf, similarity=f"rrf k={RRF_K}")]

    def rows_last(self) -> None:
        """Move the fused rows after the models and BM25 in every section (their order in every table)."""
        for section in self.sections:
            for table in (section.per_query, section.ranks):
                moved: dict[str, Any] = {name: table.pop(name) for name in self.fused_rows if name in table}
                table.update(moved)

    def to_json(self) -> dict[str, Any]:
        """The ``fusion`` entry of ``metrics.json``: how the fused rows were made and each weight chosen."""
        return {
            "chosen_by": self.choosing[1] if self.choosing else None,
            "choosing_queries": len(self.choosing[0]) if self.choosing else 0,
            "rrf_k": RRF_K,
            "weights": {name: {str(d): c.to_dict() for d, c in by_dim.items()}
                        for name, by_dim in self.weights.items()},
            "note": self.note,
        }
