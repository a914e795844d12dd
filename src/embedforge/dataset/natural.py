"""Natural dev questions: the questions that choose, in the words people really use.

Generated dev questions copy their chunk's words (BENCHMARKS.md §8), so whatever is chosen on
them (the epoch, the interpolation weight, the fusion weight) rewards word matching. Two
sources of questions worded as people ask, in order of preference:

1. ``natural_dev.jsonl`` in the dataset folder: the user's own example questions
   (``--examples``) that name their answer, resolved to the chunks that answer them when the
   dataset was built;
2. the low-overlap part of the dev split: generated dev questions sharing at most
   :data:`LOW_OVERLAP` of their content words with their chunk, when there are at least
   :data:`MIN_LOW_OVERLAP` of them.

:func:`choosing_questions` picks between them and the whole dev split by a stated ``rule`` and
says which it took; training and ``compare`` call it, so both choose on the same questions. It
never reads the eval split or a hand-written file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from embedforge.corpus.record import Chunk
from embedforge.dataset.layout import NATURAL_DEV_FILE, RetrievalDataset
from embedforge.dataset.overlap import content_overlap
from embedforge.errors import EmbedforgeError
from embedforge.files import iter_jsonl, write_jsonl
from embedforge.fingerprint import text_hash
from embedforge.generators.examples import UserExample, answering_chunks, load_examples, shown_questions

log = logging.getLogger(__name__)

LOW_OVERLAP = 0.5
MIN_LOW_OVERLAP = 10
RULES = ("natural", "dev")
NATURAL_LABEL = "natural (the user's examples)"
LOW_OVERLAP_LABEL = f"dev (generated, at most {LOW_OVERLAP:.0%} of their words in their chunk)"
DEV_LABEL = "dev (generated)"


@dataclass(frozen=True)
class ChoosingQuestions:
    """The questions that choose, and which set they are.

    Attributes:
        queries: query id -> question.
        qrels: query id -> relevant chunk ids.
        source: ``natural_dev`` (the user's examples), ``dev_low_overlap`` or ``dev``.
        label: the set's short name for reports and cards, as in "chosen on the 31 {label} questions":
            ``natural (the user's examples)``, ``dev (generated, low-overlap part)`` or ``dev (generated)``.
    """

    queries: dict[str, str]
    qrels: dict[str, set[str]]
    source: str
    label: str


def write_natural_dev(out_dir: str | os.PathLike[str], rows: Sequence[tuple[str, frozenset[str]]]) -> int:
    """Write ``natural_dev.jsonl`` (question, sorted chunk ids) when ``rows`` holds any; returns how many."""
    if rows:
        write_jsonl(Path(out_dir) / NATURAL_DEV_FILE,
                    ({"question": q, "chunk_ids": sorted(ids)} for q, ids in rows))
    return len(rows)


def read_natural_dev(dataset_dir: str | os.PathLike[str], corpus: Mapping[str, object]
                     ) -> dict[str, tuple[str, set[str]]]:
    """The folder's natural dev questions by id (``nat-<hash>``): (question, relevant chunk ids).

    Raises:
        EmbedforgeError: a line without a question or naming a chunk the corpus lacks.
    """
    path = Path(dataset_dir) / NATURAL_DEV_FILE
    if not path.is_file():
        return {}
    rows: dict[str, tuple[str, set[str]]] = {}
    for number, row in enumerate(iter_jsonl(path), start=1):
        question, ids = str(row.get("question") or "").strip(), {str(c) for c in row.get("chunk_ids") or []}
        if not question or not ids or not ids <= corpus.keys():
            raise EmbedforgeError(f"{path}:{number}: needs a question and chunk ids of the corpus; rebuild the "
                                  "dataset with --examples")
        rows[f"nat-{text_hash(question)}"] = (question, ids)
    return rows


def choosing_questions(dataset: RetrievalDataset, dataset_dir: str | os.PathLike[str],
                       rule: str = "natural") -> ChoosingQuestions | None:
    """The questions that choose the epoch, the interpolation weight and the fusion weight.

    Args:
        dataset: the loaded dataset folder.
        dataset_dir: its path (for ``natural_dev.jsonl``).
        rule: ``natural`` (the user's examples, else the low-overlap part of dev, else dev) or ``dev``.

    Returns:
        The questions, or None when there is nothing to choose on (no dev split and no examples).
    """
    if rule not in RULES:
        raise EmbedforgeError(f"choose_on {rule!r}: unknown rule; use one of {', '.join(RULES)}")
    natural = read_natural_dev(dataset_dir, dataset.corpus) if rule == "natural" else {}
    if natural:
        return ChoosingQuestions({k: q for k, (q, _) in natural.items()}, {k: ids for k, (_, ids) in natural.items()},
                                 "natural_dev", NATURAL_LABEL)
    dev = {qid: rel for qid, rel in dataset.qrels.get("dev", {}).items() if rel}
    if not dev:
        return None
    texts = {qid: str(dataset.queries[qid]["text"]) for qid in dev}
    if rule == "natural":
        low = {qid: rel for qid, rel in dev.items()
               if (share := content_overlap(texts[qid], str(dataset.corpus[sorted(rel)[0]]["text"]))) is not None
               and share <= LOW_OVERLAP}
        if len(low) >= MIN_LOW_OVERLAP:
            return ChoosingQuestions({q: texts[q] for q in low}, low, "dev_low_overlap", LOW_OVERLAP_LABEL)
    return ChoosingQuestions(texts, dev, "dev", DEV_LABEL)


def natural_rows(examples: Sequence[UserExample], chunks: Sequence[Chunk]) -> list[tuple[str, frozenset[str]]]:
    """(question, answering chunk ids) of each user example that resolves to chunks of ``chunks``."""
    rows = []
    for example in examples:
        ids = answering_chunks(example, chunks)
        if ids:
            rows.append((example.question, ids))
    log.info("natural dev questions: %d of %d examples name a chunk of the corpus", len(rows), len(examples))
    return rows


def natural_dev_rows(path: str | None, examples: str | None, chunks: Sequence[Chunk]
                     ) -> list[tuple[str, frozenset[str]]]:
    """The natural dev rows: ``[dataset] natural_dev``'s questions, else the ``--examples`` the prompt does not
    show (a shown one may be copied into training for its own chunk, so it never chooses)."""
    if path:
        return natural_rows(load_examples(path, "natural_dev"), chunks)
    loaded = load_examples(examples or "")
    shown = shown_questions(loaded, chunks)
    return natural_rows([e for e in loaded if e.question not in shown], chunks)
