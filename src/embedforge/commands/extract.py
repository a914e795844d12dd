"""``embedforge extract``: documents as the chunker sees them, one a line of DIR/documents.jsonl."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from embedforge.cli import Config, app, section_settings


@app.command("extract")
def extract(
    sources: Annotated[list[str], typer.Argument(help="Files (.html .pdf .md .txt), folders, or TOML manifests.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder; documents.jsonl is written there.")],
    strict: Annotated[bool | None, typer.Option("--strict/--no-strict", help="Stop at the first bad document.")] = None,
    config: Config = None,
) -> None:
    """Extract documents (title, kept text, blocks with sections) into OUT/documents.jsonl, before chunking."""
    from embedforge.corpus import ChunkSettings, extract_documents

    settings = section_settings(ChunkSettings, config, "chunk", strict=strict)
    summary = extract_documents(sources, out, settings.limits, strict=settings.strict)
    typer.echo(summary.format())
    if not summary.ok:
        raise typer.Exit(2)
