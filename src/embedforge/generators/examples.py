"""A user's own example questions (``--examples FILE``): the voice the generated questions should take.

A small LLM follows its few-shot examples more than its instruction (Promptagator: few-shot
from the task's own queries), so a handful of real questions, from search logs or support
tickets, is the best lever on how generated questions are phrased. Each example is a
question, optionally with what answers it:

- JSON Lines: ``{"question": ...}`` plus one of ``"passage"`` (the answering text),
  ``"chunk_id"`` / ``"chunk_ids"``, or ``"answer"`` (a span found, whitespace and case aside,
  in the answering chunk), as ``compare --handwritten`` reads them;
- or plain text, one question a line.

Examples with a passage become few-shot examples (at most :data:`MAX_PASSAGES` passages,
ahead of the prompt's own, so the nearest examples still show the full question count);
the other questions (at most :data:`MAX_LISTED`) are listed in the instruction as the way people
ask. The examples the prompt does not show, where they resolve to chunks of the corpus, the dataset
stage keeps as natural dev questions (``natural_dev.jsonl``), which choose the epoch and the
interpolation weight: a question the prompt shows may be copied into training for its own chunk, so
it never chooses (measured: shown questions chose alpha 1.0 and scored +0.05 to +0.10 above what the
questions nobody showed the prompt did, BENCHMARKS.md §8). ``[dataset] natural_dev`` names a file of
such questions that only choose, never steer the prompt.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from embedforge.corpus.record import Chunk
from embedforge.errors import EmbedforgeError
from embedforge.files import iter_jsonl
from embedforge.fingerprint import object_hash, text_hash
from embedforge.generators.prompt import Example, Prompt, load_prompt

MAX_PASSAGES = 3  # each passage is a chunk's length in every prompt's fixed prefix
MAX_LISTED = 12  # questions without a passage shown in the instruction


@dataclass(frozen=True)
class UserExample:
    """One example question and what answers it (all optional but the question)."""

    question: str
    passage: str = ""
    answer: str = ""
    chunk_ids: tuple[str, ...] = ()


def load_examples(path: str | os.PathLike[str], setting: str = "--examples") -> tuple[UserExample, ...]:
    """Read an examples file (JSON Lines, or plain text with one question a line); ``setting`` names it in errors.

    Raises:
        EmbedforgeError: the file is missing or holds no question, or a line has no question.
    """
    source = Path(path)
    if not source.is_file():
        raise EmbedforgeError(f"{setting} {source}: file not found; give a .jsonl or .txt file of questions")
    if source.suffix != ".jsonl":
        rows = [{"question": line} for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        rows = list(iter_jsonl(source))
    examples = []
    for number, row in enumerate(rows, start=1):
        question = str(row.get("question") or "").strip()
        if not question:
            raise EmbedforgeError(f'{setting} {source}:{number}: no "question"; write one question a line')
        raw_ids = row.get("chunk_ids") or ([row["chunk_id"]] if row.get("chunk_id") else [])
        examples.append(UserExample(question, str(row.get("passage") or ""), str(row.get("answer") or ""),
                                    tuple(str(c) for c in raw_ids)))
    if not examples:
        raise EmbedforgeError(f"{setting} {source}: no questions in the file; add one question a line")
    return tuple(examples)


def answering_chunks(example: UserExample, chunks: Sequence[Chunk]) -> frozenset[str]:
    """Ids of the chunks that answer ``example``: its chunk ids, or those holding its answer span."""
    known = {chunk.id for chunk in chunks}
    if example.chunk_ids:
        return frozenset(c for c in example.chunk_ids if c in known)
    if not example.answer.strip():
        return frozenset()
    span = answer_form(example.answer)
    return frozenset(chunk.id for chunk in chunks if span in answer_form(chunk.text))


def _placement(examples: Sequence[UserExample], chunks: Sequence[Chunk]) -> tuple[dict[str, list[str]], list[str]]:
    """(passage -> its questions) for the few-shot examples, and the questions listed in the instruction."""
    texts = {chunk.id: chunk.text for chunk in chunks}
    grouped: dict[str, list[str]] = {}
    loose: list[str] = []
    for example in examples:
        ids = sorted(answering_chunks(example, chunks))
        passage = example.passage.strip() or (texts[ids[0]] if ids else "")
        (grouped.setdefault(passage, []) if passage else loose).append(example.question)
    ordered = sorted(grouped, key=text_hash)
    loose += [q for passage in ordered[MAX_PASSAGES:] for q in grouped[passage]]
    return {p: grouped[p] for p in ordered[:MAX_PASSAGES]}, loose[:MAX_LISTED]


def shown_questions(examples: Sequence[UserExample], chunks: Sequence[Chunk]) -> set[str]:
    """The example questions the prompt shows (as few-shot answers or in its list).

    They steer what is generated (the LLM may copy one for its own chunk), so they never choose:
    the dataset stage keeps only the others as natural dev questions.
    """
    shots, listed = _placement(examples, chunks)
    return {q for questions in shots.values() for q in questions} | set(listed)


def with_examples(prompt: Prompt, examples: Sequence[UserExample], chunks: Sequence[Chunk]) -> Prompt:
    """``prompt`` with the user's examples: passages as few-shot examples, the rest in the instruction.

    The result's ``hash`` covers the examples, so questions record which examples wrote them and
    the cache keys change with them (the rendered text changes).
    """
    grouped, loose = _placement(examples, chunks)
    shots = tuple(Example(context=p, questions=tuple(q)) for p, q in grouped.items())
    instruction = prompt.instruction
    if loose:
        listed = "\n".join(f"- {_literal(q)}" for q in loose)
        instruction = f"{instruction.rstrip()}\n\nPeople ask their questions like these:\n{listed}"
    extra = {"shots": [dataclasses.asdict(s) for s in shots], "instruction": instruction}
    return dataclasses.replace(prompt, instruction=instruction, examples=shots + prompt.examples,
                               hash=object_hash({"prompt": prompt.hash, **extra}))


def prompt_for(prompt_name: str, examples_file: str | None, chunks: Sequence[Chunk]) -> Prompt:
    """The prompt a generation pass sends: ``prompt_name`` loaded, with the examples of ``examples_file``.

    Raises:
        EmbedforgeError: a bad prompt or examples file.
    """
    prompt = load_prompt(prompt_name)
    return with_examples(prompt, load_examples(examples_file), chunks) if examples_file else prompt


def _literal(question: str) -> str:
    """A question as literal text of an instruction (which is formatted with ``{n}``)."""
    return " ".join(question.split()).replace("{", "{{").replace("}", "}}")


def answer_form(text: str) -> str:
    """Text as an answer span is matched: whitespace runs as one space, case folded. ``compare --handwritten``
    finds a question's chunk by the same rule, so a question resolves to the same chunk in both places."""
    return " ".join(text.split()).casefold()
