"""Fixtures of the corpus tests: the ALS chunks (built once) and builders for unseen documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedforge.corpus import ChunkSettings, CorpusSummary, chunk_documents


@pytest.fixture(scope="session")
def als_run(als_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[CorpusSummary, Path]:
    """chunk_documents over the ALS folder, once per session (default settings, isolated parsing)."""
    out = tmp_path_factory.mktemp("als_chunks")
    return chunk_documents([als_corpus], out, ChunkSettings()), out / "chunks.jsonl"


def write_pdf(path: Path, pages: list[list[tuple[str, str]]], header: str | None = None,
              footer_numbers: bool = True) -> Path:
    """A real PDF (fpdf2): each page a list of (style, text); "h" bold heading, "p" paragraph, "b" bullet."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    for number, page in enumerate(pages, 1):
        pdf.add_page()
        if header:
            pdf.set_font("Helvetica", size=9)
            pdf.cell(0, 6, header, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        for style, text in page:
            if style == "h":
                pdf.set_font("Helvetica", style="B", size=13)
                pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
            elif style == "b":
                pdf.set_font("Helvetica", size=11)
                pdf.multi_cell(0, 6, "- " + text, new_x="LMARGIN", new_y="NEXT")
            else:
                pdf.set_font("Helvetica", size=11)
                pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(4)
        if footer_numbers:
            pdf.set_y(-15)
            pdf.set_font("Helvetica", size=9)
            pdf.cell(0, 6, str(number), align="C")
    pdf.output(str(path))
    return path


@pytest.fixture
def pdf_writer():  # type: ignore[no-untyped-def]
    """:func:`write_pdf`, for tests that build their own PDFs."""
    return write_pdf
