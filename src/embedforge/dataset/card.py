"""The dataset card, ``README.md``: what is in the folder and how to load it.

Written for a person deciding whether to trust the data: where the passages come
from, how many there are, which prompt and model wrote the questions, what was
filtered and why, how it was split. Only content-derived facts go in (no times,
no cache counters, not even the folder's name), so two identical runs write the same card.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from embedforge.dataset.card_meta import front_matter
from embedforge.dataset.layout import RetrievalDataset
from embedforge.dataset.summary import DatasetSummary

_LOADING = """\
## Loading

With 🤗 datasets, from this folder (or its Hub repo) as is: configs `corpus`, `queries`,
`qrels` (splits `train`, `dev`, `test`; `test` is the eval split) and `train` (the pairs):

```python
from datasets import load_dataset
corpus = load_dataset("path/to/this/folder", "corpus")["corpus"]
qrels = load_dataset("path/to/this/folder", "qrels")["test"]
train = load_dataset("path/to/this/folder", "train")["train"]  # columns anchor, positive
```

It is a BEIR folder (`corpus.jsonl`, `queries.jsonl`, `qrels/{train,dev,test}.tsv`):
`beir.datasets.data_loader.GenericDataLoader("path/to/this/folder").load(split="test")` and an MTEB
retrieval task read it too. The corpus `title` is empty on purpose (the document's title is in
`document_title`): BEIR and MTEB embed `title + text`, the model was trained and scored on the text,
so every tool scores the same.

Evaluate with sentence-transformers over the whole corpus:

```python
from sentence_transformers.evaluation import InformationRetrievalEvaluator
queries = {q["_id"]: q["text"] for q in load_dataset("path/to/this/folder", "queries")["queries"]}
relevant = {}
for row in qrels:
    relevant.setdefault(row["query-id"], set()).add(row["corpus-id"])
evaluator = InformationRetrievalEvaluator({q: queries[q] for q in relevant},
                                          {c["_id"]: c["text"] for c in corpus}, relevant, name="test")
```
"""


def _table(rows: list[tuple[str, Any]], header: tuple[str, str]) -> list[str]:
    lines = [f"| {header[0]} | {header[1]} |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in rows]
    return lines


def _roundtrip_line(settings: dict[str, Any]) -> str:
    k = settings.get("roundtrip_k", 0)
    if not k:
        return "off."
    return (
        f"a question is kept only if its own chunk ranks in the top {k} of all chunks with "
        f"`{settings.get('roundtrip_model')}`. The filter uses the base model, so eval questions are ones "
        "the base model can already place near their chunk: gains measured on them are conservative."
    )


def _provenance(dataset: RetrievalDataset, field: str) -> str:
    values = Counter(str(row.get(field)) for row in dataset.queries.values() if row.get(field))
    return ", ".join(f"`{v}` ({n})" for v, n in sorted(values.items())) or "n/a"


def _sizes(summary: DatasetSummary) -> list[tuple[str, Any]]:
    return [
        ("chunks (corpus)", summary.chunks),
        ("chunks with a kept question", summary.chunks_with_questions),
        ("questions kept", summary.questions),
        ("failed generations", summary.failed),
        *[(f"filtered: {reason}", n) for reason, n in sorted(summary.filtered.items())],
    ]


def _split_section(summary: DatasetSummary, settings: dict[str, Any]) -> list[str]:
    return [
        "## Split",
        "",
        f"By chunk, seeded (eval fraction {settings.get('eval_fraction', 'n/a')}, "
        f"dev fraction {settings.get('dev_fraction', 'n/a')}, seed {settings.get('seed', 'n/a')}): "
        "all questions of a chunk are in one split. dev chooses the epoch and the interpolation weight; "
        "eval is scored by `compare` and chooses nothing. Retrieval searches the whole corpus.",
        "",
        *_table(
            [
                ("train", f"{summary.train_queries} queries over {summary.train_chunks} chunks"),
                ("dev", f"{summary.dev_queries} queries over {summary.dev_chunks} chunks"),
                ("eval (`test`)", f"{summary.eval_queries} queries over {summary.eval_chunks} chunks"),
            ],
            ("split", "size"),
        ),
    ]


def _bias_section(summary: DatasetSummary) -> list[str]:
    """How much the questions copy their chunks' words, and what that does to BM25 on dev."""
    overlap = summary.bias.get("overlap", {})
    rows = [(split, f"{p['mean']:.2f} (quartiles {p['q1']:.2f}-{p['q3']:.2f}; {p['questions']} questions)")
            for split, p in sorted(overlap.items()) if p.get("questions")]
    if not rows:
        return []
    lines = ["## Word overlap", "",
             "The share of a question's content words (BM25's tokens, stop words removed) that occur in its "
             "chunk. Questions people write themselves share about a quarter; questions that copy their chunk "
             "reward word matching in training and in every choice made on dev.", "",
             *_table(rows, ("split", "mean overlap")), ""]
    dev = summary.bias.get("dev_retrieval", {})
    if dev:
        dense = dev.get("dense_ndcg@10")
        lines += [f"On dev ({dev['questions']} questions), ndcg@10: BM25 {dev['bm25_ndcg@10']:.3f}"
                  + (f", the base embedder {dense:.3f}." if dense is not None else "."), ""]
    return lines


def render_card(
    dataset: RetrievalDataset, summary: DatasetSummary, *, kind: str, settings: dict[str, Any]
) -> str:
    """Markdown text of the card.

    Args:
        dataset: the dataset written.
        summary: its counts.
        kind: ``build``, ``regenerate`` or ``import``.
        settings: split/filter settings to show (``eval_fraction``, ``seed``, ``roundtrip_k``,
            ``roundtrip_model``) and the card's ``license`` and ``language``.
    """
    per_source = Counter(str(row.get("source") or "unknown") for row in dataset.corpus.values())
    lines = [
        front_matter(dataset, settings),
        "# Dataset card",
        "",
        "Question/passage pairs for fine-tuning and evaluating a retriever, "
        f"made by `embedforge dataset {kind}`.",
        "",
        "## Sources",
        "",
        *_table(sorted(per_source.items()), ("source", "chunks")),
        "",
        "## Sizes",
        "",
        *_table(_sizes(summary), ("what", "count")),
        "",
        "## Generation",
        "",
        f"- LLM: {_provenance(dataset, 'llm')}",
        f"- prompt: {_provenance(dataset, 'prompt_name')}; hash {_provenance(dataset, 'prompt_hash')}",
        f"- round-trip filter: {_roundtrip_line(settings)}",
        "",
        *_split_section(summary, settings),
        "",
        *_bias_section(summary),
        _LOADING,
    ]
    return "\n".join(lines)
