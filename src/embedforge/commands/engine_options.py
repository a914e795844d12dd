"""``--engine local|ray`` and ``--ray-address``, shared by ``chunk``, ``dataset build|regenerate`` and ``run``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

Engine = Annotated[str | None, typer.Option("--engine", help="Where the corpus and question stages run: local | ray. [default: local, or the configuration's [engine]]")]
RayAddress = Annotated[str | None, typer.Option("--ray-address", help="Ray cluster to join (host:6379, ray://host:10001, auto); implies --engine ray. [default: a private local Ray]")]


def engine_for(config: Any, engine: str | None, ray_address: str | None) -> Any:
    """The engine of a command: the ``[engine]`` of its configuration (``read_config``'s result), then the flags."""
    from embedforge.engine import engine_from_flags

    return engine_from_flags(engine, ray_address, config.engine if config is not None else None)
