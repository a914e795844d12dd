"""``--examples``: a user's own questions reach every prompt sent, as few-shot examples or as a list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from embedforge.corpus.record import Chunk
from embedforge.errors import EmbedforgeError
from embedforge.generators.backends import make_backend
from embedforge.generators.examples import MAX_PASSAGES, load_examples, prompt_for
from embedforge.generators.generate import _jobs
from embedforge.generators.prompt import load_prompt
from embedforge.generators.settings import GenerationSettings

CHUNKS = [Chunk.create(f"Passage {i}: muscle twitches and cramps can be early signs of ALS, case {i}.", source="a")
          for i in range(5)]


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_examples_with_passages_become_shots_and_the_rest_a_list(tmp_path: Path) -> None:
    rows = [{"question": f"my legs cramp at night, is it als? ({i})", "answer": f"case {i}."} for i in range(5)]
    rows.append({"question": "als {n} or {context} braces stay literal?"})
    examples = _write(tmp_path / "ex.jsonl", rows)
    base = load_prompt("multi")
    prompt = prompt_for("multi", str(examples), CHUNKS)
    assert len(prompt.examples) == len(base.examples) + MAX_PASSAGES and prompt.hash != base.hash
    text = prompt.completion_text(CHUNKS[0].text, n=5)
    shown = [r["question"] for r in rows if r["question"] in text]
    assert len(shown) == len(rows)  # MAX_PASSAGES as shots, the others listed in the instruction
    assert "People ask their questions like these:" in text and "als {n} or {context} braces" in text


def test_examples_reach_the_text_each_call_sends(tmp_path: Path) -> None:
    examples = tmp_path / "ex.txt"
    examples.write_text("als how long do people live\n\nwhy is my dad so tired all the time?\n", encoding="utf-8")
    settings = GenerationSettings(questions_per_chunk=1, prompt="default", examples=str(examples))
    backend = make_backend("bundled")
    plain = _jobs(CHUNKS[:1], load_prompt("default"), backend, settings, 0)
    jobs = _jobs(CHUNKS[:1], prompt_for("default", str(examples), CHUNKS), backend, settings, 0)
    sent = backend.render(jobs[CHUNKS[0].id].request).text
    assert "als how long do people live" in sent and "why is my dad so tired all the time?" in sent
    assert jobs[CHUNKS[0].id].key != plain[CHUNKS[0].id].key  # a new prompt is a new cache entry


def test_bad_example_files_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(EmbedforgeError, match=r"--examples .*missing\.jsonl: file not found"):
        load_examples(tmp_path / "missing.jsonl")
    with pytest.raises(EmbedforgeError, match=r"ex.jsonl:2: no \"question\""):
        load_examples(_write(tmp_path / "ex.jsonl", [{"question": "ok?"}, {"answer": "x"}]))
    (tmp_path / "empty.txt").write_text("\n", encoding="utf-8")
    with pytest.raises(EmbedforgeError, match="no questions"):
        load_examples(tmp_path / "empty.txt")


def test_a_build_keeps_natural_dev_questions_that_name_a_chunk(bundled_gguf: str, tmp_path: Path) -> None:
    """Through the dataset stage with the bundled LLM: ``[dataset] natural_dev``'s questions that name their chunk
    are written to natural_dev.jsonl, which then chooses (dataset/natural.py); they reach no prompt."""
    from embedforge.dataset import DatasetSettings, build_dataset_from_chunks
    from embedforge.dataset.layout import load_dataset_dir
    from embedforge.dataset.natural import NATURAL_DEV_FILE, choosing_questions

    natural = _write(tmp_path / "natural.jsonl", [
        {"question": "is twitching in my arm an early als sign?", "answer": "case 1."},
        {"question": "what does als do to the body?"},
        {"question": "cramps in my legs every night, should I worry?", "chunk_id": CHUNKS[2].id}])
    settings = GenerationSettings(questions_per_chunk=1, prompt="default", greedy_prompt=None, resample=0,
                                  cache=str(tmp_path / "llm.sqlite"), progress=False)
    out = tmp_path / "data"
    build_dataset_from_chunks(CHUNKS, out, generation_settings=settings, dataset_settings=DatasetSettings(
        roundtrip_k=0, dev_fraction=0.0, eval_fraction=0.4, natural_dev=str(natural)))
    rows = [json.loads(line) for line in (out / NATURAL_DEV_FILE).read_text(encoding="utf-8").splitlines()]
    assert rows == [{"question": "is twitching in my arm an early als sign?", "chunk_ids": [CHUNKS[1].id]},
                    {"question": "cramps in my legs every night, should I worry?", "chunk_ids": [CHUNKS[2].id]}]
    hashes = {row["prompt_hash"] for row in load_dataset_dir(out).queries.values()}
    assert hashes == {load_prompt("default").hash}  # the natural questions steered nothing
    chosen = choosing_questions(load_dataset_dir(out), out)
    assert chosen is not None and chosen.source == "natural_dev" and len(chosen.queries) == 2


def test_examples_the_prompt_shows_never_choose() -> None:
    """Of 7 questions on each of the 5 chunks, 3 chunks' go in as few-shot examples and 12 more are listed: the
    2 the prompt never shows are the only ones left to choose."""
    from embedforge.dataset.natural import natural_rows
    from embedforge.generators.examples import MAX_LISTED, UserExample, shown_questions

    examples = [UserExample(f"question {j} about case {i}?", answer=f"case {i}.") for i in range(5) for j in range(7)]
    shown = shown_questions(examples, CHUNKS)
    text = prompt_for("multi", None, CHUNKS).instruction
    assert len(shown) == 3 * 7 + MAX_LISTED and all(q not in text for q in shown)
    unseen = [e for e in examples if e.question not in shown]
    prompt = load_prompt("multi")
    from embedforge.generators.examples import with_examples

    for n in (1, 5):  # a passage's answer shows its first n questions: `shown` counts them all, to be safe
        sent = with_examples(prompt, examples, CHUNKS).completion_text(CHUNKS[0].text, n=n)
        assert {e.question for e in examples if e.question in sent} <= shown
        assert not any(e.question in sent for e in unseen)
    assert [q for q, _ in natural_rows(unseen, CHUNKS)] == [e.question for e in unseen] and len(unseen) == 2
