"""Builders of the round-two hostile files (issue 15), shared by its tests.

Each returns the path written. None of them needs the network or a model.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

GOOD = ("Respite care gives family caregivers a planned break while trained staff look after the person "
        "with ALS at home or in a day centre, for a few hours or for several days.")
WORDS = ("respite", "care", "hospice", "caregiver", "planned", "break", "hours", "nurse", "visit", "pain",
         "medicine", "family", "support")


def write_pdf(path: Path, objects: list[bytes]) -> Path:
    """Write ``objects`` (object 1 the catalog) as a PDF with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def prose(paragraphs: int, seed: int, words: int = 60) -> str:
    """Paragraphs of seeded pseudo-prose, separated by blank lines."""
    rng = random.Random(seed)
    return "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(words)) + "." for _ in range(paragraphs))


def pdf_with(path: Path, extra: bytes, content: bytes = b"") -> Path:
    """A one-page PDF whose font resource is the object ``extra`` and whose page shows ``content``."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
        extra,
    ]
    return write_pdf(path, objects)


def nested_dictionaries_pdf(path: Path, depth: int = 60000) -> Path:
    """About 900 KB of dictionaries nested ``depth`` deep, each with a duplicate key, and no text.

    pypdf logs a warning for every duplicate and every level it cannot read: thousands of lines.
    """
    return pdf_with(path, b"<< /A 1 /A " * depth + b"1" + b" >>" * depth, b"BT ET")


def xhtml(path: Path) -> Path:
    """A page with an XML declaration, which bs4 warns about when parsed as HTML (XMLParsedAsHTMLWarning)."""
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
                    f"<head><title>Respite</title></head><body><main><p>{GOOD}</p></main></body></html>",
                    encoding="utf-8")
    return path


def one_huge_line(path: Path, words: int = 1_200_000) -> Path:
    """About 8 MB of words without a line break: the tokenizer (Rust) aborts out of memory under 900 MiB."""
    rng = random.Random(3)
    path.write_text(" ".join(rng.choice(WORDS) for _ in range(words)), encoding="utf-8")
    return path


def non_utf8_name(folder: Path) -> Path:
    """A good text file named ``caf\\xe9.txt`` (Latin-1 bytes, not UTF-8); its str path holds a surrogate."""
    name = os.fsencode(folder) + b"/caf\xe9.txt"
    with open(name, "w", encoding="utf-8") as handle:
        handle.write("A hospice nurse visits the family at home to adjust pain medicine and to teach the "
                     "caregivers how to move the person safely between bed and chair.")
    return Path(os.fsdecode(name))


def special_files(folder: Path) -> list[Path]:
    """A FIFO and a symlink to /dev/zero, both named like text documents."""
    fifo, zero = folder / "fifo.txt", folder / "zero.txt"
    os.mkfifo(fifo)
    zero.symlink_to("/dev/zero")
    return [fifo, zero]
