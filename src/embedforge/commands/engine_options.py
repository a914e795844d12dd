"""``--engine local|ray`` and ``--ray-address``, shared by ``chunk``, ``dataset build|regenerate`` and ``run``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

Engine = Annotated[str | None, typer.Option("--engine", help="Where the corpus and question stages run: local | ray. [default: local, or the configuration's [engine]]")]
RayAddress = Annotated[str | None, typer.Option("--ray-address", help="Ray cluster to join (host:6379, ray://host:10001, auto); implies --engine ray. [default: a private local Ray]")]


def engine_for(config: Path | None, engine: str | None, ray_address: str | None) -> Any:
    """The engine of a command: the ``[engine]`` of ``--config`` (if any), then the flags."""
    from embedforge.engine import engine_from_flags

    base = None
    if config is not None:
        from embedforge.pipeline.config import load_config

        base = load_config(config).engine
    return engine_from_flags(engine, ray_address, base)
