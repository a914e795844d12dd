"""Hostile documents, all in one folder with a good one: each ends within its limits, the good one is chunked.

Extends ``tests/corpus/test_corpus_bad_inputs.py`` (encrypted, truncated, garbage,
scanned PDFs; empty, binary, invalid UTF-8 text) with the expensive kinds: a PDF
with a broken xref table, one whose content stream is a decompression bomb
(1 GiB of zeros in ~1 MiB), one of 2,000 pages, HTML of 50 MB, HTML nested
10,000 deep, and HTML mixing UTF-8 and Latin-1 bytes. Parsing runs in the worker
process under small test limits (20 s, 1024 MiB a document); each hostile file
must end with text or one error line naming it, and the good document's chunks
must be written.
"""

from __future__ import annotations

import zlib
from importlib.metadata import version
from pathlib import Path

import pytest

from embedforge.corpus import ChunkSettings, chunk_documents, read_chunks
from embedforge.corpus.settings import ParseLimits

pytestmark = pytest.mark.slow

LIMITS = ParseLimits(timeout_s=20.0, memory_mb=1024)
GOOD = ("Honey is made from nectar that worker bees collect and store in wax cells. The bees evaporate the "
        "water by fanning their wings until the sugar content rises above eighty percent, then cap them.")
DEEP = "Deeply nested paragraph about rye flour fermentation and the enzymes of whole grain."


def raw_pdf(path: Path, streams: list[bytes], filters: str = "", break_xref: bool = False) -> Path:
    """A hand-written PDF with one page per content stream (each already encoded by ``filters``)."""
    pages = len(streams)
    kids = " ".join(f"{4 + i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *[b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
          + f"/Contents {4 + pages + i} 0 R >>".encode() for i in range(pages)],
        *[f"<< /Length {len(content)}{' /Filter ' + filters if filters else ''} >>\nstream\n".encode()
          + content + b"\nendstream" for content in streams],
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{(offset + 7) if break_xref else offset:010d} 00000 n \n".encode()
    start = xref + (13 if break_xref else 0)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{start}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def _text_stream(text: str) -> bytes:
    return f"BT /F1 11 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")


def _bomb(gib: float = 1.0) -> bytes:
    """Zeros that inflate to ``gib`` GiB, deflated (about 1 MiB)."""
    packer, block = zlib.compressobj(9), bytes(16 * 2**20)
    parts = [packer.compress(block) for _ in range(int(gib * 64))]
    return b"".join(parts) + packer.flush()


def _hostile_folder(folder: Path) -> dict[str, str]:
    """Write the hostile files; return name -> what they are."""
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    raw_pdf(folder / "broken-xref.pdf", [_text_stream("A page whose xref table points at the wrong bytes "
                                                       "but whose objects are all there to be found.")],
            break_xref=True)
    raw_pdf(folder / "bomb.pdf", [_bomb()], filters="/FlateDecode")
    raw_pdf(folder / "2000-pages.pdf", [_text_stream(f"Page {n} of a long report: shift {n % 7} logged "
                                                     f"{n * 3} crates of apples.") for n in range(2000)])
    no_text = FPDF()
    no_text.add_page()
    no_text.rect(20, 20, 100, 100, style="F")
    no_text.output(str(folder / "no-text.pdf"))
    writer = PdfWriter(clone_from=PdfReader(raw_pdf(folder / "plain.pdf", [_text_stream(GOOD)])))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    writer.write(folder / "encrypted.pdf")
    (folder / "plain.pdf").unlink()
    sentence = "Fifty megabytes of the same sentence about glaciers and their moraines. "
    paragraph = "<p>" + sentence * 20 + "</p>\n"
    with (folder / "huge.html").open("w", encoding="utf-8") as page:
        page.write("<html><body><main>")
        page.write(paragraph * (50 * 2**20 // len(paragraph)))
        page.write("</main></body></html>")
    (folder / "deep.html").write_text(
        f"<html><body><main><p>{GOOD}</p>" + "<div>" * 10_000 + f"<p>{DEEP}</p>" + "</div>" * 10_000
        + "</main></body></html>", encoding="utf-8")
    (folder / "mixed-encodings.html").write_bytes(
        b"<html><head><meta charset='utf-8'></head><body><main><p>"
        + "The café serves crème brûlée to every naïve visitor who asks politely. ".encode() * 4
        + "The façade of the old mill was rebuilt in 1998 by the village. ".encode("latin-1") * 4
        + b"</p></main></body></html>")
    return {name: name for name in ("broken-xref.pdf", "bomb.pdf", "2000-pages.pdf", "no-text.pdf",
                                    "encrypted.pdf", "huge.html", "deep.html", "mixed-encodings.html")}


def test_pypdf_carries_the_denial_of_service_fixes() -> None:
    major, minor = (int(part) for part in version("pypdf").split(".")[:2])
    assert (major, minor) >= (6, 12)
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"pypdf>=6.12' in pyproject  # the lower bound, whatever upper bound follows it


def test_each_hostile_document_ends_in_bounds_and_the_others_go_on(tmp_path: Path) -> None:
    hostile = _hostile_folder(tmp_path / "docs")
    settings = ChunkSettings(min_tokens=5, limits=LIMITS)
    summary = chunk_documents([tmp_path / "docs"], tmp_path / "out", settings)
    failures = dict(summary.failures)
    chunks = read_chunks(tmp_path / "out" / "chunks.jsonl")
    sources = {chunk.source for chunk in chunks}
    assert "docs/good.txt" in sources and any(GOOD in chunk.text for chunk in chunks)
    for name in hostile:
        label = f"docs/{name}"
        if label in failures:
            reason = failures[label]
            assert "\n" not in reason and name in reason, reason
        else:  # read: it must have given text, not vanished silently
            assert label in sources or summary.dropped, f"{name}: neither failed nor chunked"
    assert {"docs/encrypted.pdf", "docs/no-text.pdf"} <= set(failures)
    assert "encrypted" in failures["docs/encrypted.pdf"] and "text layer" in failures["docs/no-text.pdf"]
    _deep_page_is_whole_or_flagged(summary, failures, chunks)
    mixed = " ".join(c.text for c in chunks if c.source == "docs/mixed-encodings.html")
    assert "docs/mixed-encodings.html" in failures or ("crème brûlée" in mixed and "façade" in mixed), mixed


def _deep_page_is_whole_or_flagged(summary, failures, chunks) -> None:  # type: ignore[no-untyped-def]
    """The 10,000-deep page: failed with a reason, or read whole, or read short with a warning saying so."""
    if "docs/deep.html" in failures:
        return
    text = " ".join(c.text for c in chunks if c.source == "docs/deep.html")
    assert DEEP in text or any("deep.html" in warning for warning in summary.warnings), text[:300]
