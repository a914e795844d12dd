"""Which questions choose what is chosen from data at evaluation time: the BM25 fusion weight.

One function, so that every chooser (``compare``'s hybrid rows, ``embedforge search
--hybrid auto``, :class:`~embedforge.evaluation.retriever.Retriever`) uses the same set,
and the report and the model card quote its label. Today that set is the dev split of
generated questions. The eval split and hand-written sets are never returned: they are
what a comparison scores, so they choose nothing.
"""

from __future__ import annotations

import os

from embedforge.dataset.layout import RetrievalDataset
from embedforge.evaluation.queries import EvalQueries, split_queries

DEV_GENERATED = "dev (generated)"


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
    # natural dev questions (a user's --examples), when the dataset has them, will be preferred here
    if any(dataset.qrels.get("dev", {}).values()):
        return split_queries(dataset, "dev", where), DEV_GENERATED
    return None
