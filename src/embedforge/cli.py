"""The ``embedforge`` command: a thin layer over the Python API.

Each command turns flags into a stage's settings dataclass (starting from
``--config FILE`` when given, so every value in a configuration file can be
overridden by a flag), calls the stage's one public function, and prints its
summary. A user-fixable problem is one line on stderr and exit code 2; a
traceback appears only with ``--debug``.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import typing
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from embedforge.errors import EmbedforgeError

log = logging.getLogger("embedforge")
T = TypeVar("T")

app = typer.Typer(
    help="Turn a pile of documents into a better retriever.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
corpus_app = typer.Typer(help="Document manifests: fetch the documents a manifest lists.", no_args_is_help=True)
dataset_app = typer.Typer(help="Build, regenerate, import and export question/chunk datasets.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")
app.add_typer(dataset_app, name="dataset")

Config = Annotated[Path | None, typer.Option("--config", help="Run configuration TOML; flags override its values.")]


@app.callback()
def _global(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="More log output.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only warnings and errors.")] = False,
) -> None:
    """Turn a pile of documents into a better retriever."""
    ctx.obj = {"debug": debug}
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr, force=True)
    for noisy in ("httpx", "sentence_transformers", "transformers", "urllib3", "datasets"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def section_settings(cls: type[T], config: Path | None, section: str, **flags: Any) -> T:
    """Settings of one stage: the config file's section (if any), then every flag that was given."""
    from embedforge.config import load_config

    base: Any = getattr(load_config(config), section) if config else cls()
    given = {k: v for k, v in flags.items() if v is not None}
    try:
        return typing.cast(T, dataclasses.replace(base, **given))
    except (TypeError, ValueError) as exc:
        raise EmbedforgeError(f"{section} settings: {exc}") from exc


def dims_option(raw: str | None) -> tuple[int, ...] | None:
    """Parse ``--dims 384,256,128`` (validation of the values is the stage's job)."""
    if raw is None:
        return None
    try:
        return tuple(int(part) for part in raw.replace(" ", "").split(",") if part)
    except ValueError as exc:
        raise EmbedforgeError(f"--dims {raw!r}: expected comma-separated integers, e.g. 384,256,128,64") from exc


from embedforge import commands as _commands  # noqa: E402  (registers the commands on `app`)

_ = _commands


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning errors into one line and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        return int(app(args=args, standalone_mode=False) or 0)  # a command's typer.Exit(code) comes back here
    except EmbedforgeError as exc:
        if debug:
            raise
        typer.echo(f"error: {exc}", err=True)
        return 2
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", getattr(exc, "code", 0))
        return int(code or 0)
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 130
    except KeyboardInterrupt:
        typer.echo("interrupted; finished work is kept, run the same command again to continue", err=True)
        return 130
    except Exception as exc:  # a click usage error or a bug
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            return exc.exit_code
        if debug:
            raise
        typer.echo(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)", err=True)
        return 1
    return code if isinstance(code, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
