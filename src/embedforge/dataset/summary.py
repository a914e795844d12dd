"""What a dataset command did, for the CLI's closing lines and the manifest's counts."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from embedforge.counts import Counts
from embedforge.dataset.manifest import MANIFEST_FILE
from embedforge.errors import EmbedforgeError

if TYPE_CHECKING:
    from datasets import Dataset


_NOT_COUNTED = ("out_dir", "counts", "bias")  # the fields a manifest's counts do not hold


@dataclass
class DatasetSummary:
    """What one ``dataset build`` / ``regenerate`` / ``import`` wrote.

    Attributes:
        out_dir: the folder written.
        chunks: chunks in the corpus (retrieval is over all of them).
        chunks_with_questions: chunks with at least one kept question.
        questions: kept questions (distinct queries written).
        counts: the run's :class:`~embedforge.counts.Counts` (LLM calls, cache hits, tokens, and the
            question slots kept, filtered and failed by reason, the round-trip filter's drops included).
        train_queries, dev_queries, eval_queries, train_chunks, dev_chunks, eval_chunks: split sizes.
        bias: how much the questions reward word matching (``dataset/bias.py``): their overlap with
            their chunk per split, and BM25 against the base embedder on dev; empty when not measured.
        natural_dev: the user's example questions kept as natural dev questions (``natural_dev.jsonl``).

    The data itself is read from ``out_dir`` on demand: :attr:`corpus`, :attr:`queries` and
    :attr:`train` as 🤗 ``Dataset`` objects, :attr:`paths` for the files.
    """

    out_dir: Path
    chunks: int
    chunks_with_questions: int
    questions: int
    counts: Counts = field(default_factory=Counts)
    train_queries: int = 0
    eval_queries: int = 0
    train_chunks: int = 0
    eval_chunks: int = 0
    dev_queries: int = 0
    dev_chunks: int = 0
    bias: dict[str, Any] = field(default_factory=dict)
    natural_dev: int = 0

    @classmethod
    def recorded(cls, out_dir: str | os.PathLike[str]) -> DatasetSummary:
        """The summary a finished folder's manifest records (a build an earlier process made).

        Raises:
            EmbedforgeError: no manifest, or one that does not hold a dataset build's counts.
        """
        path = Path(out_dir) / MANIFEST_FILE
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            row = manifest["counts"]
            sizes = {f.name: row[f.name] for f in fields(cls) if f.name in row and f.name not in _NOT_COUNTED}
            return cls(out_dir=Path(out_dir), counts=_recorded_counts(row), bias=manifest.get("lexical_bias") or {},
                       **sizes)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise EmbedforgeError(f"{path}: not a readable dataset manifest ({exc}); build the dataset again "
                                  "(in a run: --force dataset)") from exc

    @property
    def filtered(self) -> dict[str, int]:
        """Dropped questions by reason (generator filters plus ``roundtrip``)."""
        return self.counts.filtered

    @property
    def failed(self) -> int:
        """Question slots whose LLM call failed after retries."""
        return self.counts.n_failed

    @property
    def llm_calls(self) -> int:
        return self.counts.llm_calls

    @property
    def cached(self) -> int:
        return self.counts.cached

    def to_counts(self) -> dict[str, Any]:
        """The manifest's ``counts``: the run's counts plus the folder's sizes (no folder)."""
        row = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _NOT_COUNTED}
        return {**row, **self.counts.to_dict()}

    @property
    def paths(self) -> dict[str, Path]:
        """The folder's files by role: corpus, queries, qrels per split (``eval`` is ``qrels/test.tsv``), train."""
        from embedforge.dataset.layout import CARD_FILE, CORPUS_FILE, QUERIES_FILE, SPLITS, TRAIN_PAIRS_FILE, qrels_path

        out = Path(self.out_dir)
        return {"folder": out, "corpus": out / CORPUS_FILE, "queries": out / QUERIES_FILE,
                **{f"qrels_{split}": qrels_path(out, split) for split in SPLITS},
                "train": out / TRAIN_PAIRS_FILE, "card": out / CARD_FILE}

    @property
    def corpus(self) -> Dataset:
        """Every chunk as a 🤗 ``Dataset`` (``_id``, ``title``, ``text``, provenance), read from the folder."""
        return self._table("corpus")

    @property
    def queries(self) -> Dataset:
        """Every question as a 🤗 ``Dataset`` (``_id``, ``text``, ``chunk_id``, provenance)."""
        return self._table("queries")

    @property
    def train(self) -> Dataset:
        """The train pairs as a 🤗 ``Dataset`` (``anchor``, ``positive``), ready for the trainer."""
        return self._table("train")

    def _table(self, name: str) -> Dataset:
        from datasets import Dataset

        from embedforge.dataset.layout import load_dataset_dir

        data = load_dataset_dir(self.out_dir)
        if name == "train":
            pairs = data.pairs("train")
            return Dataset.from_dict({"anchor": [a for a, _ in pairs], "positive": [b for _, b in pairs]})
        rows = data.corpus if name == "corpus" else data.queries
        return Dataset.from_list([{"_id": key, **row} for key, row in rows.items()])


    def format(self) -> str:
        """A few human lines for the end of a CLI command."""
        filtered = ", ".join(f"{reason} {n}" for reason, n in sorted(self.filtered.items())) or "none"
        share = self.chunks_with_questions / self.chunks if self.chunks else 0.0
        return "\n".join(
            [
                f"dataset: {self.out_dir}",
                f"  chunks {self.chunks}, with a kept question {self.chunks_with_questions} ({share:.0%})",
                f"  questions kept {self.questions}; filtered: {filtered}; failed {self.failed}",
                f"  llm calls {self.llm_calls}, cached {self.cached}",
                f"  train: {self.train_queries} queries over {self.train_chunks} chunks; "
                f"dev: {self.dev_queries} over {self.dev_chunks}; "
                f"eval: {self.eval_queries} queries over {self.eval_chunks} chunks "
                f"(searched against all {self.chunks})",
                *self._bias_lines(),
            ]
        )

    def _bias_lines(self) -> list[str]:
        """The overlap and dev-retrieval lines, when measured."""
        profile = self.bias.get("overlap", {}).get("all", {})
        lines = []
        if profile.get("questions"):
            lines.append(f"  overlap with their chunk (share of a question's content words): mean "
                         f"{profile['mean']:.2f}, quartiles {profile['q1']:.2f}-{profile['q3']:.2f} "
                         "(people's own questions: about 0.2; BENCHMARKS.md §8)")
        dev = self.bias.get("dev_retrieval", {})
        if "dense_ndcg@10" in dev:
            lines.append(f"  dev ndcg@10: BM25 {dev['bm25_ndcg@10']:.3f}, base embedder {dev['dense_ndcg@10']:.3f}"
                         + ("  (BM25 ahead: the questions reward word matching)"
                            if dev["bm25_ndcg@10"] > dev["dense_ndcg@10"] else ""))
        return lines


def _recorded_counts(row: dict[str, Any]) -> Counts:
    """The :class:`Counts` in a manifest's ``counts`` (beside the folder's sizes)."""
    values: dict[str, Any] = {f.name: row[f.name] for f in fields(Counts) if f.name in row}
    for name in ("filtered", "failed", "uncached"):  # by reason; a total (older builds) kept as one reason
        value = values.get(name) or {}
        values[name] = value if isinstance(value, dict) else {"unknown": int(value)}
    return Counts(**values)
