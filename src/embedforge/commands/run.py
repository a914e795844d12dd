"""``embedforge run CONFIG``: the whole job, incremental."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from embedforge.commands.app import app
from embedforge.commands.engine_options import Engine, RayAddress


@app.command("run")
def run(
    config: Annotated[Path, typer.Argument(help="Run configuration TOML, e.g. configs/als-offline.toml.")],
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Folder holding the manifest's documents.")] = None,
    force: Annotated[str | None, typer.Option("--force", help="Redo this stage and those after it.")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a value: SECTION.KEY=VALUE.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the dataset stage's LLM calls, cache hits, input tokens and cost; call no LLM, write nothing.")] = False,
    engine: Engine = None,
    ray_address: RayAddress = None,
) -> None:
    """Chunk, generate, split, train and compare into runs/<name>/, redoing only what changed.

    Relative paths in CONFIG are relative to CONFIG's folder. Exits 1 when the run's dataset
    lacks questions whose LLM calls failed.

    Examples:
      embedforge run configs/als-offline.toml
      embedforge run configs/als-offline.toml --set train.epochs=2 --dry-run
    """
    from embedforge.engine import engine_from_flags
    from embedforge.environment import corpus_folder
    from embedforge.pipeline.config import load_config
    from embedforge.pipeline.execute import run as run_pipeline

    settings = load_config(config, set_ or ())
    settings.engine = engine_from_flags(engine, ray_address, settings.engine)
    folder = corpus or corpus_folder()
    if dry_run:  # the real run's checks first: the dry run refuses what the run refuses
        from embedforge.dataset.dryrun import plan_sources
        from embedforge.pipeline.checks import check_force, check_run
        from embedforge.pipeline.stage_runs import documents

        check_force(force)
        check_run(settings, need_key=False)

        count, plan = plan_sources(documents(settings, folder), settings.chunk, settings.generate)
        typer.echo(f"{count} chunks\n{plan.format()}")
        return
    result = run_pipeline(settings, corpus_dir=folder, force=force)
    typer.echo(result.format())
    dataset = result.summaries["dataset"]  # ran now, or read from the folder an earlier run wrote
    if dataset.failed:
        from embedforge.errors import FailedItems

        raise FailedItems(f"{dataset.out_dir}: {dataset.failed} questions failed (their LLM calls, after "
                          "retries); rerun with --force dataset to retry just those (the rest are cached)")
