"""Synthetic retrieval datasets for the GPU check: BEIR folders written by the dataset stage's writer, no LLM.

The GPU machine has no LLM (no llama-cpp-python, no vLLM) and no documents, so the check
generates its data: each chunk is ``words_per_chunk`` words drawn at random from the model's
own vocabulary (whole words, so one token each: 180 words are about 180 tokens, near the
default chunk of 200), and each question is 12 words drawn from its chunk plus a question
mark. Questions share words with their chunk only, so a model can learn to retrieve and the
metrics are not all zero. Everything is seeded: the same sizes and seed give the same bytes.
Folders are written with :func:`embedforge.dataset.layout.write_dataset_dir`, the writer of
``dataset build``, so ``embedforge train`` and ``compare`` read them as any dataset folder.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from embedforge.dataset.layout import RetrievalDataset, write_dataset_dir
from embedforge.fingerprint import text_hash

QUESTION_WORDS = 12
SOURCE = "synthetic"


def make_chunks(words: Sequence[str], count: int, seed: int, words_per_chunk: int = 180) -> list[str]:
    """``count`` distinct chunk texts of ``words_per_chunk`` words from ``words`` (seeded)."""
    rng = random.Random(seed)
    return [" ".join(rng.choices(words, k=words_per_chunk)) for _ in range(count)]


def question_for(chunk: str, rng: random.Random) -> str:
    """12 of the chunk's words, in a random order, as a question."""
    return " ".join(rng.sample(chunk.split(), QUESTION_WORDS)) + "?"


def write_dataset(folder: Path, chunks: Sequence[str], splits: dict[str, Sequence[int]], seed: int) -> Path:
    """Write a dataset folder of ``chunks`` (the whole corpus) with one question per chunk listed in ``splits``.

    Inputs: the folder, the chunk texts, split name (``train``, ``dev``, ``eval``) -> chunk positions, a seed.
    Output: the folder, readable by ``embedforge train`` (train and dev) and ``compare`` (eval).
    """
    rng = random.Random(seed)
    corpus: dict[str, dict[str, object]] = {}
    ids = []
    for text in chunks:
        cid = text_hash(text)
        ids.append(cid)
        corpus[cid] = {"title": "", "text": text, "document_title": SOURCE, "source": SOURCE, "section": "",
                       "page": 0}
    queries: dict[str, dict[str, object]] = {}
    qrels: dict[str, dict[str, set[str]]] = {}
    for split, positions in splits.items():
        table = qrels.setdefault(split, {})
        for position in positions:
            question = question_for(chunks[position], rng)
            qid = text_hash(question)
            queries[qid] = {"text": question, "chunk_id": ids[position], "source": SOURCE}
            table[qid] = {ids[position]}
    write_dataset_dir(folder, RetrievalDataset(corpus=corpus, queries=queries, qrels=qrels))
    return folder
