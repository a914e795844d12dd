"""How much the command line says: ``--quiet``, the default, ``--verbose``.

``--quiet`` means warnings and errors from embedforge only: no progress bars (ours or
third-party ones: Hugging Face downloads, datasets, the Trainer) and no chatter from
the libraries underneath (llama.cpp, httpx, bm25s, transformers) below ERROR. When stderr
is not a terminal, the libraries' progress bars are switched off whatever the level. The
choice travels in environment variables, so worker processes (document parsers, DDP
ranks) inherit it; every bar of ours is drawn by :func:`embedforge.progress.bar`, which asks.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings

from embedforge.environment import set_quiet

# Progress bars and advisories of the libraries underneath, switched off by their own variables.
_THIRD_PARTY_QUIET = {
    "TQDM_DISABLE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "PYTHONWARNINGS": "ignore",
}
# The variables that switch off the libraries' own progress bars (tqdm's, Hugging Face's, the Trainer's).
_BARS = ("TQDM_DISABLE", "HF_HUB_DISABLE_PROGRESS_BARS", "HF_DATASETS_DISABLE_PROGRESS_BARS")
_NOISY = ("httpx", "httpcore", "sentence_transformers", "transformers", "urllib3", "datasets", "bm25s",
          "llama_cpp", "openai", "langchain", "filelock", "accelerate", "torch")


def _watched() -> bool:
    """True when someone sees progress bars: stderr is a terminal, or this is a notebook kernel.

    The same test as :func:`embedforge.progress.interactive` (which imports this module).
    """
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty()) or "ipykernel" in sys.modules


class _OursOrSevere(logging.Filter):
    """Under ``--quiet``: embedforge's warnings, and only errors from anyone else."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.startswith("embedforge") or record.levelno >= logging.ERROR


def configure(*, verbose: bool, quiet: bool) -> None:
    """Set up logging on stderr (one message a line) for the chosen level; under ``quiet`` silence the rest."""
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr, force=True)
    for name in _NOISY:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    if not _watched():  # a bar on a pipe or in a log file is only noise (RELIABILITY.md): the libraries' too
        for key in _BARS:
            os.environ.setdefault(key, "1")
    if not quiet:
        return
    set_quiet()
    for key, value in _THIRD_PARTY_QUIET.items():
        os.environ.setdefault(key, value)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_OursOrSevere())
    warnings.filterwarnings("ignore")
