"""Which questions choose: the user's examples, else dev's low-overlap part, else dev; never eval."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from embedforge.corpus.record import Chunk
from embedforge.dataset.layout import NATURAL_DEV_FILE, RetrievalDataset
from embedforge.dataset.natural import (
    MIN_LOW_OVERLAP,
    choosing_questions,
    natural_rows,
    read_natural_dev,
    write_natural_dev,
)
from embedforge.errors import EmbedforgeError
from embedforge.generators.examples import UserExample


def _dataset(low: int, high: int) -> RetrievalDataset:
    """A dev split of ``low`` paraphrased and ``high`` copied questions, and an eval split of copied ones."""
    corpus = {f"c{i}": {"text": f"Chunk {i}: riluzole lowers glutamate number{i} in motor neurons."}
              for i in range(low + high + 5)}
    queries, dev, eval_ = {}, {}, {}
    for i in range(low + high):
        copied = i >= low
        queries[f"q{i}"] = {"text": f"riluzole lowers glutamate number{i}?" if copied
                            else f"is there a pill that slows the disease, case {i}?"}
        dev[f"q{i}"] = {f"c{i}"}
    for i in range(5):
        queries[f"e{i}"] = {"text": f"does riluzole lower glutamate number{low + high + i}?"}
        eval_[f"e{i}"] = {f"c{low + high + i}"}
    return RetrievalDataset(corpus=corpus, queries=queries, qrels={"train": {}, "dev": dev, "eval": eval_})


def test_the_low_overlap_part_of_dev_chooses_when_there_is_enough(tmp_path: Path) -> None:
    chosen = choosing_questions(_dataset(MIN_LOW_OVERLAP, 7), tmp_path)
    assert chosen is not None and chosen.source == "dev_low_overlap"
    assert set(chosen.queries) == {f"q{i}" for i in range(MIN_LOW_OVERLAP)}
    few = choosing_questions(_dataset(MIN_LOW_OVERLAP - 1, 7), tmp_path)
    assert few is not None and few.source == "dev" and len(few.queries) == MIN_LOW_OVERLAP - 1 + 7
    every = choosing_questions(_dataset(MIN_LOW_OVERLAP, 7), tmp_path, rule="dev")
    assert every is not None and every.source == "dev" and every.label == "dev (generated)"


def test_the_users_examples_choose_first(tmp_path: Path) -> None:
    dataset = _dataset(MIN_LOW_OVERLAP, 7)
    write_natural_dev(tmp_path, [("why do my arms twitch?", frozenset({"c1", "c2"}))])
    chosen = choosing_questions(dataset, tmp_path)
    assert chosen is not None and chosen.source == "natural_dev"
    assert list(chosen.queries.values()) == ["why do my arms twitch?"] and list(chosen.qrels.values()) == [{"c1", "c2"}]
    assert chosen.label == "natural (the user's examples)"


def test_the_eval_split_never_chooses(tmp_path: Path) -> None:
    dataset = _dataset(MIN_LOW_OVERLAP, 7)
    before = choosing_questions(dataset, tmp_path)
    changed = copy.deepcopy(dataset)
    for i, qid in enumerate(changed.qrels["eval"]):
        changed.queries[qid] = {"text": f"is there a pill for this, eval {i}?"}  # now low-overlap too
    changed.qrels["eval"] = {qid: {"c0"} for qid in changed.qrels["eval"]}
    assert choosing_questions(changed, tmp_path) == before
    del changed.qrels["eval"]
    assert choosing_questions(changed, tmp_path) == before


def test_no_dev_and_no_examples_chooses_nothing(tmp_path: Path) -> None:
    dataset = _dataset(3, 0)
    dataset.qrels["dev"] = {}
    assert choosing_questions(dataset, tmp_path) is None


def test_natural_rows_keep_examples_that_name_a_chunk(tmp_path: Path) -> None:
    chunks = [Chunk.create("Muscle twitches in the arm are an early sign of ALS.", source="a"),
              Chunk.create("Caregivers need rest too.", source="b")]
    examples = [UserExample("why do my arms keep twitching?", answer="muscle  TWITCHES in the arm"),
                UserExample("what is als?"), UserExample("who helps the helper?", chunk_ids=(chunks[1].id,))]
    rows = natural_rows(examples, chunks)
    assert rows == [("why do my arms keep twitching?", frozenset({chunks[0].id})),
                    ("who helps the helper?", frozenset({chunks[1].id}))]
    write_natural_dev(tmp_path, rows)
    corpus = {c.id: {"text": c.text} for c in chunks}
    assert sorted(q for q, _ in read_natural_dev(tmp_path, corpus).values()) == sorted(q for q, _ in rows)
    with pytest.raises(EmbedforgeError, match=NATURAL_DEV_FILE):
        read_natural_dev(tmp_path, {chunks[0].id: {}})


def test_a_dataset_folder_cut_short_after_its_natural_questions_is_rebuilt_in_place(tmp_path: Path) -> None:
    # natural_dev.jsonl is written before the manifest: a build killed in between leaves it beside the other
    # files, and the rerun must take that folder as its own unfinished output, not refuse it as foreign.
    from embedforge.dataset.writer import DATASET_OUTPUT
    from embedforge.outdir import check_out_dir

    (tmp_path / "queries.jsonl").write_text("", encoding="utf-8")
    (tmp_path / NATURAL_DEV_FILE).write_text("", encoding="utf-8")
    check_out_dir(tmp_path, DATASET_OUTPUT)
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(EmbedforgeError, match=r"notes\.txt"):
        check_out_dir(tmp_path, DATASET_OUTPUT)
