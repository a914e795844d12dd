"""Fixtures of the evaluation tests: a small dataset from the real ALS documents, and a fine-tuned model.

The corpus is the paragraphs of the two ALS documents (HTML <p> elements; PDF text split at blank
lines) of 25 to 100 words (short enough to encode quickly on two shared cores). The questions are
written by hand; each names a phrase of the paragraph that answers it, so the test finds that
paragraph's id instead of hard-coding it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from embedforge.dataset.layout import RetrievalDataset, write_dataset_dir
from embedforge.fingerprint import text_hash

# (question, phrase of the answering paragraph)
TRAIN_QUESTIONS = (
    ("What was ALS formerly called?", "Lou Gehrig"),
    ("Which drugs has the FDA approved for ALS?", "Food and Drug Administration has approved"),
    ("Are military veterans more likely to develop ALS?", "military veterans"),
    ("What does it mean that most ALS cases are sporadic?", "considered sporadic"),
    ("How can speech therapists help people with ALS communicate?", "Speech therapists"),
    ("How can people with ALS get help coughing?", "strong cough"),
    ("What role might epigenetics play in ALS?", "epigenetics in ALS"),
    ("What kinds of professionals make up a supportive ALS care team?", "multi-disciplinary teams"),
    ("Why should caregivers put on their own oxygen mask first?", "oxygen mask"),
    ("What is negative self-talk?", "self-talk"),
    ("How should a caregiver set goals?", "Tool #2: Setting Goals"),
    ("Where can caregivers find help?", "Help can come from community resources"),
    ("How much walking is recommended for caregivers?", "Walking, one of the best"),
)
EVAL_QUESTIONS = (
    ("What abilities do people with ALS eventually lose?", "will not be able to stand or walk"),
    ("What do most people with ALS die from, and how soon?", "respiratory failure"),
    ("What share of ALS cases are inherited?", "About 10% of all ALS cases are familial"),
    (
        "What did NIH scientists announce in 2021 about a genetic form of ALS?",
        "Uniformed Services University",
    ),
    ("How is ALS diagnosed if there is no single test for it?", "no single test that can definitely"),
    ("When might a lumbar puncture be done while diagnosing ALS?", "spinal tap"),
    ("How does physical therapy help a person with ALS?", "Physical therapy can help"),
    ("What is a brain-computer interface?", "brain-computer interface"),
    ("Who can help with trouble chewing and swallowing food?", "Nutritionists and registered dieticians"),
    ("What breathing problems appear as the muscles weaken?", "shortness of breath"),
    ("Why are scientists turning skin cells into stem cells?", "stem cells that are capable"),
    ("What are biomarkers and why does NINDS study them?", "development of biomarkers"),
    ("What is a risk factor?", "A risk factor is a condition"),
    ("Are younger caregivers also putting their health at risk?", "baby boomer"),
    ("Why should ALS be diagnosed early?", "accurate ALS diagnosis as soon as possible"),
    ("What misconceptions do caregivers commonly have?", "misconceptions that increase their stress"),
    ("What are example action steps for the goal of feeling healthier?", "Goal and Action Steps"),
    ("Why do caregivers find it hard to accept help?", "Asking for and Accepting Help"),
    ("What share of caregivers give medications and injections?", "administer medications"),
    ("When should a caregiver seek treatment for depression?", "seek treatment for depression"),
)


def als_paragraphs(folder: Path) -> list[tuple[str, str]]:
    """(source, paragraph) of the two ALS documents, paragraphs of 25 to 100 words."""
    from bs4 import BeautifulSoup
    from pypdf import PdfReader

    html = folder / "ninds-als-overview.html"
    soup = BeautifulSoup(html.read_text(encoding="utf-8", errors="replace"), "html.parser")
    found = [(html.name, " ".join(p.get_text(" ").split())) for p in soup.find_all("p")]
    pdf = folder / "family-caregivers-self-care.pdf"
    text = "\n".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
    found += [(pdf.name, " ".join(block.split())) for block in re.split(r"\n\s*\n", text)]
    return [(source, para) for source, para in found if 25 <= len(para.split()) <= 100]


def build_dataset(
    folder: Path,
    train: tuple[tuple[str, str], ...] = TRAIN_QUESTIONS,
    evaluation: tuple[tuple[str, str], ...] = EVAL_QUESTIONS,
) -> RetrievalDataset:
    """A RetrievalDataset over the ALS paragraphs with the hand-written questions."""
    corpus: dict[str, dict[str, object]] = {}
    for source, para in als_paragraphs(folder):
        corpus.setdefault(
            text_hash(para), {"title": "", "text": para, "source": source, "section": None, "page": None}
        )
    queries: dict[str, dict[str, object]] = {}
    qrels: dict[str, dict[str, set[str]]] = {"train": {}, "eval": {}}
    for split, items in (("train", train), ("eval", evaluation)):
        for question, phrase in items:
            hits = [cid for cid, row in corpus.items() if phrase in str(row["text"])]
            assert hits, f"no paragraph holds {phrase!r}"
            qid = text_hash(question)
            queries[qid] = {"text": question, "chunk_id": hits[0], "source": "hand-written"}
            qrels[split][qid] = {hits[0]}
    return RetrievalDataset(corpus=corpus, queries=queries, qrels=qrels)


@pytest.fixture(scope="session")
def als_dataset(als_corpus: Path) -> RetrievalDataset:
    return build_dataset(als_corpus)


@pytest.fixture(scope="session")
def dataset_dir(als_dataset: RetrievalDataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ALS dataset written in the dataset-folder layout."""
    out = tmp_path_factory.mktemp("dataset")
    write_dataset_dir(out, als_dataset)
    return out


