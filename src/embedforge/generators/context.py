"""A prompt against an in-process model's context window, checked before the first call.

llama.cpp sizes the bundled model's context to the longest prompt it is given, so a huge
prompt (a 10 MB few-shot example) once grew it to 13.8 GB over 75 s before anything said
why. :func:`check_context` reads the model's trained context length from its GGUF header
(:func:`gguf_context_length`: a few kilobytes, no vocabulary or weights) and refuses, in
one line giving both numbers, a prompt whose fixed part (instruction and examples, rendered
as for a chunk) and answer cannot fit. Tokens are counted with the dry run's counter
(``tokens.py``), and only when the bytes alone could overflow; a long prompt is counted a
growing prefix at a time, so a 10 MB one is refused after its first quarter megabyte.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

from embedforge.corpus.record import Chunk
from embedforge.errors import EmbedforgeError
from embedforge.generators.backends.base import LlmSpec
from embedforge.generators.prompt import Prompt
from embedforge.generators.render import render

_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
_FIRST_PREFIX = 256 * 1024  # characters tokenized first; each further try takes 4 times more
_PROBE = Chunk.create("x", source="context-check")


def gguf_context_length(path: str | Path) -> int | None:
    """The ``<architecture>.context_length`` of a GGUF file, read from its header; None when absent or unreadable."""
    try:
        with open(path, "rb") as file:
            if file.read(4) != b"GGUF":
                return None
            _version, _tensors, count = struct.unpack("<IQQ", file.read(20))
            values: dict[str, object] = {}
            for _ in range(count):
                key = _string(file)
                values[key] = _value(file, struct.unpack("<I", file.read(4))[0])
                arch = values.get("general.architecture")
                if isinstance(arch, str) and f"{arch}.context_length" in values:
                    length = values[f"{arch}.context_length"]
                    return int(length) if isinstance(length, int) and length > 0 else None
    except (OSError, struct.error, UnicodeDecodeError, ValueError):
        return None
    return None


def _string(file: BinaryIO) -> str:
    (size,) = struct.unpack("<Q", file.read(8))
    if size > 1 << 20:
        raise ValueError("a GGUF string over 1 MiB: not a header we can read")
    return file.read(size).decode("utf-8")


def _value(file: BinaryIO, kind: int) -> object:
    """One value; an array is skipped (None): the context length is a scalar."""
    if kind == _STRING:
        return _string(file)
    if kind == _ARRAY:
        item, count = struct.unpack("<IQ", file.read(12))
        if item in _SCALARS:
            file.seek(count * struct.calcsize(_SCALARS[item]), 1)
        else:
            for _ in range(count):
                _value(file, item)
        return None
    if kind not in _SCALARS:
        raise ValueError(f"GGUF value type {kind}")
    return struct.unpack(_SCALARS[kind], file.read(struct.calcsize(_SCALARS[kind])))[0]


def check_context(prompt: Prompt, spec: LlmSpec, n: int, answer_tokens: int) -> None:
    """Refuse ``prompt`` when its fixed part and ``answer_tokens`` overflow ``spec``'s context (GGUF models only).

    Raises:
        EmbedforgeError: the prompt does not fit, with its length and the model's limit.
    """
    path = spec.gguf_path()
    if path is None:
        return
    limit = gguf_context_length(path)
    text = render(prompt, _PROBE, n, "completion").text or ""
    room = 0 if limit is None else limit - answer_tokens
    if limit is None or len(text.encode("utf-8")) + 1 < room:  # at most one token a byte, and BOS
        return
    tokens, exact = _count(spec, text, room)
    if tokens >= room:
        size = f"{tokens} tokens" if exact else f"over {tokens} tokens ({len(text)} characters)"
        raise EmbedforgeError(f"{prompt.source}: the prompt is {size} before any chunk, and the answer takes up to "
                              f"{answer_tokens} more, but {spec.raw}'s context holds {limit} tokens; shorten the "
                              "prompt's instruction or examples")


def _count(spec: LlmSpec, text: str, room: int) -> tuple[int, bool]:
    """Tokens of ``text`` (exact), or of the first prefix already over ``room`` (not exact, one less for the cut)."""
    count = spec.token_counter().count_text
    size = _FIRST_PREFIX
    while size < len(text):
        tokens = count(text[:size]) - 1  # the cut may split one token in two
        if tokens >= room:
            return tokens, False
        size *= 4
    return count(text), True
