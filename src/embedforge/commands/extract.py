"""``embedforge extract``: documents as the chunker sees them, one a line of DIR/documents.jsonl."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from embedforge.commands.app import Config, Overwrite, app, section_settings


@app.command("extract")
def extract(
    sources: Annotated[list[str], typer.Argument(help="Files (.html .pdf .md .txt), folders, or TOML manifests.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder; documents.jsonl is written there.")],
    strict: Annotated[bool | None, typer.Option("--strict/--no-strict", help="Stop at the first bad document. [default: no-strict]")] = None,
    overwrite: Overwrite = False,
    config: Config = None,
) -> None:
    """Extract documents (title, kept text, blocks with sections) into OUT/documents.jsonl, before chunking.

    Examples:
      embedforge extract docs/ --out extracted/
      embedforge extract page.html report.pdf --out extracted/ --strict
    """
    from embedforge.corpus import DOCUMENTS_OUTPUT, ChunkSettings, extract_documents
    from embedforge.corpus.source_check import check_sources
    from embedforge.errors import FailedItems
    from embedforge.outdir import check_out_dir

    settings = section_settings(ChunkSettings, config, "chunk", strict=strict)
    check_sources(sources)
    check_out_dir(out, DOCUMENTS_OUTPUT, overwrite=overwrite)
    summary = extract_documents(sources, out, settings.limits, strict=settings.strict)
    typer.echo(summary.format())
    if not summary.ok:  # exit 1: done, with failures (the table in `embedforge --help`)
        failed = len(summary.failures)
        raise FailedItems(f"{failed} of {failed + summary.documents_read} documents failed (listed above); "
                          "fix or remove them and rerun, or pass --strict to stop at the first")
