"""Every ``embedforge ...`` command the docs show parses with the real CLI: its subcommand and flags exist.

The commands are taken from the fenced blocks (``embedforge``, ``.venv/bin/embedforge``,
``python -m embedforge``, ``torchrun ... -m embedforge``) and the inline code spans of
README.md, docs/*.md and the other top-level pages. Each is parsed by typer's click as the
console script would parse it, without running it, so a renamed or removed flag that
a page still shows fails here.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from embedforge.commands.exits import UsageError

REPO = Path(__file__).resolve().parents[2]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")),
         *(REPO / name for name in ("ARCHITECTURE.md", "RELIABILITY.md", "BENCHMARKS.md"))]
IN_BLOCK = (re.compile(r"^\s*(?:\$ )?(?:\S*/)?embedforge\s+(.*)"), re.compile(r"-m embedforge\s+(.*)"))


def doc_commands(text: str) -> Iterator[str]:
    """The arguments after ``embedforge`` of each command a page shows."""
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
        for line in re.sub(r"\\\n\s*", " ", block).splitlines():
            found = IN_BLOCK[0].match(line) or IN_BLOCK[1].search(line)
            if found:
                yield found.group(1)
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    for span in re.findall(r"`([^`\n]+)`", prose):
        found = re.match(r"(?:\S*/)?embedforge\s+(.*)", span)
        if found:
            yield found.group(1)


def parse(arguments: str) -> None:
    """Parse ``embedforge ARGUMENTS`` down to its leaf command; raises click's error when it would not parse.

    A bare command path (``embedforge extract`` in prose) only has to exist; a synopsis (with
    ``[...]`` or ``A|B``) only has to name flags its command has; a ``COMMAND`` placeholder stands for any.
    """
    from embedforge.commands.main import app

    # typer >= 0.22 bundles its own click, so a group is recognised by what it does, not by click's class.
    command: Any = typer.main.get_command(app)
    args, name, parent = shlex.split(arguments.split(" #")[0]), "embedforge", None
    while hasattr(command, "get_command"):  # a group: its options, then a subcommand and the subcommand's arguments
        at = next((i for i, arg in enumerate(args) if not arg.startswith("-")), len(args))
        ctx = command.make_context(name, args[:at], parent=parent, resilient_parsing=True)
        if at == len(args) or args[at].isupper():
            return
        sub = command.get_command(ctx, args[at])
        if sub is None:
            raise UsageError(f"No such command {args[at]!r}", ctx)
        command, name, parent, args = sub, args[at], ctx, args[at + 1:]
    if not args or any(mark in arguments for mark in ("[", "|")):
        flags = {flag for param in command.params for flag in (*param.opts, *param.secondary_opts)}
        unknown = [flag for flag in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", " ".join(args)) if flag not in flags]
        if unknown:
            raise UsageError(f"No such option: {unknown[0]}")
        return
    try:
        command.make_context(name, list(args), parent=parent)
    except typer.Exit as exc:  # --help, --version
        assert exc.exit_code == 0, arguments


COMMANDS = sorted({(page.name, line) for page in PAGES for line in doc_commands(page.read_text(encoding="utf-8"))})


def test_the_docs_show_the_main_commands() -> None:
    shown = {line.split()[0] for _, line in COMMANDS}
    assert {"dataset", "train", "compare", "run", "chunk", "prompt"} <= shown
    assert len(COMMANDS) >= 30


@pytest.mark.parametrize(("page", "arguments"), COMMANDS)
def test_a_documented_command_parses(page: str, arguments: str) -> None:
    parse(arguments)


@pytest.mark.parametrize("arguments", [
    "compare data --model a=b --out r --devicee cpu",  # a misspelled flag
    "dataset rebuild data --out x",  # a subcommand that does not exist
    "train data --out m --epochs many",  # a value of the wrong type
    "prompt show PROMPT [--llm SPEC] [--chunks FILE]",  # a synopsis naming a flag the command lacks
])
def test_a_wrong_command_does_not_parse(arguments: str) -> None:
    with pytest.raises(UsageError):
        parse(arguments)
