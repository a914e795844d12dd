"""``embedforge prompt show``: exactly what an LLM backend receives for one chunk."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from embedforge.commands.app import prompt_app

SAMPLE = ("Amyotrophic lateral sclerosis (ALS) is a rare neurological disease that affects motor neurons, the nerve "
          "cells in the brain and spinal cord that control voluntary muscle movement.")


def _chunk(chunk_file: Path | None, source: Path | None):  # type: ignore[no-untyped-def]
    """The chunk to render: the first of a chunks.jsonl, a text file's text, a document's first chunk, or a sample."""
    from embedforge.corpus import chunk_in_memory
    from embedforge.corpus.record import Chunk, read_chunks
    from embedforge.errors import EmbedforgeError

    if chunk_file is not None and source is not None:
        raise EmbedforgeError("--chunk and --source: give one of them")
    if chunk_file is not None:
        if not chunk_file.is_file():
            raise EmbedforgeError(f"--chunk {chunk_file}: file not found; give a text file or a chunks.jsonl")
        if chunk_file.suffix == ".jsonl":
            chunks = read_chunks(chunk_file)
            if not chunks:
                raise EmbedforgeError(f"--chunk {chunk_file}: no chunks in it")
            return chunks[0]
        return Chunk.create(chunk_file.read_text(encoding="utf-8"), source=str(chunk_file), title=chunk_file.stem)
    if source is not None:
        chunks = chunk_in_memory([source])
        if not chunks:
            raise EmbedforgeError(f"--source {source}: no chunk was kept from it; check the document")
        return chunks[0]
    return Chunk.create(SAMPLE, source="sample", title="ALS", section="Overview")


@prompt_app.command("show")
def show(
    prompt: Annotated[str, typer.Argument(help="Prompt file (TOML) or packaged name (default, multi).")],
    llm: Annotated[str, typer.Option("--llm", help="The backend whose input to show.")] = "bundled",
    completions: Annotated[bool, typer.Option("--completions/--chat", help="Completion API for servers.")] = False,
    chunk: Annotated[Path | None, typer.Option("--chunk", help="A text file (the chunk) or a chunks.jsonl (its first chunk).")] = None,
    source: Annotated[Path | None, typer.Option("--source", help="A document: its first chunk.")] = None,
    questions: Annotated[int, typer.Option("-n", "--questions-per-chunk", help="Questions asked of the chunk.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print the payload as JSON (prompt or messages, and stop).")] = False,
) -> None:
    """Print exactly what LLM receives for one chunk: the completion text, or the chat messages."""
    from embedforge.generators import load_prompt, parse_spec
    from embedforge.generators.render import check_prompt_for, mode_for, render
    from embedforge.generators.spec import LlmSpec

    spec: LlmSpec = parse_spec(llm)
    loaded = load_prompt(prompt)
    check_prompt_for(loaded, spec.kind)
    mode = mode_for(spec, completions)
    rendered = render(loaded, _chunk(chunk, source), questions, mode)
    if as_json:
        typer.echo(rendered.show_json())
        return
    typer.echo(f"# {loaded.name} ({loaded.source}, hash {loaded.hash}) for {spec.raw}: {mode}; "
               f"stop {list(rendered.stop)}", err=True)
    typer.echo(rendered.show())
