"""The ``embedforge`` Typer app, its sub-apps and the options every command shares.

The command modules (``embedforge.commands.*``) register themselves on :data:`app`;
:mod:`embedforge.commands.main` imports them and runs the app. Keeping the app here, below the
commands, means no module imports one that imports it back.
"""

from __future__ import annotations

import dataclasses
import logging
import typing
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from embedforge.commands.exits import EXIT_CODES
from embedforge.commands.help_format import PipelineGroup
from embedforge.errors import EmbedforgeError

log = logging.getLogger("embedforge")
T = TypeVar("T")

app = typer.Typer(
    help="Turn a pile of documents into a better retriever.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
    cls=PipelineGroup,
)
corpus_app = typer.Typer(help="Document manifests: fetch the documents a manifest lists and check their sha256.",
                         no_args_is_help=True, epilog=EXIT_CODES, rich_markup_mode=None, cls=PipelineGroup)
dataset_app = typer.Typer(help="Question/chunk datasets: build, show, preview a prompt, regenerate, import, export.",
                          no_args_is_help=True, epilog=EXIT_CODES, rich_markup_mode=None, cls=PipelineGroup)
prompt_app = typer.Typer(help="Prompts: list the packaged ones, copy one to edit, show what an LLM receives.",
                         no_args_is_help=True, epilog=EXIT_CODES, rich_markup_mode=None, cls=PipelineGroup)
app.add_typer(corpus_app, name="corpus")
app.add_typer(prompt_app, name="prompt")
app.add_typer(dataset_app, name="dataset")

Config = Annotated[Path | None, typer.Option("--config", help="Run configuration TOML; flags override its values.")]
Overwrite = Annotated[bool, typer.Option(
    "--overwrite", help="Write into --out even when it holds a finished result or other files.")]


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"embedforge {version('embedforge')}")
        raise typer.Exit()


@app.callback()
def _global(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="More log output.")] = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Only embedforge's warnings and errors: no progress bars, no library chatter.")] = False,
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Turn a pile of documents into a better retriever. Global flags may come anywhere on the line."""
    from embedforge.verbosity import configure

    ctx.obj = {"debug": debug}
    configure(verbose=verbose, quiet=quiet)


def read_config(config: Path | None) -> Any:
    """``--config FILE`` as a ``RunConfig`` (None without one): a command that takes several sections of the file
    reads it once with this and passes the result on, so the file's warnings (an old key's name) are said once."""
    from embedforge.pipeline.config import load_config

    return load_config(config) if config is not None else None


def section_settings(cls: type[T], config: Any, section: str, **flags: Any) -> T:
    """Settings of one stage: the config's section (a ``--config`` path or :func:`read_config`'s result; none
    without), then every flag that was given."""
    if isinstance(config, (str, Path)):
        config = read_config(Path(config))
    base: Any = getattr(config, section) if config is not None else cls()
    given = {k: v for k, v in flags.items() if v is not None}
    try:
        return typing.cast(T, dataclasses.replace(base, **given))
    except (TypeError, ValueError, EmbedforgeError) as exc:
        raise EmbedforgeError(flag_error(str(exc), given) or f"{section} settings: {exc}") from exc


def flag_error(message: str, given: dict[str, Any]) -> str | None:
    """A settings error re-worded to name the flag that set the value: ``--eval-fraction 20: ...``.

    The settings classes say ``field value: problem``; a user who typed a flag should read the flag.
    None when the message names no given field.
    """
    named = [name for name in given if name in message.replace("/", " ").split(":")[0].split()]
    if not named:
        return None
    name = named[0]
    value = given[name]
    shown = ",".join(map(str, value)) if isinstance(value, tuple) else value
    problem = message.split(": ", 1)[1] if ": " in message else message
    return f"--{FLAGS.get(name, name).replace('_', '-')} {shown}: {problem}"


# Settings fields whose flag has another name: the embedder is `--model` on every command.
FLAGS = {"embedder": "model", "roundtrip_model": "model", "base_model": "model", "bootstrap_samples": "bootstrap"}
Model = Annotated[str | None, typer.Option(
    "--model", help="The embedder: bundled (all-mpnet-base-v2) | bundled-minilm | a model folder | a Hugging Face id. "
    "[default: bundled]")]
# The names `--model` replaced, still read for a release but not shown.
OldEmbedder = Annotated[str | None, typer.Option("--embedder", hidden=True)]
OldBaseModel = Annotated[str | None, typer.Option("--base-model", hidden=True)]


def dims_option(raw: str | None) -> tuple[int, ...] | None:
    """Parse ``--dims 384,256,128`` (validation of the values is the stage's job)."""
    if raw is None:
        return None
    try:
        return tuple(int(part) for part in raw.replace(" ", "").split(",") if part)
    except ValueError as exc:
        raise EmbedforgeError(f"--dims {raw!r}: expected comma-separated integers, e.g. 384,256,128,64") from exc
