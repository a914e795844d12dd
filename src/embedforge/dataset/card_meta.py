"""The dataset card's YAML front matter: what the Hub and ``datasets.load_dataset(DIR, name)`` read.

``configs:`` follows the MTEB/BEIR layout on the Hub: ``corpus`` (split ``corpus``),
``queries`` (split ``queries``), ``qrels`` (the default config; splits ``train``,
``dev``, ``test``) plus ``train`` (the pairs). 🤗 datasets picks one builder for every config of
a folder (from the first config's files), so every config names a JSON Lines file: the qrels
``qrels/*.jsonl`` (BEIR reads the ``.tsv`` beside them) and the pairs ``train.jsonl``.
Only non-empty splits are listed, so ``load_dataset`` never meets an empty file. ``dataset_info``
declares every column's type (ids and ``created_at`` stay strings: inferred, a hex id can turn
into a number and a time into a timestamp, which MTEB's batching cannot carry).
``license`` and ``language`` come from the dataset settings: the license of the
documents is the user's to state, so it stays ``unknown`` until they set it.
"""

from __future__ import annotations

from typing import Any

from embedforge.dataset.layout import QRELS_STEMS, SPLITS, RetrievalDataset

LICENSE_NOTE = (
    "# license: the license of your documents is yours to state; `unknown` until you set\n"
    "# `license` in the [dataset] settings (or here), e.g. cc-by-4.0, or `other`.\n"
)


def _size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                        (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "n>1M"


def _languages(raw: Any) -> list[str]:
    parts = raw if isinstance(raw, (list, tuple)) else str(raw or "").split(",")
    return [p.strip() for p in parts if str(p).strip()]


def _features(rows: list[dict[str, Any]], first: tuple[str, ...]) -> list[dict[str, str]]:
    """Column name -> dtype: ``int64`` where every value given is an integer, else ``string``."""
    names = list(first) + sorted({k for row in rows for k in row} - set(first))
    out = []
    for name in names:
        values = [row[name] for row in rows if row.get(name) is not None]
        whole = bool(values) and all(isinstance(v, int) and not isinstance(v, bool) for v in values)
        out.append({"name": name, "dtype": "int64" if whole else "string"})
    return out


def _dataset_info(dataset: RetrievalDataset) -> list[dict[str, Any]]:
    pair = [{"name": n, "dtype": "string"} for n in ("anchor", "positive")]
    qrel = [{"name": "query-id", "dtype": "string"}, {"name": "corpus-id", "dtype": "string"},
            {"name": "score", "dtype": "int64"}]
    return [
        {"config_name": "corpus", "features": _features(list(dataset.corpus.values()), ("_id", "title", "text"))},
        {"config_name": "queries", "features": _features(list(dataset.queries.values()), ("_id", "text"))},
        {"config_name": "qrels", "features": qrel},
        {"config_name": "train", "features": pair},
    ]


def card_metadata(dataset: RetrievalDataset, settings: dict[str, Any]) -> dict[str, Any]:
    """The front matter as a dict (``license``, ``language``, task fields, ``configs``)."""
    splits = [{"split": QRELS_STEMS[s], "path": f"qrels/{QRELS_STEMS[s]}.jsonl"}
              for s in SPLITS if dataset.qrels.get(s)]
    configs: list[dict[str, Any]] = [
        {"config_name": "corpus", "data_files": [{"split": "corpus", "path": "corpus.jsonl"}]},
        {"config_name": "queries", "data_files": [{"split": "queries", "path": "queries.jsonl"}]},
    ]
    if splits:
        configs.append({"config_name": "qrels", "default": True, "data_files": splits})
    if dataset.qrels.get("train"):
        configs.append({"config_name": "train", "data_files": [{"split": "train", "path": "train.jsonl"}]})
    meta: dict[str, Any] = {"license": str(settings.get("license") or "unknown")}
    languages = _languages(settings.get("language", "en"))
    if languages:
        meta["language"] = languages
    meta |= {
        "task_categories": ["text-retrieval"],
        "task_ids": ["document-retrieval"],
        "size_categories": [_size_category(len(dataset.corpus))],
        "tags": ["embedforge", "beir", "mteb", "synthetic-questions"],
        "dataset_info": [i for i in _dataset_info(dataset) if i["config_name"] in {c["config_name"] for c in configs}],
        "configs": configs,
    }
    return meta


def front_matter(dataset: RetrievalDataset, settings: dict[str, Any]) -> str:
    """``---`` YAML ``---`` text to open ``README.md`` with (same input, same bytes)."""
    import yaml

    body = yaml.safe_dump(card_metadata(dataset, settings), sort_keys=False, allow_unicode=True)
    return "---\n" + LICENSE_NOTE + body + "---\n"
