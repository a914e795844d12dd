"""Query likelihood against llama.cpp's own logits, and the per-chunk filter's reasons."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from embedforge.corpus.record import Chunk
from embedforge.dataset.specific import GENERIC, LESS_SPECIFIC, keep_most_specific
from embedforge.generators.likelihood import TEMPLATE, QueryLikelihood

pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: the bundled LLM cannot run")

CHUNK = ("Riluzole was the first drug approved to treat ALS; it is believed to reduce damage to motor "
         "neurons by decreasing levels of glutamate.")
QUESTIONS = ["How does riluzole protect motor neurons?", "What is your medical problem?",
             "is there a pill that slows als down?"]


@pytest.fixture(scope="module")
def scorer(bundled_gguf: str) -> QueryLikelihood:
    return QueryLikelihood.load(bundled_gguf, n_ctx=512)


@pytest.fixture(scope="module")
def reference(bundled_gguf: str):  # type: ignore[no-untyped-def]
    from llama_cpp import Llama

    return Llama(model_path=bundled_gguf, n_ctx=512, verbose=False, logits_all=True,
                 rope_freq_base=0.0, rope_freq_scale=0.0)


def _direct(llm, prefix: str, question: str, one_by_one: bool) -> float:  # type: ignore[no-untyped-def]
    """log P(question | prefix) from the logits matrix llama.cpp keeps with ``logits_all``."""
    head = llm.tokenize(prefix.encode())
    whole = llm.tokenize((prefix + " " + question).encode())
    llm.reset()
    if one_by_one:
        llm.eval(head)
        for token in whole[len(head):]:
            llm.eval([token])
    else:
        llm.eval(whole)
    logits = np.asarray(llm.scores[: len(whole)], dtype=np.float64)
    rows = logits[len(head) - 1: len(whole) - 1]
    top = rows.max(axis=1, keepdims=True)
    log_softmax = rows - top - np.log(np.exp(rows - top).sum(axis=1, keepdims=True))
    return float(sum(log_softmax[i, token] for i, token in enumerate(whole[len(head):])))


@pytest.mark.parametrize("question", QUESTIONS)
def test_log_prob_equals_llama_cpp_logits(scorer: QueryLikelihood, reference, question: str) -> None:  # type: ignore[no-untyped-def]
    prefix = TEMPLATE.format(context=CHUNK)
    ours = scorer.log_prob(prefix, question)
    assert ours == pytest.approx(_direct(reference, prefix, question, one_by_one=True), abs=1e-6)
    # Decoding the question in one batch changes the quantised kernels' rounding, not the value.
    batched = _direct(reference, prefix, question, one_by_one=False)
    assert abs(ours - batched) < 0.1 * len(reference.tokenize(question.encode(), add_bos=False))


def test_the_chunk_makes_its_own_question_likelier_than_a_generic_one(scorer: QueryLikelihood) -> None:
    specific, generic, _ = scorer.specificity(CHUNK, QUESTIONS)
    assert specific > 10 and specific > generic + 10


@dataclasses.dataclass(frozen=True)
class _Record:
    chunk_id: str
    question: str | None
    status: str = "kept"
    reason: str | None = None


def test_filter_keeps_the_most_specific_and_counts_reasons(scorer: QueryLikelihood) -> None:
    chunk = Chunk.create(CHUNK, source="a")
    records = [_Record(chunk.id, q) for q in QUESTIONS] + [_Record(chunk.id, None, "failed", "timeout")]
    scores = dict(zip(QUESTIONS, scorer.specificity(CHUNK, QUESTIONS), strict=True))
    out = keep_most_specific(records, [chunk], keep=1, scorer=scorer)
    best = max((q for q in QUESTIONS if scores[q] > 0), key=scores.__getitem__)
    expected = {q: None if q == best else GENERIC if scores[q] <= 0 else LESS_SPECIFIC for q in QUESTIONS}
    assert {r.question: r.reason for r in out[:3]} == expected
    assert out[3] is records[3]
