"""Prompts: a TOML file with an instruction, a template, few-shot examples, a fence and stop sequences.

The packaged prompts live in ``generators/prompts/``; ``--prompt FILE`` loads another.
Every field reaches every backend (``render.py`` lays them out): a completion model
(bundled, ``llamacpp:``, ``--completions`` servers) gets one text, the instruction
first, then each example's filled template and answer, then the chunk's template,
ending at the answer cue; a chat model gets the instruction as the system message and
each example as a user/assistant pair. The fixed part comes first, so llama.cpp
re-uses its evaluated prefix across chunks. ``docs/prompts.md`` documents the format.

A key the format does not know (a typo such as ``instructions``, or the removed
``header``) is an error naming it, never silently ignored. ``hash`` is computed over
what the prompt renders from (not the name, comments or TOML layout), so two files
that render the same text have the same hash; the cache key of each call is the hash
of the exact text or messages sent (``render.Rendered.digest``).

The chunk sits between the prompt's ``fence`` markers; any fence marker inside the
chunk is neutralised first, so a chunk cannot close its block and speak as the prompt.
"""

from __future__ import annotations

import re
import string
import sys
from dataclasses import asdict, dataclass
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
_KEYS = {"name", "instruction", "template", "fence", "stop", "examples"}
_EXAMPLE_KEYS = {"context", "questions", "title", "section", "language", "only_same_language"}
_REMOVED = {"header": "its text belongs in `instruction`, which now reaches completion and chat models alike"}
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
    """A loaded prompt; ``hash`` (over the fields it renders from) is recorded with every question."""

    name: str
    instruction: str
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
            text = re.sub(re.escape(marker), lambda m: m.group(0).translate(_LOOKALIKE), text, flags=re.IGNORECASE)
        return text

    def instruction_text(self, n: int) -> str:
        """The instruction for ``n`` questions ("" when the file has none)."""
        return self.instruction.format(n=n).strip()

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
        chosen = [e for e in self.examples if not e.only_same_language or e.language == language]
        if language != "en":
            chosen.sort(key=lambda e: e.language == language)
        return chosen

    def completion_text(self, context: str, title: str = "", section: str = "", n: int = 1) -> str:
        """The whole completion prompt for one chunk: instruction, examples, the chunk, ending at the answer cue."""
        instruction = self.instruction_text(n)
        parts = [instruction, ""] if instruction else []
        for ex in self.examples_for(context):
            parts += [self.block(ex.context, ex.title, ex.section, n) + self.answer(ex.questions, n), ""]
        parts.append(self.block(context, title, section, n))
        return "\n".join(parts)

    def chat_messages(self, context: str, title: str = "", section: str = "", n: int = 1) -> list[tuple[str, str]]:
        """(role, content) messages for a chat model: the instruction as system message, examples as turns."""
        instruction = self.instruction_text(n)
        messages = [("system", instruction)] if instruction else []
        for ex in self.examples_for(context):
            messages += [
                ("user", self.block(ex.context, ex.title, ex.section, n)),
                ("assistant", self.answer(ex.questions, n).strip()),
            ]
        messages.append(("user", self.block(context, title, section, n)))
        return messages


def _placeholders(text: str, source: str, field: str) -> set[str]:
    """The names of ``text``'s placeholders, each of which must be a plain ``{name}``.

    A format spec (``{context:>3000000000}`` pads to gigabytes), a conversion (``!r``), an
    attribute or index (``{title.__class__}``), a nested field or a positional ``{}`` would
    be evaluated by ``str.format``, so each is refused here, before any work.

    Raises:
        EmbedforgeError: a malformed template, or a placeholder that is not a plain name, naming it.
    """
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise EmbedforgeError(f"{source}: {field}: {exc}; write a literal brace as {{{{ or }}}}") from exc
    names = set()
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            written = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise EmbedforgeError(f"{source}: {field}: placeholder {written[:80]} is not a plain {{field}} (no "
                                  "format spec, conversion, attribute, index or nesting); write plain fields "
                                  "such as {context}, and a literal brace as {{ or }}")
        names.add(name)
    return names


