"""Prompts: a TOML file with a name, an instruction, a template, few-shot examples and stop sequences.

The packaged prompts live in ``generators/prompts/``; ``--prompt FILE`` loads another.
A prompt renders two ways: as one completion text for base models (instruction,
the examples, then the chunk, ending at the answer cue) and as chat messages
(instruction as system message, each example as a user/assistant pair). The
fixed part comes first, so llama.cpp re-uses its evaluated prefix across chunks.

The chunk sits between the prompt's ``fence`` markers; any fence marker inside
the chunk is neutralised first, so a chunk cannot close its block and speak as
the prompt.

File fields: ``name``, ``instruction`` (the chat system message), ``header`` (optional
first line of completion prompts: small base models follow examples better without
a long instruction), ``template`` (placeholders ``{context}``, and
optionally ``{title}``, ``{section}``, ``{n}``), ``fence = [open, close]``,
``stop`` (``{next}`` is replaced by n+1), ``[[examples]]`` with ``context``, ``title``,
``section``, ``questions``, ``language`` (default en) and ``only_same_language``.
"""

from __future__ import annotations

import re
import string
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from embedforge.errors import EmbedforgeError
from embedforge.fingerprint import object_hash
from embedforge.generators.language import guess_language

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_FIELDS = {"context", "title", "section", "n"}
# Fence characters inside a chunk become look-alikes, so the chunk cannot close its block.
_LOOKALIKE = str.maketrans({"<": "‹", ">": "›", "`": "ˋ", "#": "＃", '"': "”", "'": "’", "=": "＝"})


@dataclass(frozen=True)
class Example:
    """One few-shot example: a passage and the question(s) it answers."""

    context: str
    questions: tuple[str, ...]
    title: str = ""
    section: str = ""
    language: str = "en"
    only_same_language: bool = False


@dataclass(frozen=True)
class Prompt:
    """A loaded prompt; ``hash`` is the content hash recorded with every question."""

    name: str
    instruction: str
    header: str
    template: str
    fence: tuple[str, str]
    stop: tuple[str, ...]
    examples: tuple[Example, ...]
    hash: str
    source: str

    def stops(self, n: int) -> list[str]:
        """Stop sequences for ``n`` questions."""
        return [s.replace("{next}", str(n + 1)) for s in self.stop]

    def fenced(self, text: str) -> str:
        """``text`` with every fence marker (any case) neutralised."""
        for marker in self.fence:
            text = re.sub(
                re.escape(marker),
                lambda m: m.group(0).translate(_LOOKALIKE),
                text,
                flags=re.IGNORECASE,
            )
        return text

    def block(self, context: str, title: str, section: str, n: int) -> str:
        """The template filled for one passage."""
        return self.template.format(
            context=self.fenced(context.strip()),
            title=self.fenced(title.strip()) or "untitled",
            section=self.fenced(section.strip()) or "-",
            n=n,
        )

    def answer(self, questions: tuple[str, ...], n: int) -> str:
        """How an example's answer is written: one question, or a numbered list continuing '1.'."""
        rest = "".join(f"\n{i}. {q}" for i, q in enumerate(questions[1:n], start=2))
        return " " + questions[0] + rest

    def examples_for(self, context: str) -> list[Example]:
        """The examples for a chunk: file order for English; otherwise examples in the chunk's language last.

        ``only_same_language`` examples serve chunks in their language only, so adding
        one leaves the prompt of every other chunk (and its cache entries) unchanged.
        """
        language = guess_language(context) or "en"
        chosen = [
            e for e in self.examples if e.questions and (not e.only_same_language or e.language == language)
        ]
        if language != "en":
            chosen.sort(key=lambda e: e.language == language)
        return chosen

    def completion_text(self, context: str, title: str = "", section: str = "", n: int = 1) -> str:
        """The whole completion prompt for one chunk, ending at the answer cue."""
        parts = [self.header.format(n=n).strip(), ""] if self.header.strip() else []
        for ex in self.examples_for(context):
            if ex.questions:
                parts += [self.block(ex.context, ex.title, ex.section, n) + self.answer(ex.questions, n), ""]
        parts.append(self.block(context, title, section, n))
        return "\n".join(parts)

    def chat_messages(
        self, context: str, title: str = "", section: str = "", n: int = 1
    ) -> list[tuple[str, str]]:
        """(role, content) messages for a chat model."""
        messages = [("system", self.instruction.format(n=n).strip())]
        for ex in self.examples_for(context):
            if ex.questions:
                messages += [
                    ("user", self.block(ex.context, ex.title, ex.section, n)),
                    ("assistant", self.answer(ex.questions, n).strip()),
                ]
        messages.append(("user", self.block(context, title, section, n)))
        return messages


def _parse(data: dict[str, Any], source: str) -> Prompt:
    try:
        template = str(data["template"])
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        if "context" not in fields or not fields <= _FIELDS:
            raise EmbedforgeError(f"{source}: template must use {{context}} and only {sorted(_FIELDS)}")
        examples = tuple(
            Example(
                str(e["context"]),
                tuple(str(q) for q in e["questions"]),
                str(e.get("title", "")),
                str(e.get("section", "")),
                str(e.get("language", "en")),
                bool(e.get("only_same_language", False)),
            )
            for e in data.get("examples", [])
        )
        fence = tuple(str(f) for f in data.get("fence", []))
        if len(fence) != 2:
            raise EmbedforgeError(f"{source}: fence must be [open, close] markers around {{context}}")
        return Prompt(
            name=str(data["name"]),
            instruction=str(data.get("instruction", "")),
            header=str(data.get("header", "")),
            template=template,
            fence=(fence[0], fence[1]),
            stop=tuple(str(s) for s in data.get("stop", [])),
            examples=examples,
            hash=object_hash(data),
            source=source,
        )
    except KeyError as exc:
        raise EmbedforgeError(
            f"{source}: prompt file lacks {exc.args[0]!r}; see generators/prompts/default.toml"
        ) from exc


def load_prompt(name_or_path: str | None = None) -> Prompt:
    """Load a packaged prompt by name (``default``, ``multi``) or a TOML file by path.

    Raises:
        EmbedforgeError: unknown name, missing or malformed file.
    """
    name = name_or_path or "default"
    path = Path(name).expanduser()
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise EmbedforgeError(
                f"--prompt {name}: file not found; give a prompt .toml file or a packaged name"
            )
        raw, source = path.read_text(encoding="utf-8"), str(path)
    else:
        packaged = resources.files("embedforge.generators") / "prompts" / f"{name}.toml"
        if not packaged.is_file():
            raise EmbedforgeError(
                f"--prompt {name}: no such packaged prompt; use default, multi or a .toml file"
            )
        raw, source = packaged.read_text(encoding="utf-8"), f"packaged:{name}"
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise EmbedforgeError(f"{source}: not valid TOML ({exc}); fix the prompt file") from exc
    return _parse(data, source)
