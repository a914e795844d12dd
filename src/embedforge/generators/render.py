"""What one LLM call sends: a prompt rendered for one chunk in a backend's mode.

``completion`` mode is one text (instruction, examples, chunk, ending at the answer
cue); ``chat`` mode is a list of (role, content) messages. Both carry the stop
sequences. :meth:`Rendered.digest` hashes exactly that payload, and the cache key of a
call is built from it, so two prompt files that render the same text share cache
entries, and any edit that changes the text sent is a new call. ``embedforge prompt
show`` prints :meth:`Rendered.show`, and the dry run counts its tokens. Which mode a
backend takes is its kind's rule (``LlmSpec.mode``, in ``backends/base.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from embedforge.corpus.record import Chunk
from embedforge.fingerprint import object_hash
from embedforge.generators.prompt import Prompt

MODES = ("completion", "chat")


@dataclass(frozen=True)
class Rendered:
    """The payload of one call: ``text`` (completion) or ``messages`` (chat), and ``stop``.

    ``block`` is the chunk's own part (the filled template), the tail of a completion text.
    """

    mode: str
    text: str | None
    messages: tuple[tuple[str, str], ...] | None
    stop: tuple[str, ...]
    block: str

    def payload(self) -> dict[str, Any]:
        """Exactly what the backend receives, as plain data."""
        body: Any = self.text if self.mode == "completion" else [list(m) for m in self.messages or ()]
        return {"mode": self.mode, "prompt" if self.mode == "completion" else "messages": body,
                "stop": list(self.stop)}

    def digest(self) -> str:
        """Hash of :meth:`payload` (part of every cache key)."""
        return object_hash(self.payload(), 32)

    def show(self) -> str:
        """The payload for a person: the completion text as is, or each message under its role."""
        if self.mode == "completion":
            return self.text or ""
        return "\n\n".join(f"[{role}]\n{content}" for role, content in self.messages or ())

    def show_json(self) -> str:
        return json.dumps(self.payload(), ensure_ascii=False, indent=2)


def render(prompt: Prompt, chunk: Chunk, n: int, mode: str) -> Rendered:
    """``prompt`` for ``chunk`` asking ``n`` questions, in ``mode`` (``completion`` or ``chat``)."""
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} is not one of {MODES}")
    args = (chunk.text, chunk.title, chunk.section or "", n)
    block = prompt.block(chunk.text, chunk.title, chunk.section or "", n)
    stop = tuple(prompt.stops(n))
    if mode == "completion":
        return Rendered(mode, prompt.completion_text(*args), None, stop, block)
    return Rendered(mode, None, tuple(prompt.chat_messages(*args)), stop, block)

