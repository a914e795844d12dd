"""``embedforge dataset show DIR``: a dataset's questions beside their chunks, and the filtered ones with reasons."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from embedforge.commands.app import dataset_app

if TYPE_CHECKING:
    from embedforge.dataset.show import Shown


@dataset_app.command("show")
def show(
    dataset: Annotated[Path, typer.Argument(help="Dataset folder (from `dataset build` or `dataset regenerate`).")],
    n: Annotated[int, typer.Option("-n", help="How many questions, spread over the dataset (0: all).")] = 10,
    filtered: Annotated[bool, typer.Option("--filtered", help="Show the questions the filters dropped, with the reason. [default: off: the kept ones]")] = False,
) -> None:
    """Print questions beside the first line of their chunk (source, split, prompt); no LLM is called.

    Examples:
      embedforge dataset show data/mydocs
      embedforge dataset show data/mydocs --filtered -n 20
    """
    from embedforge.dataset.show import by_prompt, questions, spread
    from embedforge.dataset.show import filtered as filtered_questions

    if n < 0:
        from embedforge.errors import EmbedforgeError

        raise EmbedforgeError(f"-n {n}: must be 0 (all) or more")
    shown = filtered_questions(dataset) if filtered else questions(dataset)
    picked = spread(shown, n) if n else shown
    for item in picked:
        typer.echo(item.format())
    if filtered:
        reasons = by_reason(shown)
        typer.echo(f"{len(picked)} of {len(shown)} filtered questions shown; by reason: {reasons or 'none'}")
    else:
        typer.echo(f"{len(picked)} of {len(shown)} questions shown; by prompt: {by_prompt(shown) or 'none'}")


def by_reason(shown: list[Shown]) -> str:
    """``roundtrip 20, duplicate 3``: filtered questions counted by reason."""
    from collections import Counter

    return ", ".join(f"{reason} {k}" for reason, k in Counter(s.reason for s in shown).most_common())
