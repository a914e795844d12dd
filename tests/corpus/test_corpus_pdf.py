"""PDFs the loader has never seen: running headers, page numbers, bullets, hyphenation, pages."""

from __future__ import annotations

from pathlib import Path

from embedforge.corpus import ChunkSettings, chunk_documents, read_chunks
from embedforge.corpus.pdf import _join, parse_pdf

PARAS = [
    "Bees communicate the direction and distance of flowers with a waggle dance performed on the vertical "
    "comb. The angle of the dance relative to gravity matches the angle of the food source to the sun.",
    "A colony regulates the temperature of its brood nest to within one degree of thirty-five degrees "
    "Celsius. Workers shiver their flight muscles to warm it and fan their wings to cool it.",
    "Drones do not collect nectar and have no sting. Their one task is to mate with a queen from another "
    "colony during a nuptial flight, after which they die.",
    "Varroa mites feed on the fat body of developing bees and spread deformed wing virus. Beekeepers "
    "monitor mite loads with sugar rolls and treat colonies in late summer.",
]


def _pages(pdf_writer, tmp_path: Path) -> Path:
    return pdf_writer(tmp_path / "bees.pdf", [
        [("h", "How Bees Talk"), ("p", PARAS[0]), ("b", "round dance: food is near"),
         ("b", "waggle dance: food is far")],
        [("h", "Keeping Warm"), ("p", PARAS[1])],
        [("h", "Drones"), ("p", PARAS[2])],
        [("h", "Pests"), ("p", PARAS[3])],
    ], header="Beekeeping Fact Sheet - Apiary Guild 2024")


def test_running_headers_and_page_numbers_dropped(pdf_writer, tmp_path: Path) -> None:
    path = _pages(pdf_writer, tmp_path)
    summary = chunk_documents([path], tmp_path / "out", ChunkSettings(min_tokens=5, min_words=3))
    chunks = read_chunks(tmp_path / "out" / "chunks.jsonl")
    text = "\n".join(c.text for c in chunks)
    assert "Apiary Guild" not in text
    assert not any(line.strip().isdigit() for c in chunks for line in c.text.splitlines())
    for para in PARAS:
        assert para in text
    assert summary.failures == []


def test_headings_bullets_and_pages(pdf_writer, tmp_path: Path) -> None:
    path = _pages(pdf_writer, tmp_path)
    doc = parse_pdf(path, path.read_bytes())
    by_text = {b.text: b for b in doc.blocks}
    assert by_text["- round dance: food is near"].kind == "item"
    assert by_text["- waggle dance: food is far"].section == "How Bees Talk"
    drones = next(b for b in doc.blocks if b.text.startswith("Drones do not"))
    assert drones.page == 3 and drones.section == "Drones"


def test_reflow_joins_hyphenated_words() -> None:
    assert _join(["the colony regu-", "lates heat and self-", "care matters"]) == \
        "the colony regulates heat and self-care matters"
