"""The ``embedforge`` command: a thin layer over the Python API.

Each command turns flags into a stage's settings dataclass (starting from
``--config FILE`` when given, so every value in a configuration file can be
overridden by a flag), checks what it can before any work (output folder, LLM spec
and key, dims), calls the stage's one public function, and prints its summary.
Exit codes follow one table (:mod:`embedforge.commands.exits`): 0 done, 1 done with failures,
2 user or usage error (one line on stderr), 130 interrupted. A traceback appears
only with ``--debug``.
"""

from __future__ import annotations

import sys

from embedforge import commands as _commands  # registers every command on `app`
from embedforge.commands.app import app
from embedforge.commands.exits import hoist_global_flags, run_app

_ = _commands
__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI; return its exit code (see :data:`embedforge.commands.exits.EXIT_CODES`)."""
    args = hoist_global_flags(sys.argv[1:] if argv is None else argv)
    return run_app(app, args, debug="--debug" in args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
