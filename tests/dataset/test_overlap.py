"""Lexical overlap and the copy filter, against bm25s' own tokenizer and numpy's quantiles."""

from __future__ import annotations

import dataclasses

import bm25s
import numpy as np
import pytest

from embedforge.corpus.record import Chunk
from embedforge.dataset.bias import ndcg_at_10
from embedforge.dataset.overlap import content_overlap, content_words, drop_copied_words, overlap_profile

TEXTS = [
    "What's the life expectancy after an ALS diagnosis, on average?",
    "riluzole side-effects??  Edaravone (Radicava) IV vs. oral",
    "How can I take care of MYSELF while caring for mom?",
    "ALS: is it in the genes (C9orf72, SOD1)?",
]


@pytest.mark.parametrize("text", TEXTS)
def test_content_words_are_bm25s_tokens_without_stop_words(text: str) -> None:
    tokens = bm25s.tokenize([text], stopwords="en", return_ids=False, show_progress=False)[0]
    assert content_words(text) == set(tokens)


def test_overlap_is_the_share_of_distinct_content_words_in_the_passage() -> None:
    passage = "Riluzole reduces glutamate levels; edaravone is given by IV infusion."
    # content words: riluzole, side, effects, edaravone, radicava, iv, vs, oral -> 3 of 8 in the passage
    assert content_overlap(TEXTS[1], passage) == pytest.approx(3 / 8)
    assert content_overlap("is it the?", passage) is None  # stop words only: nothing to copy


def test_profile_matches_numpy() -> None:
    rng = np.random.default_rng(0)
    shares = [float(x) for x in rng.random(37)] + [None]
    profile = overlap_profile(shares)
    values = np.array([s for s in shares if s is not None])
    assert profile["questions"] == 37
    assert profile["mean"] == pytest.approx(values.mean(), abs=1e-4)
    for key, q in (("q1", 0.25), ("median", 0.5), ("q3", 0.75)):
        assert profile[key] == pytest.approx(np.quantile(values, q), abs=1e-4)
    assert sum(profile["bins"].values()) == 37
    assert overlap_profile([None]) == {"questions": 0}


@dataclasses.dataclass(frozen=True)
class _Record:
    chunk_id: str
    question: str | None
    status: str
    reason: str | None = None


def test_copy_filter_drops_only_kept_questions_above_the_threshold() -> None:
    chunk = Chunk.create("Riluzole reduces glutamate levels and may extend survival in ALS.", source="a")
    records = [
        _Record(chunk.id, "Riluzole reduces glutamate levels in ALS?", "kept"),  # 5 of 5 copied
        _Record(chunk.id, "Is there a pill that helps people live longer with ALS?", "kept"),  # 1 of 6
        _Record(chunk.id, "Does riluzole reduce glutamate levels in ALS?", "filtered", "duplicate"),
    ]
    out = drop_copied_words(records, [chunk], max_overlap=0.8)
    assert [(r.status, r.reason) for r in out] == [("filtered", "copies_words"), ("kept", None),
                                                   ("filtered", "duplicate")]
    assert drop_copied_words(records, [chunk], max_overlap=1.0) == records


def test_ndcg_at_10_of_one_relevant_item() -> None:
    assert ndcg_at_10([1, 3, 11]) == pytest.approx((1 + 1 / np.log2(4) + 0) / 3, abs=1e-4)
