"""``embedforge push``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from embedforge.commands.app import app


@app.command("push")
def push(
    folder: Annotated[Path, typer.Argument(help="A dataset folder (dataset build/import) or a model folder (train).")],
    repo_id: Annotated[str, typer.Argument(help="Hub repo id, OWNER/NAME; a dataset repo for a dataset folder, a model repo for a model.")],
    private: Annotated[bool, typer.Option("--private", help="Create the repo private. [default: public]")] = False,
) -> None:
    """Upload FOLDER to the Hugging Face Hub repo REPO_ID (needs `hf auth login` or HF_TOKEN).

    Examples:
      embedforge push data/mydocs me/mydocs-questions --private
      embedforge push models/mydocs me/mydocs-embedder
    """
    from embedforge.hub import push_folder

    typer.echo(push_folder(folder, repo_id, private=private))
