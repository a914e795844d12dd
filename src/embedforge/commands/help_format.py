"""How ``--help`` reads: commands in pipeline order, plain metavars, every default, examples kept as typed.

typer 0.29 writes Python types into help and usage lines (``<list[str]>``, ``{sources}...``),
drops flags' defaults, truncates the command list's descriptions and re-wraps an examples
block into one line. :class:`PipelineGroup`, the click group class of every embedforge
Typer app, tidies each command as it is looked up; no command module needs to know.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument, TyperGroup, TyperOption

# The top-level list, in the order the work flows (anything new goes last).
ORDER = ("corpus", "extract", "chunk", "prompt", "dataset", "train", "compare", "search", "run", "push")
_METAVARS = {"int": "N", "float": "NUMBER", "str": "TEXT"}


class PipelineGroup(TyperGroup):
    """A typer group that lists its commands in :data:`ORDER` and tidies each one's help (see the module)."""

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        return sorted(names, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            tidy(command)
        return command


def tidy(command: Any) -> None:
    """Give ``command`` a one-line description, plain metavars, shown defaults and an unwrapped examples block."""
    text = command.help or ""
    if text and not command.short_help:
        command.short_help = text.strip().split("\n\n")[0].replace("\n", " ")
    if "\nExamples:\n" in text and "\b" not in text:
        command.help = text.replace("\nExamples:\n", "\n\b\nExamples:\n")
    for param in getattr(command, "params", []):
        if isinstance(param, TyperArgument):
            _argument(param)
        elif isinstance(param, TyperOption) and param.name != "help":
            _option(param)


def _argument(param: TyperArgument) -> None:
    name = (param.name or "ARG").upper() + ("..." if param.nargs != 1 else "")
    param.metavar = name
    usage = name if param.required else f"[{name}]"
    # Instance attributes: typer's own methods print the Python type.
    param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
    param.get_usage_pieces = lambda ctx: [usage]  # type: ignore[method-assign]


def _option(param: TyperOption) -> None:
    if not param.is_flag and param.metavar is None:
        desc = param.type_descriptor
        param.metavar = "PATH" if desc.is_path else _METAVARS.get(param.bare_type(), "TEXT")
    help_text = param.help or ""
    if "[default:" in help_text or param.required or param.is_eager:
        return
    if param.is_flag:
        param.help = f"{help_text} [default: {'on' if param.default else 'off'}]".strip()
    elif not callable(param.default):
        shown = "none" if param.default is None else param.default
        param.help = f"{help_text} [default: {shown}]".strip()
