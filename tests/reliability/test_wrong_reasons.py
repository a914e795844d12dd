"""The right reason, not a plausible wrong one (issue 15, items 5 and 8).

A manifest document with the wrong checksum (no EMBEDFORGE_CORPUS) names the checksum, not
"documents not in ..."; a PDF whose pypdf structure is broken is called malformed, not a scan;
a PDF whose first block has no title line starts on page 1, never page 0; a special file is
"not a regular file", not "no such file".
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hostile_files import GOOD, nested_dictionaries_pdf, pdf_with, special_files

from embedforge.corpus.loader import parse_document
from embedforge.corpus.manifest import locate_documents
from embedforge.corpus.sources import SourceFailure, iter_sources
from embedforge.errors import EmbedforgeError


def test_a_wrong_checksum_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMBEDFORGE_CORPUS", raising=False)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.html").write_text(f"<p>{GOOD}</p>", encoding="utf-8")
    wrong = hashlib.sha256(b"another page").hexdigest()
    manifest = tmp_path / "m.toml"
    manifest.write_text(f'[[documents]]\nname = "page"\nurl = "https://example.org/p"\ntype = "html"\n'
                        f'sha256 = "{wrong}"\npath = "docs/page.html"\n', encoding="utf-8")
    with pytest.raises(EmbedforgeError, match=r"page\.html: sha256 does not match") as info:
        locate_documents(manifest, fetch=False)
    assert "documents not in" not in str(info.value) and "\n" not in str(info.value)


def test_a_pdf_with_a_broken_structure_is_malformed_not_a_scan(tmp_path: Path) -> None:
    with pytest.raises(EmbedforgeError, match="the PDF is malformed") as info:
        parse_document(nested_dictionaries_pdf(tmp_path / "nested.pdf"))
    assert "scan" not in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(EmbedforgeError, match=r"no text layer \(a scan\?\)"):  # a clean PDF without text still is
        parse_document(pdf_with(tmp_path / "blank.pdf", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
                                b"BT ET"))


def test_a_first_block_without_a_title_starts_on_page_one(tmp_path: Path) -> None:
    content = f"BT /F1 11 Tf 72 720 Td ({GOOD}) Tj ET".encode("latin-1")
    path = pdf_with(tmp_path / "plain.pdf", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", content)
    document = parse_document(path)
    assert [block.page for block in document.blocks] == [1]


def test_special_files_are_not_regular_files(tmp_path: Path) -> None:
    fifo, zero = special_files(tmp_path)
    failures = [item for item in iter_sources([fifo, zero]) if isinstance(item, SourceFailure)]
    assert [f.reason.split(": ", 1)[1] for f in failures] == [
        "not a regular file (a FIFO); give a document file or a folder",
        "not a regular file (a device); give a document file or a folder"]
    for path in (fifo, zero):  # inside a folder they reach the loader, which says the same
        with pytest.raises(EmbedforgeError, match="not a regular file"):
            parse_document(path)
