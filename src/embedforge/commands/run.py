"""``embedforge run CONFIG``: the whole job, incremental."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from embedforge.cli import app


@app.command("run")
def run(
    config: Annotated[Path, typer.Argument(help="Run configuration TOML, e.g. configs/als-offline.toml.")],
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Folder holding the manifest's documents.")] = None,
    force: Annotated[str | None, typer.Option("--force", help="Redo this stage and those after it.")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a value: SECTION.KEY=VALUE.")] = None,
) -> None:
    """Chunk, generate, split, train and compare into runs/<name>/, redoing only what changed."""
    import os

    from embedforge.config import load_config
    from embedforge.pipeline import run as run_pipeline

    settings = load_config(config, set_ or ())
    folder = corpus or os.environ.get("EMBEDFORGE_CORPUS") or None
    result = run_pipeline(settings, corpus_dir=folder, force=force)
    typer.echo(result.format())
