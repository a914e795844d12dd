"""``embedforge compare``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from embedforge.commands.app import Config, Overwrite, app, dims_option, section_settings


@app.command("compare")
def compare(
    dataset: Annotated[Path, typer.Argument(help="Dataset folder whose eval split is scored.")],
    model: Annotated[list[str], typer.Option("--model", help="NAME=SPEC; repeat; the first is the baseline.")],
    out: Annotated[Path, typer.Option("--out", help="Report folder.")],
    bm25: Annotated[bool | None, typer.Option("--bm25", help="Add a BM25 row as the lexical yardstick, and per model hybrid(bm25+NAME) (fusion weight chosen on dev) and rrf(bm25+NAME) rows. [default: off]")] = None,
    dims: Annotated[str | None, typer.Option(help="Dims to score, e.g. 384,256,128,64. [default: each model's own size and 768,512,256,128,64 below it]")] = None,
    bootstrap_samples: Annotated[int | None, typer.Option("--bootstrap", help="Bootstrap resamples. [default: 1000]")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the bootstrap's resampling of the questions. [default: 42]")] = None,
    handwritten: Annotated[str | None, typer.Option("--handwritten", help="JSONL of hand-written questions, scored as a second section. [default: none]")] = None,
    device: Annotated[str | None, typer.Option(help="cpu | cuda | cuda:0,cuda:1 (one encoding process each). [default: sentence-transformers' choice: cuda if there is one; every GPU for a large corpus]")] = None,
    overwrite: Overwrite = False,
    config: Config = None,
) -> None:
    """Compare models on DATASET's eval split, dimension by dimension, with bootstrap intervals.

    Examples:
      embedforge compare data/mydocs --model base=bundled --model tuned=models/mydocs --bm25 --out reports/mydocs
    """
    from embedforge.evaluation import CompareSettings, parse_model_specs
    from embedforge.evaluation import compare as compare_models
    from embedforge.evaluation.report_files import REPORT_OUTPUT
    from embedforge.outdir import check_out_dir
    from embedforge.pipeline.report import closing_lines

    settings = section_settings(
        CompareSettings, config, "compare",
        bm25=bm25, dims=dims_option(dims), bootstrap_samples=bootstrap_samples, seed=seed,
        handwritten=handwritten, device=device,
    )
    models = parse_model_specs(model)
    _check_before_work(models.values(), settings.handwritten)
    check_out_dir(out, REPORT_OUTPUT, overwrite=overwrite)
    result = compare_models(dataset, models, out, settings)
    typer.echo(result.format_table())
    typer.echo("\n".join(closing_lines(out)))  # Δ ndcg@10 per dim, recommended, report, next: search


def _check_before_work(specs: Iterable[str], handwritten: str | None) -> None:
    """A model that is neither a folder here nor a Hub model this machine can get, and a missing
    hand-written file, are one line before any model is loaded (not after the first one is encoded)."""
    from embedforge.embedder import check_hub_reachable, is_hub_id
    from embedforge.errors import EmbedforgeError

    for spec in dict.fromkeys(specs):
        if is_hub_id(spec):
            check_hub_reachable(spec)
    if handwritten and not Path(handwritten).is_file():
        raise EmbedforgeError(f"--handwritten {handwritten}: file not found; fix the path or leave the flag out")
