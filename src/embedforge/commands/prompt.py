"""``embedforge prompt list | copy | show``: the packaged prompts, a copy to edit, and what an LLM receives."""

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
    questions: Annotated[int, typer.Option("--questions-per-chunk", help="Questions asked of the chunk.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print the payload as JSON (prompt or messages, and stop).")] = False,
) -> None:
    """Print exactly what LLM receives for one chunk: the completion text, or the chat messages.

    Examples:
      embedforge prompt show default
      embedforge prompt show relative.toml --source docs/page.html --llm openai:gpt-4o-mini
    """
    from embedforge.generators import LlmSpec, load_prompt, parse_spec
    from embedforge.generators.render import render

    spec: LlmSpec = parse_spec(llm)
    loaded = load_prompt(prompt, where="")  # the error names the argument, which is the file or name
    spec.check_prompt(loaded)
    mode = spec.mode(completions)
    rendered = render(loaded, _chunk(chunk, source), questions, mode)
    if as_json:
        typer.echo(rendered.show_json())
        return
    typer.echo(f"# {loaded.name} ({loaded.source}, hash {loaded.hash}) for {spec.raw}: {mode}; "
               f"stop {list(rendered.stop)}", err=True)
    typer.echo(rendered.show())


@prompt_app.command("list")
def list_() -> None:
    """List the packaged prompts: name, questions asked a call, what each is for.

    Examples:
      embedforge prompt list
      embedforge prompt copy default relative.toml
    """
    from embedforge.generators.packaged import describe, packaged_prompts

    for entry in packaged_prompts():
        typer.echo(describe(entry))


@prompt_app.command("copy")
def copy(
    name: Annotated[str, typer.Argument(help="A packaged prompt's name (`embedforge prompt list`).")],
    file: Annotated[Path, typer.Argument(help="The TOML file to write, to edit and pass as --prompt FILE.")],
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace FILE if it exists. [default: off]")] = False,
) -> None:
    """Write the packaged prompt NAME to FILE, to edit (docs/prompts.md) and pass as --prompt FILE.

    Examples:
      embedforge prompt copy default relative.toml
      embedforge dataset build docs/ --prompt relative.toml --out data/mydocs
    """
    from embedforge.errors import EmbedforgeError
    from embedforge.files import atomic_write_text
    from embedforge.generators.packaged import packaged_prompt

    entry = packaged_prompt(name)
    if file.exists() and not overwrite:
        raise EmbedforgeError(f"{file}: already exists; choose another file or pass --overwrite")
    if file.parent != Path("") and not file.parent.is_dir():
        raise EmbedforgeError(f"{file}: folder {file.parent} does not exist; create it or choose another path")
    atomic_write_text(file, entry.text)
    typer.echo(f"wrote {file} (a copy of {name}); edit it, check it with `embedforge prompt show {file}`, "
               f"and pass it as --prompt {file}")