def _check_keys(data: dict[str, Any], allowed: set[str], source: str, where: str) -> None:
    for key in data:
        if key in _REMOVED:
            raise EmbedforgeError(f"{source}: {where}{key}: not a prompt field any more; {_REMOVED[key]}")
        if key not in allowed:
            raise EmbedforgeError(f"{source}: {where}{key}: unknown prompt field (would be ignored by every "
                                  f"backend); use only {sorted(allowed)}, see docs/prompts.md")


def _example(raw: Any, i: int, source: str) -> Example:
    where = f"examples[{i}]."
    if not isinstance(raw, dict):
        raise EmbedforgeError(f"{source}: examples[{i}]: not a table; write it as [[examples]]")
    _check_keys(raw, _EXAMPLE_KEYS, source, where)
    questions = tuple(str(q) for q in raw.get("questions", []))
    if "context" not in raw or not questions:
        raise EmbedforgeError(f"{source}: {where}{'context' if 'context' not in raw else 'questions'}: missing "
                              "or empty; every example needs a context and at least one question")
    return Example(str(raw["context"]), questions, str(raw.get("title", "")), str(raw.get("section", "")),
                   str(raw.get("language", "en")), bool(raw.get("only_same_language", False)))


def _parse(data: dict[str, Any], source: str) -> Prompt:
    _check_keys(data, _KEYS, source, "")
    for key in ("name", "template"):
        if key not in data:
            raise EmbedforgeError(f"{source}: prompt file lacks {key!r}; see docs/prompts.md")
    template, instruction = str(data["template"]), str(data.get("instruction", ""))
    fields = _placeholders(template, source, "template")
    if "context" not in fields or not fields <= _FIELDS:
        raise EmbedforgeError(f"{source}: template must use {{context}} and only {sorted(_FIELDS)}")
    if not _placeholders(instruction, source, "instruction") <= {"n"}:
        raise EmbedforgeError(f"{source}: instruction: the only placeholder it may use is {{n}}")
    examples = tuple(_example(e, i, source) for i, e in enumerate(data.get("examples", [])))
    for i, example in enumerate(data.get("examples", [])):
        for key in ("title", "section"):
            if key in example and key not in fields:
                raise EmbedforgeError(f"{source}: examples[{i}].{key}: the template does not use {{{key}}}, so no "
                                      f"backend would see it; add {{{key}}} to the template or remove the {key}")
    fence = tuple(str(f) for f in data.get("fence", []))
    if len(fence) != 2:
        raise EmbedforgeError(f"{source}: fence must be [open, close] markers around {{context}}")
    stop = tuple(str(s) for s in data.get("stop", []))
    rendered_from = {"instruction": instruction.strip(), "template": template, "fence": list(fence),
                     "stop": list(stop), "examples": [asdict(e) for e in examples]}
    return Prompt(name=str(data["name"]), instruction=instruction, template=template, fence=(fence[0], fence[1]),
                  stop=stop, examples=examples, hash=object_hash(rendered_from), source=source)


def load_prompt(name_or_path: str | None = None, where: str = "--prompt ") -> Prompt:
    """Load a packaged prompt by name (``default``, ``multi``) or a TOML file by path.

    ``where`` begins an error's line: the flag or argument the name came from.

    Raises:
        EmbedforgeError: unknown name, missing or malformed file, an unknown field.
    """
    name = name_or_path or "default"
    path = Path(name).expanduser()
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise EmbedforgeError(f"{where}{name}: file not found; give a prompt .toml file or a packaged name "
                                  "(`embedforge prompt list`)")
        raw, source = path.read_text(encoding="utf-8"), str(path)
    else:
        packaged = resources.files("embedforge.generators") / "prompts" / f"{name}.toml"
        if not packaged.is_file():
            raise EmbedforgeError(f"{where}{name}: no such packaged prompt; use a name `embedforge prompt list` "
                                  "shows or a .toml file")
        raw, source = packaged.read_text(encoding="utf-8"), f"packaged:{name}"
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise EmbedforgeError(f"{source}: not valid TOML ({exc}); fix the prompt file") from exc
    except RecursionError as exc:  # tomllib recurses per nesting level
        raise EmbedforgeError(f"{source}: not valid TOML (nested too deeply); fix the prompt file") from exc
    return _parse(data, source)
