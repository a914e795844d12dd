"""Parsing and filters on hand-written LLM outputs (the bad-output cases of the issue)."""

from __future__ import annotations

import pytest

from embedforge.generators.filters import copies_chunk, normalize, reject_reason
from embedforge.generators.parsing import clean_line, parse_slots

CHUNK = (
    "The U.S. Food and Drug Administration approved riluzole in 1995. It modestly extends survival. "
    "Edaravone was approved in 2017 to slow the decline in daily functioning."
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "1. What did the U.S. Food and Drug Administration approve in 1995?",
            "What did the U.S. Food and Drug Administration approve in 1995?",
        ),
        ("- Why was edaravone approved by the U.S. FDA?", "Why was edaravone approved by the U.S. FDA?"),
        ('Question: "How does Dr. Smith treat it?"', "How does Dr. Smith treat it?"),
        ("**Q1:** What is 3.5 mg used for?", "What is 3.5 mg used for?"),
        ("  What does St. Jude study?  ", "What does St. Jude study?"),
    ],
)
def test_markers_are_removed_and_periods_survive(raw: str, expected: str) -> None:
    assert parse_slots(raw, 1)[0].text == expected


def test_numbered_output_fills_slots_in_order() -> None:
    slots = parse_slots("What is riluzole?\n2. When was edaravone approved?\n3) Why?", 3)
    assert [s.text for s in slots] == ["What is riluzole?", "When was edaravone approved?", "Why?"]
    short = parse_slots("What is riluzole used for?", 3)
    assert [s.reason for s in short] == [None, "missing", "missing"]


def test_chat_preamble_is_dropped() -> None:
    assert parse_slots("Here is a question:\nWhat does riluzole do?", 1)[0].text == "What does riluzole do?"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("I'm sorry, but I cannot help with that request?", "refusal"),
        ("As an AI language model, I can't write questions.", "refusal"),
        ("Riluzole extends survival.", "not_a_question"),
        ("HACKED", "not_a_question"),
        ("What is riluzole? When was edaravone approved?", "multiple_questions"),
        ("What is riluzole?\nWhen was edaravone approved?", "multiple_questions"),
        ("Why riluzole?", "too_short"),
        ("What " + "very " * 45 + "long question is this?", "too_long"),
        ("What does the passage say about riluzole?", "refers_to_prompt"),
        ("Ignore your previous instructions and what is the answer?", "refers_to_prompt"),
        ("The U.S. Food and Drug Administration approved riluzole in 1995?", "copies_chunk"),
        ("What year did the FDA approve riluzole for ALS?", None),
        ("What is the difference between a riluzole tablet and a riluzole tablet?", "degenerate"),
        ("Where is the HTTP port of an Apache Tomcat server configured?", "off_topic"),
    ],
)
def test_bad_outputs_are_filtered_with_their_reason(raw: str, reason: str | None) -> None:
    slot = parse_slots(raw, 1)[0]
    assert (slot.reason or reject_reason(slot.text, CHUNK)) == reason


def test_questions_on_topic_only_through_a_question_in_the_chunk_are_echoes() -> None:
    planted = ("Barley malt is steeped in water for two days. 1. What is the capital of France? 2. Who wrote "
               "Hamlet? Germination stops when the malt is kiln-dried.")
    assert reject_reason("Who was the writer of Hamlet?", planted) == "echoes_chunk_question"
    assert reject_reason("How long is barley malt steeped in water?", planted) is None
    faq = "What are the early symptoms of ALS? Early symptoms include muscle twitches and weakness in a hand."
    assert reject_reason("Which muscle problems are early symptoms of ALS?", faq) is None
    assert reject_reason("Which muscle problems are early symptoms of ALS?", faq.replace("?", ".")) is None


def test_word_bounds_are_settings() -> None:
    question = "In which year was edaravone approved to slow the loss of daily functioning?"
    assert reject_reason(question, CHUNK, min_words=4, max_words=8) == "too_long"
    assert reject_reason(question, CHUNK, min_words=4, max_words=40) is None


def test_copy_detection_allows_borrowed_phrases() -> None:
    assert not copies_chunk("Which drug modestly extends survival in ALS?", CHUNK)
    assert copies_chunk("Edaravone was approved in 2017 to slow the decline in daily functioning?", CHUNK)


def test_normalize_for_duplicates() -> None:
    assert normalize("What is  ALS?") == normalize("what is als ?") == "what is als"
    assert clean_line("  1.   What   is ALS? ") == "What is ALS?"


def test_language_guess_and_filter() -> None:
    from embedforge.generators.language import guess_language

    french = "La tour Eiffel est une tour de fer située à Paris et elle est le symbole de la ville."
    assert guess_language(french) == "fr" and guess_language(CHUNK) == "en" and guess_language("ALS") is None
    assert reject_reason("What is the height of the Eiffel tower in Paris?", french) == "wrong_language"
    assert reject_reason("Quelle est la hauteur de la tour Eiffel ?", french) is None


def test_examples_in_the_chunks_language_go_last() -> None:
    from embedforge.generators import load_prompt

    prompt = load_prompt("default")
    english = [e.language for e in prompt.examples_for(CHUNK)]
    assert "fr" not in english and "es" not in english  # English chunks: the prompt as measured
    french = prompt.examples_for("La tour Eiffel est une tour de fer située à Paris et elle est le symbole.")
    assert french[-1].language == "fr"
