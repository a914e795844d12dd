"""Bad inputs fail alone, with one line naming the file and the reason; --strict stops at the first."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedforge.corpus import ChunkSettings, chunk_documents, read_chunks
from embedforge.errors import EmbedforgeError

GOOD = ("Honey is made from nectar that worker bees collect and store in wax cells. The bees evaporate the "
        "water by fanning their wings until the sugar content rises above eighty percent, then cap them.")


def _bad_files(folder: Path, pdf_writer) -> dict[str, str]:
    """name -> the reason word expected in its failure line."""
    from pypdf import PdfReader, PdfWriter

    folder.mkdir()
    good_pdf = pdf_writer(folder / "good.pdf", [[("h", "Honey"), ("p", GOOD)]])
    writer = PdfWriter(clone_from=PdfReader(good_pdf))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    writer.write(folder / "encrypted.pdf")
    data = good_pdf.read_bytes()
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 3])
    (folder / "garbage.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    from fpdf import FPDF

    scan = FPDF()
    scan.add_page()
    scan.rect(20, 20, 100, 100, style="F")
    scan.output(str(folder / "scan.pdf"))
    (folder / "empty.md").write_bytes(b"")
    (folder / "binary.html").write_bytes(bytes(range(256)) * 40)
    (folder / "invalid.txt").write_bytes("Café ".encode() + b"\xc3\x28 broken " + GOOD.encode())
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    good_pdf.rename(folder / "zz-good.pdf")
    return {"encrypted.pdf": "encrypted", "truncated.pdf": "PDF", "garbage.pdf": "PDF",
            "scan.pdf": "text layer",
            "empty.md": "empty", "binary.html": "binary", "invalid.txt": "UTF-8"}


def test_each_bad_file_fails_alone(tmp_path: Path, pdf_writer) -> None:
    expected = _bad_files(tmp_path / "docs", pdf_writer)
    missing = tmp_path / "nowhere.pdf"
    summary = chunk_documents([tmp_path / "docs", missing], tmp_path / "out", ChunkSettings(min_tokens=5))
    failures = dict(summary.failures)
    assert len(failures) == len(expected) + 1
    for name, word in expected.items():
        reason = failures[f"docs/{name}"]
        assert "\n" not in reason and name in reason and word.lower() in reason.lower(), reason
    assert "no such file" in failures[str(missing)]
    assert summary.documents_read == 2 and not summary.ok
    texts = [c.text for c in read_chunks(tmp_path / "out" / "chunks.jsonl")]
    assert texts == [GOOD]  # both good documents carry the same text: the second is a duplicate
    assert summary.dropped == {"duplicate": 1}
    assert "documents failed: 8" in summary.format()


def test_strict_stops_at_first_failure(tmp_path: Path, pdf_writer) -> None:
    _bad_files(tmp_path / "docs", pdf_writer)
    with pytest.raises(EmbedforgeError, match=r"binary\.html: binary data"):
        chunk_documents([tmp_path / "docs"], tmp_path / "out", ChunkSettings(strict=True))
    assert not (tmp_path / "out" / "chunks.jsonl").exists()
