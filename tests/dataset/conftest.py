"""Hand-written question/passage files in both import formats (small, ALS-like)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

PASSAGES = [
    "Amyotrophic lateral sclerosis (ALS) is a rare neurological disease that affects motor neurons, "
    "the nerve cells in the brain and spinal cord that control voluntary muscle movement.",
    "Early symptoms of ALS include muscle twitches in the arm, leg, shoulder or tongue, muscle cramps, "
    "tight and stiff muscles, and slurred or nasal speech.",
    "About 10 percent of ALS cases are familial. Mutations in the SOD1 gene were the first identified "
    "genetic cause of inherited ALS.",
    "Riluzole was the first drug approved to treat ALS; it is believed to reduce damage to motor "
    "neurons by decreasing levels of glutamate.",
    "Noninvasive ventilation such as BiPAP helps people with ALS breathe at night as the muscles "
    "of the chest weaken.",
    "A feeding tube can reduce the risk of choking and pneumonia when a person with ALS can no "
    "longer swallow safely.",
    "Family caregivers often put their own health last; taking care of yourself is the first step "
    "to being able to care for someone else.",
    "Asking for help is not a sign of weakness. Caregivers can accept offers of help by keeping a "
    "list of small tasks others could do.",
    "Signs of caregiver burnout include irritability, trouble sleeping, withdrawing from friends "
    "and feeling tired most of the time.",
    "Setting realistic goals and breaking large tasks into small steps helps caregivers manage "
    "the demands of daily care.",
]
QUESTIONS = [
    ["Which cells does ALS damage?", "What kind of disease is amyotrophic lateral sclerosis?"],
    ["What are the first symptoms of ALS?"],
    ["Which gene was first linked to inherited ALS?", "What share of ALS cases are familial?"],
    ["How is riluzole thought to protect motor neurons?"],
    ["How can BiPAP help people with ALS?"],
    ["Why might a person with ALS need a feeding tube?"],
    ["Why should family caregivers take care of their own health?"],
    ["How can caregivers accept offers of help?"],
    ["What are the signs of caregiver burnout?"],
    ["How can caregivers manage large daily tasks?"],
]


def llamaindex_payload(indices: list[int], prefix: str, asked: list[int] | None = None) -> dict:
    """A LlamaIndex ``EmbeddingQAFinetuneDataset`` JSON: corpus ``indices``, questions on ``asked``."""
    corpus = {f"node-{i}": PASSAGES[i] for i in indices}
    queries, relevant = {}, {}
    for i in indices if asked is None else asked:
        for j, question in enumerate(QUESTIONS[i]):
            qid = f"{prefix}-q{i}-{j}"
            queries[qid] = question
            relevant[qid] = [f"node-{i}"]
    return {"queries": queries, "corpus": corpus, "relevant_docs": relevant, "mode": "text"}


def reference_payload(indices: list[int]) -> dict:
    """The reference notebook's JSON: questions / relevant_contexts / corpus."""
    data = llamaindex_payload(indices, "ref")
    return {
        "questions": data["queries"],
        "relevant_contexts": data["relevant_docs"],
        "corpus": data["corpus"],
    }


@pytest.fixture()
def pair_files(tmp_path: Path) -> dict[str, Path]:
    """LlamaIndex train (corpus 0-7, questions on 0-6) and eval (corpus 6-9, questions on 7-9) files,
    whose corpora overlap on passages 6-7, and a reference-format file (all ten passages)."""
    files = {
        "li_train": llamaindex_payload(list(range(8)), "train", asked=list(range(7))),
        "li_eval": llamaindex_payload([6, 7, 8, 9], "eval", asked=[7, 8, 9]),
        "reference": reference_payload(list(range(10))),
    }
    paths = {}
    for name, payload in files.items():
        paths[name] = tmp_path / "inputs" / f"{name}.json"
        paths[name].parent.mkdir(parents=True, exist_ok=True)
        paths[name].write_text(json.dumps(payload, indent=1), encoding="utf-8")
    return paths


@pytest.fixture(scope="session")
def samples() -> tuple[list[str], list[list[str]]]:
    """The hand-written passages and, per passage, its questions."""
    return PASSAGES, QUESTIONS
