"""Training fixtures: small dataset folders built from the real ALS documents.

Questions come from the text itself (an inverse-cloze pairing): from each paragraph of
four or more sentences, two sentences become questions and the rest of the paragraph
is the chunk they retrieve, so every chunk has two questions — as in the reference
run, where the duplicate chunks put a pair's positive among its in-batch negatives.
Shorter paragraphs stay in the corpus as distractors. Nothing here depends on the
corpus or generators stages, which are being built alongside.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from embedforge.dataset.layout import RetrievalDataset, write_dataset_dir
from embedforge.fingerprint import text_hash

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


def als_paragraphs(folder: Path) -> list[tuple[str, str]]:
    """(source, paragraph) from the HTML page's main content and the PDF, blank-line separated."""
    from bs4 import BeautifulSoup
    from pypdf import PdfReader

    soup = BeautifulSoup((folder / "ninds-als-overview.html").read_bytes(), "lxml")
    for tag in soup(["script", "style", "nav", "header", "footer"]):
        tag.decompose()
    html_text = (soup.find("main") or soup).get_text("\n")
    pdf_name = "family-caregivers-self-care.pdf"
    pdf = PdfReader(folder / pdf_name)
    pdf_text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    out = []
    for source, text in (("ninds-als-overview.html", html_text), (pdf_name, pdf_text)):
        for block in re.split(r"\n\s*\n", text):
            paragraph = " ".join(block.split())
            if len(paragraph.split()) >= 12:
                out.append((source, paragraph))
    return out


def cloze_dataset(
    paragraphs: list[tuple[str, str]], n_eval_chunks: int, max_train_chunks: int
) -> RetrievalDataset:
    """Windows of five sentences: sentences 2 and 4 are questions, the other three the chunk.

    The first ``n_eval_chunks`` chunks by id are the dev split (what training evaluates and
    chooses the checkpoint on), the next ``max_train_chunks`` train.
    """
    corpus: dict[str, dict[str, object]] = {}
    questions: list[tuple[str, str, str]] = []  # (chunk id, question, source)
    for source in dict.fromkeys(s for s, _ in paragraphs):
        texts = [p for s, p in paragraphs if s == source]
        sentences = [x for p in texts for x in _SENTENCE_END.split(p) if len(x.split()) >= 5]
        for start in range(0, len(sentences) - 4, 5):
            window = sentences[start:start + 5]
            text = " ".join(window[i] for i in (0, 2, 4))
            cid = text_hash(text)
            corpus[cid] = {"title": source, "text": text, "source": source, "section": None, "page": None}
            questions += [(cid, window[i], source) for i in (1, 3)]
    chunk_ids = sorted({cid for cid, _, _ in questions})
    eval_ids = set(chunk_ids[:n_eval_chunks])
    train_ids = set(chunk_ids[n_eval_chunks:n_eval_chunks + max_train_chunks])
    queries: dict[str, dict[str, object]] = {}
    qrels: dict[str, dict[str, set[str]]] = {"train": {}, "dev": {}}
    for cid, question, source in questions:
        split = "dev" if cid in eval_ids else "train" if cid in train_ids else None
        if split is None:
            continue
        qid = text_hash(question)
        queries[qid] = {"text": question, "chunk_id": cid, "source": source}
        qrels[split][qid] = {cid}
    return RetrievalDataset(corpus=corpus, queries=queries, qrels=qrels)


@pytest.fixture(scope="session")
def als_paragraph_list(als_corpus: Path) -> list[tuple[str, str]]:
    return als_paragraphs(als_corpus)


@pytest.fixture(scope="session")
def small_dataset(als_paragraph_list: list[tuple[str, str]], tmp_path_factory: pytest.TempPathFactory
                  ) -> Path:
    """20 train pairs (10 chunks), 16 dev questions, retrieval over the whole corpus."""
    folder = tmp_path_factory.mktemp("small_dataset")
    write_dataset_dir(folder, cloze_dataset(als_paragraph_list, n_eval_chunks=8, max_train_chunks=10))
    return folder


@pytest.fixture(scope="session")
def reference_dataset(als_paragraph_list: list[tuple[str, str]], tmp_path_factory: pytest.TempPathFactory
                      ) -> Path:
    """About 100 train pairs (2 per chunk, like the reference's 98) and 20 dev questions."""
    folder = tmp_path_factory.mktemp("reference_dataset")
    write_dataset_dir(folder, cloze_dataset(als_paragraph_list, n_eval_chunks=10, max_train_chunks=50))
    return folder


@pytest.fixture(scope="package", autouse=True)
def _one_torch_thread():  # type: ignore[no-untyped-def]
    """One intra-op thread: on this shared 2-core machine two threads contend and a step is ~7x slower."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def subprocess_env() -> dict[str, str]:
    """Environment for training subprocesses: offline, the test's caches, one thread a process."""
    import os

    env = dict(os.environ)
    env.update({"OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1"})
    return env


# alpha 1: the saved model is the best checkpoint itself (interpolation has tests of its own).
SMALL = {"base_model": "bundled-minilm", "batch_size": 5, "epochs": 2, "device": "cpu", "alpha": 1.0}


@pytest.fixture(scope="session")
def small_settings() -> dict[str, object]:
    """The small run's settings (batch 5, 2 epochs, CPU), for runs that must match it."""
    return dict(SMALL)


@pytest.fixture(scope="session")
def small_run(small_dataset: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The bundled model trained once on the small dataset (2 epochs, batch 5): (result, model folder)."""
    import torch

    from embedforge.training import TrainSettings, train

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("small_run") / "model"
    try:
        result = train(small_dataset, out, TrainSettings(**SMALL))  # type: ignore[arg-type]
    finally:
        torch.set_num_threads(before)
    return result, out
