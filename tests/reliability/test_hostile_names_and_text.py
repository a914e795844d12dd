"""File names a terminal would obey, undeclared Latin-1, a PDF of one repeated line, query texts that are not text.

One ``embedforge chunk`` (the installed console script) over a folder holding: a file whose name
carries an ANSI escape and U+202E (printed raw, they recoloured the terminal and showed
``txt.exe`` as ``exe.txt``: now escaped); a Latin-1 file with no declared encoding (charset-
normalizer read "crème brûlée" as cp1250's "crčme brűlée": now windows-1252, and the encoding is
said); a 40-page PDF repeating one line (said to have "no text layer (a scan?)": now the rule
that dropped its text is named). ``dataset export`` of a query without text, or with a null or
numeric one, is one line (it was ``internal error: KeyError``, or exported as is).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_files import write_pdf

from embedforge.dataset.layout import RetrievalDataset, write_dataset_dir

SCRIPT = Path(sys.executable).with_name("embedforge")
LATIN1 = "Café au lait, crème brûlée and a crêpe: the menu of the café by the river, open every day.\n"
EVIL = "evil\x1b[31mred\u202etxt.exe.txt"


def repeated_line_pdf(path: Path, pages: int) -> Path:
    """A PDF whose every page shows the same one line of text."""
    content = b"BT /F1 12 Tf 72 720 Td (The same line on every page of this report.) Tj ET"
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i in range(pages):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> "
                       f">> /Contents {5 + 2 * i} 0 R >>".encode())
        objects.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
    return write_pdf(path, objects)


def test_names_encodings_and_a_repeated_pdf_in_one_chunk_run(tmp_path: Path) -> None:
    docs, out = tmp_path / "docs", tmp_path / "out"
    docs.mkdir()
    (docs / "latin1.txt").write_bytes(LATIN1.encode("latin-1"))
    (docs / EVIL).write_text("A hospice nurse visits the family at home to adjust pain medicine and to teach the "
                             "caregivers how to move the person safely between bed and chair.", encoding="utf-8")
    (docs / "empty\x1b[2J.txt").write_text("", encoding="utf-8")
    repeated_line_pdf(docs / "report.pdf", 40)
    done = subprocess.run([str(SCRIPT), "chunk", str(docs), "--out", str(out), "--embedder", "bundled-minilm"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    printed = done.stderr + done.stdout
    assert "\x1b" not in printed and "\u202e" not in printed
    assert "docs/empty\\x1b[2J.txt: empty file" in done.stderr
    assert "docs/latin1.txt: not UTF-8 and no encoding declared; read as cp1252 (detected)" in printed
    assert ("docs/report.pdf: all its text was dropped as running headers and footers (lines at the page edges "
            "repeated on at least half of its 40 pages)") in done.stderr
    chunks = {row["source"]: row["text"] for row in map(json.loads, (out / "chunks.jsonl").read_text().splitlines())}
    assert chunks["docs/latin1.txt"] == LATIN1.strip()
    assert "docs/evil\\x1b[31mred\\u202etxt.exe.txt" in chunks


@pytest.mark.parametrize(("query", "says"), [
    ({"_id": "q1", "chunk_id": "c1"}, "id 'q1' has no text"),
    ({"_id": "q1", "text": None}, "id 'q1' has \"text\": null"),
    ({"_id": "q1", "text": 5}, "id 'q1' has \"text\": 5"),
])
def test_export_refuses_a_query_whose_text_is_not_text(tmp_path: Path, query: dict[str, object], says: str) -> None:
    folder = tmp_path / "dataset"
    write_dataset_dir(folder, RetrievalDataset(corpus={"c1": {"title": "", "text": "A chunk about bees."}},
                                               queries={"q1": {"text": "What about bees?"}},
                                               qrels={"train": {"q1": {"c1"}}}))
    (folder / "queries.jsonl").write_text(json.dumps(query) + "\n", encoding="utf-8")
    done = subprocess.run([str(SCRIPT), "dataset", "export", str(folder), "--out", str(tmp_path / "x")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0] and "queries.jsonl" in lines[0], done.stderr
    assert not (tmp_path / "x").exists()
