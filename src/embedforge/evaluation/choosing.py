"""Which questions choose what is chosen from data at evaluation time: the BM25 fusion weight.

One function, so that every chooser (``compare``'s hybrid rows, ``embedforge search
--hybrid auto``, :class:`~embedforge.evaluation.retriever.Retriever`) uses the same set,
and the report and the model card quote its label. The set is the one training chose the epoch
and the interpolation weight on (``dataset.natural.choosing_questions``): the user's own example
questions (``--examples``), else the dev questions that copy at most half their chunk's words,
else the whole dev split. The eval split and hand-written sets are never returned: they are
what a comparison scores, so they choose nothing.
"""

from __future__ import annotations

import os

from embedforge.dataset.layout import RetrievalDataset
from embedforge.dataset.natural import DEV_LABEL, choosing_questions
from embedforge.evaluation.queries import EvalQueries

DEV_GENERATED = DEV_LABEL


def choosing_queries(
    dataset: RetrievalDataset, where: str | os.PathLike[str] = "dataset"
) -> tuple[EvalQueries, str] | None:
    """The questions that choose the fusion weight, and the label of their set; None when there are none.

    Args:
        dataset: the loaded dataset folder.
        where: the folder, named in errors.

    Returns:
        ``(queries, label)``, e.g. the dev split and ``"dev (generated)"``; None when the dataset has
        no dev question with a relevant chunk (then nothing is chosen and the caller says so).
    """
    chosen = choosing_questions(dataset, where)
    if chosen is None:
        return None
    ids = tuple(chosen.queries)
    return EvalQueries(ids=ids, texts=tuple(chosen.queries[q] for q in ids),
                       relevant=tuple(frozenset(chosen.qrels[q]) for q in ids)), chosen.label
