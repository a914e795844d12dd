"""Per-question results: where each model ranked the answer, and which questions moved most.

A mean hides which questions a fine-tune fixed and which it broke. ``per_query.csv``
is long-format (one row per question, model and dim: easy to pivot) with the rank of
the best relevant chunk among all chunks (not capped at 10); :func:`movers` picks the
questions whose reciprocal rank rose or fell most against the baseline, so a jump
from rank 2 to 1 outweighs one from 60 to 40.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass

import numpy as np

from embedforge.evaluation.section import SectionResult
from embedforge.evaluation.settings import MRR_AT, NDCG_AT
from embedforge.files import atomic_write_text

COLUMNS = (
    "section",
    "query_id",
    "question",
    "relevant_ids",
    "model",
    "dim",
    "rank",
    "rank_baseline",
    f"ndcg@{NDCG_AT}",
    f"mrr@{MRR_AT}",
)


@dataclass(frozen=True)
class Mover:
    """One question whose rank changed between the baseline and a model."""

    query_id: str
    question: str
    baseline_rank: int
    model_rank: int

    @property
    def gain(self) -> float:
        """Change in reciprocal rank (positive: the model ranks the answer higher)."""
        return 1.0 / self.model_rank - 1.0 / self.baseline_rank


def best_ranks(section: SectionResult, model: str, dim: int) -> np.ndarray:
    """Rank of each question's best-ranked relevant chunk (1 = top)."""
    return section.ranks[model][dim][:, 0].astype(np.int64)


def rows(section: SectionResult) -> list[dict[str, object]]:
    """The per-query rows of one section, in question order, then model, then dim (largest first)."""
    baseline = section.models[0]
    out: list[dict[str, object]] = []
    for q, qid in enumerate(section.queries.ids):
        for model in section.models:
            for dim in section.dims(model):
                base = section.ranks[baseline].get(dim)
                values = section.per_query[model][dim]
                out.append(
                    {
                        "section": section.name,
                        "query_id": qid,
                        "question": section.queries.texts[q],
                        "relevant_ids": ";".join(sorted(section.queries.relevant[q])),
                        "model": model,
                        "dim": dim,
                        "rank": int(section.ranks[model][dim][q, 0]),
                        "rank_baseline": "" if base is None else int(base[q, 0]),
                        f"ndcg@{NDCG_AT}": round(float(values[f"ndcg@{NDCG_AT}"][q]), 6),
                        f"mrr@{MRR_AT}": round(float(values[f"mrr@{MRR_AT}"][q]), 6),
                    }
                )
    return out


def write_per_query(path: str | os.PathLike[str], sections: list[SectionResult]) -> int:
    """Write ``per_query.csv`` for all sections atomically; return the number of rows."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for section in sections:
        for row in rows(section):
            writer.writerow(row)
            count += 1
    atomic_write_text(path, buffer.getvalue())
    return count


def movers(section: SectionResult, model: str, dim: int, top: int = 5) -> tuple[list[Mover], list[Mover]]:
    """The ``top`` questions that improved and regressed most for ``model`` vs the baseline at ``dim``.

    Returns:
        (improved, regressed), each sorted by the size of the change; unmoved questions left out.
    """
    baseline = section.models[0]
    base, mine = best_ranks(section, baseline, dim), best_ranks(section, model, dim)
    found = [
        Mover(section.queries.ids[q], section.queries.texts[q], int(base[q]), int(mine[q]))
        for q in range(len(section.queries))
        if base[q] != mine[q]
    ]
    improved = sorted((m for m in found if m.gain > 0), key=lambda m: (-m.gain, m.query_id))[:top]
    regressed = sorted((m for m in found if m.gain < 0), key=lambda m: (m.gain, m.query_id))[:top]
    return improved, regressed
