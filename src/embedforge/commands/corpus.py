"""``embedforge chunk`` and ``embedforge corpus fetch``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from embedforge.commands.app import (
    Config,
    Model,
    OldEmbedder,
    Overwrite,
    app,
    corpus_app,
    read_config,
    section_settings,
)
from embedforge.commands.engine_options import Engine, RayAddress, engine_for


@app.command("chunk")
def chunk(
    sources: Annotated[list[str], typer.Argument(help="Files (.html .pdf .md .txt), folders, or TOML manifests.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder; chunks.jsonl is written there.")],
    model: Model = None,
    chunk_tokens: Annotated[int | None, typer.Option(help="Target chunk size in tokens. [default: 200]")] = None,
    overlap_tokens: Annotated[int | None, typer.Option(help="Overlap between chunks in tokens. [default: 20]")] = None,
    strict: Annotated[bool | None, typer.Option("--strict/--no-strict", help="Stop at the first bad document. [default: no-strict]")] = None,
    overwrite: Overwrite = False,
    config: Config = None,
    engine: Engine = None,
    ray_address: RayAddress = None,
    embedder: OldEmbedder = None,
) -> None:
    """Load, clean and chunk documents into OUT/chunks.jsonl, measured with the embedder's tokenizer.

    Examples:
      embedforge chunk docs/ --out chunks/
      embedforge chunk corpus/als.toml --model bundled-minilm --chunk-tokens 128 --out chunks/
    """
    from embedforge.corpus import CHUNKS_OUTPUT, ChunkSettings, chunk_documents
    from embedforge.corpus.source_check import check_sources
    from embedforge.errors import FailedItems
    from embedforge.files import write_json
    from embedforge.outdir import check_out_dir
    from embedforge.pipeline.config import to_dict
    from embedforge.settings import CONFIG_FILE

    loaded = read_config(config)  # once: its [chunk] and [engine]
    settings = section_settings(
        ChunkSettings, loaded, "chunk",
        embedder=model or embedder, chunk_tokens=chunk_tokens, overlap_tokens=overlap_tokens, strict=strict,
    )
    check_sources(sources)
    check_out_dir(out, CHUNKS_OUTPUT, overwrite=overwrite)
    summary = chunk_documents(sources, out, settings, engine=engine_for(loaded, engine, ray_address))
    write_json(out / CONFIG_FILE, to_dict({"chunk": settings, "sources": sources}))
    typer.echo(summary.format())
    if not summary.ok:
        failed = len(summary.failures)
        raise FailedItems(f"{failed} of {failed + summary.documents_read} documents failed (listed above); "
                          "fix or remove them and rerun, or pass --strict to stop at the first")


@corpus_app.command("fetch")
def fetch(
    manifest: Annotated[Path, typer.Argument(help="TOML manifest listing documents (name, url, type, sha256).")],
    dest: Annotated[Path | None, typer.Option(help="Folder to download into. [default: the manifest's folder]")] = None,
    allow_http: Annotated[bool, typer.Option("--allow-http", help="Allow plain http URLs.")] = False,
) -> None:
    """Download the documents a manifest lists and check their sha256.

    Examples:
      embedforge corpus fetch corpus/als.toml
      embedforge corpus fetch corpus/als.toml --dest ~/als-documents
    """
    from embedforge.corpus import fetch_manifest

    paths = fetch_manifest(manifest, dest, allow_http=allow_http)
    for path in paths:
        typer.echo(str(path))
