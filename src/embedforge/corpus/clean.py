"""Text hygiene shared by every loader: decoding bytes, repairing mojibake, whitespace.

Web pages lie about their encoding and PDFs carry typographic debris, and the
reference pipeline let ``â€™`` and ``Â`` into its training data. Every loader
sends raw bytes through :func:`decode_bytes` and every text run through
:func:`clean_inline`, so one place decides what clean text looks like.
"""

from __future__ import annotations

import codecs
import re

import ftfy

from embedforge.errors import EmbedforgeError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# A valid multi-byte UTF-8 sequence: next to invalid bytes it means corrupt UTF-8, not another code page.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SPACE_BEFORE_PUNCT = re.compile(r"(?<=[\w\)\]\"”’%])\s+([,.;:!?])(?=\s|$|[\"”’)])")
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")


def looks_binary(data: bytes) -> bool:
    """True when the first 8 KiB hold NUL bytes or mostly control bytes (an image, an archive...)."""
    head = data[:8192]
    if not head:
        return False
    if any(head.startswith(bom) for bom, _ in _BOMS[1:]):
        return False  # UTF-16/32 text is full of NULs
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return controls / len(head) > 0.05


def decode_bytes(data: bytes, name: str, declared: str | None = None, fix: bool = True,
                 notes: list[str] | None = None) -> str:
    """Decode a document's bytes to text.

    Order: a BOM; strict UTF-8 (right even when the page declares another charset);
    the declared charset; charset-normalizer's detection. Then mojibake repair, unless ``fix``
    is False (the HTML loader repairs only the text it keeps: ftfy over a whole page is slow).
    A detected encoding is appended to ``notes`` as one line, so the user learns what was assumed.

    Raises:
        EmbedforgeError: empty, binary, or corrupt UTF-8 (valid and invalid sequences mixed).
    """
    text = _decode(data, name, declared, notes if notes is not None else [])
    return repair(text) if fix else text


def _decode(data: bytes, name: str, declared: str | None, notes: list[str]) -> str:
    if not data.strip():
        raise EmbedforgeError(f"{name}: empty file; remove it or add text")
    if looks_binary(data):
        raise EmbedforgeError(f"{name}: binary data, not text; check the file type")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _UTF8_MULTIBYTE.search(data):
            raise EmbedforgeError(
                f"{name}: invalid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                "re-save the file as UTF-8"
            ) from exc
    if declared and _known_codec(declared):
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass  # the declaration is wrong too; detect below
    encoding = _detect(data, name)
    notes.append(f"{name}: not UTF-8 and no encoding declared; read as {encoding} (detected), "
                 "re-save it as UTF-8 if the text looks wrong")
    return data.decode(encoding, errors="replace")


def _known_codec(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _detect(data: bytes, name: str) -> str:
    """The encoding charset-normalizer finds; windows-1252 where that reads as well and as plainly.

    On a few words every single-byte code page decodes without chaos, and charset-normalizer's
    pick among them is close to chance ("Caf\\xe9" came out "Cafķ", "crème brûlée" "crčme brűlée").
    windows-1252, the WHATWG Encoding standard's default for undeclared legacy text, wins where it
    decodes with no more chaos than the pick (or the pick has no language signal at all) and gives
    only letters and typographic punctuation beyond ASCII; Polish or Russian bytes read as cp1252
    give symbols (``¿³¹``) or chaos, and keep the detected code page.
    """
    from charset_normalizer import from_bytes

    results = from_bytes(data)
    best = results.best()
    if best is None:
        raise EmbedforgeError(f"{name}: not UTF-8 and no text encoding fits; re-save the file as UTF-8")
    western = next((match for match in results if match.encoding == "cp1252"), None)
    as_good = best.coherence == 0.0 if western is None else western.chaos <= best.chaos
    return "cp1252" if as_good and _plain_cp1252(data) else str(best.encoding)


_TYPOGRAPHY = set("€‚„…†‡‰‹›‘’“”•–—™«»°·©®§¶´¨¡¿")


def _plain_cp1252(data: bytes) -> bool:
    """True when ``data`` decodes as windows-1252 to ASCII, letters and typographic punctuation only."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return all(ch.isascii() or ch.isalpha() or ch in _TYPOGRAPHY for ch in text)


def repair(text: str) -> str:
    """Fix mojibake (``â€™`` -> ``’``, ``Â `` -> space) and drop control characters."""
    fixed = ftfy.fix_text(text, normalization="NFC", unescape_html=False)
    return _CONTROL.sub("", fixed)


def clean_inline(text: str) -> str:
    """One clean line: whitespace collapsed, zero-width marks gone, no space before ``.,;:!?``.

    >>> clean_inline("known as\\n FTD-ALS  .  Next")
    'known as FTD-ALS. Next'
    """
    text = _ZERO_WIDTH.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    return _SPACE_BEFORE_PUNCT.sub(r"\1", text)
