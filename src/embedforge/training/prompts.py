"""Query and document prompts, the same in training, evaluation and the saved model.

Some models expect an instruction before a question (snowflake-arctic-embed:
"Represent this sentence for searching relevant passages: "). Training without it
and evaluating with it — or the reverse — measures a different model than the one
trained. So the prompt is set once on the model (``model.prompts["query"]``, saved
with it, used by ``encode_query``) and handed to the Trainer for the question column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DOCUMENT_PROMPT_NAMES = ("document", "passage", "corpus")


def apply_prompts(
    model: SentenceTransformer, override: str | None, columns: list[str]
) -> tuple[str, dict[str, str]]:
    """Set the query prompt on ``model`` and return it with the Trainer's column -> prompt map.

    Args:
        model: the base model; its ``prompts["query"]`` is replaced when ``override`` is given.
        override: ``--query-prompt``; None keeps the model's own (or none).
        columns: the train dataset's columns: anchor first, then positive and negatives.

    Returns:
        (query prompt, "" for none; the ``prompts`` argument for the training arguments).
    """
    if override is not None:
        model.prompts["query"] = override
    query = model.prompts.get("query") or ""
    document = next((model.prompts[n] for n in DOCUMENT_PROMPT_NAMES if model.prompts.get(n)), "")
    mapping: dict[str, str] = {}
    if query:
        mapping[columns[0]] = query
    if document:
        mapping.update({column: document for column in columns[1:]})
    return query, mapping
