"""Fixtures of the generators tests: sample chunks (the llama.cpp server is in tests/conftest.py)."""

from __future__ import annotations

import pytest

from embedforge.corpus.record import Chunk

PASSAGES = [
    (
        "Apollo 11",
        "Apollo 11 was the American spaceflight that first landed humans on the Moon. "
        "Commander Neil Armstrong and lunar module pilot Buzz Aldrin landed the Apollo Lunar Module "
        "Eagle on July 20, 1969, while Michael Collins flew the command module Columbia in lunar orbit.",
    ),
    (
        "Photosynthesis",
        "Photosynthesis is the process by which green plants use sunlight to turn water and carbon "
        "dioxide into glucose and oxygen. It takes place mainly in the chloroplasts of leaf cells, "
        "where the pigment chlorophyll absorbs red and blue light.",
    ),
    (
        "Tea",
        "Green tea and black tea come from the same plant, Camellia sinensis. Black tea leaves are "
        "fully oxidized before drying, which darkens them and changes their flavour, while green tea "
        "leaves are heated soon after picking to stop oxidation.",
    ),
    (
        "Riluzole",
        "In 1995 the U.S. Food and Drug Administration approved riluzole, the first drug for "
        "amyotrophic lateral sclerosis. It is taken as a tablet twice a day and modestly extends survival.",
    ),
]


def make_chunks(passages: list[tuple[str, str]]) -> list[Chunk]:
    return [Chunk.create(text, source=f"{title.lower()}.html", title=title) for title, text in passages]


@pytest.fixture()
def sample_chunks() -> list[Chunk]:
    return make_chunks(PASSAGES)