@pytest.fixture(scope="session")
def tuned_model_dir(
    bundled_embedder,
    als_dataset: RetrievalDataset,  # type: ignore[no-untyped-def]
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """MiniLM fine-tuned briefly on the train questions (MatryoshkaLoss over MNRL), saved to a folder."""
    from datasets import Dataset
    from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer
    from sentence_transformers.sentence_transformer.losses import MatryoshkaLoss, MultipleNegativesRankingLoss
    from sentence_transformers.sentence_transformer.training_args import SentenceTransformerTrainingArguments

    from embedforge.embedder import bundled_model_path

    model = SentenceTransformer(bundled_model_path("bundled-minilm"), device="cpu")
    limit, model.max_seq_length = model.max_seq_length, 128  # shorter inputs: a faster test fine-tune
    anchors, positives = zip(*als_dataset.pairs("train"), strict=True)
    train = Dataset.from_dict({"anchor": list(anchors), "positive": list(positives)})
    loss = MatryoshkaLoss(model, MultipleNegativesRankingLoss(model), matryoshka_dims=[384, 256, 128, 64])
    work = tmp_path_factory.mktemp("tuned")
    args = SentenceTransformerTrainingArguments(
        output_dir=str(work / "trainer"),
        num_train_epochs=1,
        per_device_train_batch_size=16,
        learning_rate=3e-4,
        warmup_ratio=0.0,
        save_strategy="no",
        report_to=[],
        seed=7,
        use_cpu=True,
        logging_strategy="no",
    )
    SentenceTransformerTrainer(model=model, args=args, train_dataset=train, loss=loss).train()
    model.max_seq_length = limit
    out = work / "model"
    model.save(str(out))
    return out


# Hand-written questions for the "handwritten" section: (question, how its answer is named)
HANDWRITTEN = (
    {"question": "Which famous baseball player gave ALS its popular name?", "answer": "Lou Gehrig's disease"},
    {
        "question": "Can ALS be cured today?",
        "answer": "There is no treatment to reverse damage to motor neurons",
    },
    {"question": "How do I keep my own health while looking after my husband?", "answer": "oxygen mask"},
    {
        "question": "Why do my emotions feel so intense while caregiving?",
        "answer": "Caregiving often involves a range of emotions",
    },
    {
        "question": "What tools help caregivers cope with stress?",
        "answer": "Tool #1: Reducing Personal Stress",
    },
)


@pytest.fixture(scope="session")
def handwritten_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from embedforge.files import write_jsonl

    path = tmp_path_factory.mktemp("handwritten") / "questions.jsonl"
    write_jsonl(path, HANDWRITTEN)
    return path


@pytest.fixture(scope="session")
def compare_run(
    dataset_dir: Path, tuned_model_dir: Path, handwritten_file: Path, tmp_path_factory: pytest.TempPathFactory
):  # type: ignore[no-untyped-def]
    """One full comparison: bundled base vs the fine-tuned model vs BM25, plus hand-written questions."""
    from embedforge.evaluation import CompareSettings, compare

    out = tmp_path_factory.mktemp("report")
    settings = CompareSettings(bm25=True, handwritten=str(handwritten_file), device="cpu")
    return compare(dataset_dir, {"base": "bundled-minilm", "tuned": str(tuned_model_dir)}, out, settings)
