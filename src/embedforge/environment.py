"""embedforge's own environment variables, read here and nowhere else.

- ``EMBEDFORGE_CORPUS``: a folder holding the documents a manifest lists (tests, offline machines).
- ``EMBEDFORGE_CACHE``: the LLM answer cache file (default ``CACHE_ROOT/llm.sqlite``).
- ``EMBEDFORGE_MODELS``: where the bundled embedders are assembled (default ``CACHE_ROOT/models``).
- ``EMBEDFORGE_QUIET``: ``1`` under ``--quiet``; set by the CLI so that worker processes inherit it.
- ``XDG_CACHE_HOME``: the base of ``CACHE_ROOT`` = ``$XDG_CACHE_HOME/embedforge`` (``~/.cache`` by default).

Each is read when asked, never at import, so a value a test or a parent process sets is seen at
once. Other variables belong to the code they configure and are read there: the LLM backends'
secrets, Hugging Face's (``HF_HUB_OFFLINE``...), torchrun's (``WORLD_SIZE``, ``LOCAL_RANK``) and
the libraries' own switches that :mod:`embedforge.verbosity` sets.
"""

from __future__ import annotations

import os
from pathlib import Path

CORPUS_ENV = "EMBEDFORGE_CORPUS"
CACHE_ENV = "EMBEDFORGE_CACHE"
MODELS_ENV = "EMBEDFORGE_MODELS"
QUIET_ENV = "EMBEDFORGE_QUIET"
XDG_CACHE_ENV = "XDG_CACHE_HOME"
NAMES = (CORPUS_ENV, CACHE_ENV, MODELS_ENV, QUIET_ENV, XDG_CACHE_ENV)


def corpus_folder() -> str | None:
    """``$EMBEDFORGE_CORPUS``, or None when it is unset or empty."""
    return os.environ.get(CORPUS_ENV) or None


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/embedforge``, ``~/.cache/embedforge`` by default: every cache's home."""
    base = os.environ.get(XDG_CACHE_ENV) or str(Path.home() / ".cache")
    return Path(base).expanduser() / "embedforge"


def llm_cache_file() -> Path:
    """``$EMBEDFORGE_CACHE``, else ``CACHE_ROOT/llm.sqlite``."""
    explicit = os.environ.get(CACHE_ENV)
    return Path(explicit).expanduser() if explicit else cache_root() / "llm.sqlite"


def models_folder() -> Path:
    """``$EMBEDFORGE_MODELS``, else ``CACHE_ROOT/models``."""
    explicit = os.environ.get(MODELS_ENV)
    return Path(explicit).expanduser() if explicit else cache_root() / "models"


def is_quiet() -> bool:
    """True when the command line was given ``--quiet`` (also in worker processes)."""
    return os.environ.get(QUIET_ENV) == "1"


def set_quiet() -> None:
    """Record ``--quiet`` where this process's workers see it."""
    os.environ[QUIET_ENV] = "1"


def for_workers() -> dict[str, str]:
    """The variables above that are set, for a worker on another machine (a Ray task) to see what we see."""
    return {name: os.environ[name] for name in NAMES if name in os.environ}
