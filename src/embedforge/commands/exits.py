"""The command line's exit codes, and turning whatever a command raises into one of them.

Scripts, CI jobs and schedulers read exit codes, so every command follows one table
(:data:`EXIT_CODES`, also printed by ``embedforge --help`` and in the README):

    0    everything was done
    1    done, with failures (documents or LLM calls); the output says how many
    2    a user or usage error: one line naming the file or flag (usage errors add the usage text)
    130  interrupted (Ctrl-C): finished work is kept; rerun the same command to resume
    143  stopped by SIGTERM, 129 by SIGHUP: the same, with the signal named (:mod:`embedforge.commands.signals`)

typer bundles its own copy of click from 0.22 on (``typer._click``), so click's exceptions
are found through typer's own classes, never by importing ``click``.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from typing import Any

import typer

from embedforge.commands.signals import stop_signals, stopped_line
from embedforge.errors import EmbedforgeError, FailedItems

OK, FAILURES, USER_ERROR, INTERRUPTED = 0, 1, 2, 130
INTERRUPTED_LINE = "interrupted; rerun the same command to resume"
EXIT_CODES = (
    "Exit codes: 0 everything done; 1 done with failures (the output says how many); "
    "2 user or usage error (one line naming the file or flag); "
    "130 interrupted (rerun the same command to resume); 143 / 129 the same, stopped by SIGTERM / SIGHUP."
)
# Flags of the top-level callback that may appear anywhere on the line (moved to the front).
GLOBAL_FLAGS = ("--debug", "--verbose", "-v", "--quiet", "-q", "--version")


def _click_base(name: str) -> type[BaseException]:
    """click's ``UsageError`` / ``ClickException``, from whichever click typer uses (bundled or not)."""
    for cls in typer.BadParameter.__mro__:
        if cls.__name__ == name:
            return cls
    raise RuntimeError(f"typer.BadParameter does not derive from {name}")  # pragma: no cover


UsageError = _click_base("UsageError")
ClickException = _click_base("ClickException")


def hoist_global_flags(args: Sequence[str]) -> list[str]:
    """``args`` with the global flags moved to the front, so ``chunk DOCS --out X -q`` works.

    Nothing after a ``--`` is moved (it may be a file called ``-q``).
    """
    args = list(args)
    end = args.index("--") if "--" in args else len(args)
    front = [a for a in args[:end] if a in GLOBAL_FLAGS]
    rest = [a for a in args[:end] if a not in GLOBAL_FLAGS]
    return [*front, *rest, *args[end:]]


def _error(line: str, debug: bool = False) -> None:
    if debug:  # the traceback first, so the last line is still the one-line error
        traceback.print_exc()
    typer.echo(f"error: {line}", err=True)


def _usage(exc: BaseException) -> int:
    """Usage text, the try-help hint and one ``error:`` line; exit 2. A bare group (no command) shows its help."""
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
        typer.echo(ctx.get_help(), err=True)
        return USER_ERROR
    if ctx is not None:
        typer.echo(ctx.get_usage(), err=True)
        names = getattr(ctx, "help_option_names", None) or ["--help"]
        typer.echo(f"Try '{ctx.command_path} {names[0]}' for help.", err=True)
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    _error(" ".join(message.split()))
    return USER_ERROR


def run_app(app: Callable[..., Any], args: Sequence[str], *, debug: bool) -> int:
    """Run the typer ``app`` on ``args`` and map its outcome to the exit-code table.

    Every user-facing outcome is one line on stderr: ``error: ...`` for 1 and 2, the
    interrupted line for 130 (or 143 / 129 for SIGTERM / SIGHUP, which are raised as Ctrl-C is);
    any other exception is a bug, shown as one line (the traceback with ``--debug``) with exit code 1.
    """
    with stop_signals() as received:
        code = _outcome(app, args, debug=debug)
    if code != INTERRUPTED:
        return code
    if received:
        typer.echo(stopped_line(received[0]), err=True)
        return 128 + received[0]
    typer.echo(INTERRUPTED_LINE, err=True)
    return INTERRUPTED


def _outcome(app: Callable[..., Any], args: Sequence[str], *, debug: bool) -> int:
    """The exit code of running ``app``, with its ``error:`` line printed (the interrupted line is not)."""
    try:
        returned = app(args=list(args), standalone_mode=False)
    except FailedItems as exc:
        _error(str(exc), debug)
        return FAILURES
    except EmbedforgeError as exc:
        _error(str(exc), debug)  # --debug adds the traceback; the exit code stays the table's
        return USER_ERROR
    except KeyboardInterrupt:
        return INTERRUPTED
    except typer.Exit as exc:  # raised by older typer/click; newer ones return the code
        return _code(getattr(exc, "exit_code", 0))
    except SystemExit as exc:
        return _code(exc.code)
    except BaseException as exc:
        return _other(exc, debug)
    # typer >= 0.22 turns Ctrl-C into a returned 130 with no message: run_app says what happened.
    return _code(returned)


def _other(exc: BaseException, debug: bool) -> int:
    if isinstance(exc, UsageError):
        return _usage(exc)
    if type(exc).__name__ == "Abort":  # click's or typer's: Ctrl-C at a prompt, or an explicit abort
        return INTERRUPTED
    if isinstance(exc, ClickException):
        _error(" ".join(exc.format_message().split()))  # type: ignore[attr-defined]
        return _code(getattr(exc, "exit_code", USER_ERROR))
    if debug or not isinstance(exc, Exception):
        raise exc
    if isinstance(exc, OSError) and exc.filename is not None:
        # A file the user named that cannot be read or written: theirs to fix, not a bug.
        _error(f"{exc.filename}: {exc.strerror or exc}; check the path and its permissions")
        return USER_ERROR
    message = " ".join(str(exc).split())
    typer.echo(f"internal error: {type(exc).__name__}: {message} (rerun with --debug for the traceback)", err=True)
    return FAILURES


def _code(value: object) -> int:
    """A command's return value or exit code as an int (None and non-ints are 0)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return OK
    return value
