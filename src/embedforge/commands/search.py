"""``embedforge search``: try a retriever on a dataset's corpus, one question or a prompt loop."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from embedforge.commands.app import app
from embedforge.errors import EmbedforgeError

if TYPE_CHECKING:
    from embedforge.evaluation.retriever import Hit, Retriever


@app.command("search")
def search(
    dataset: Annotated[Path, typer.Argument(help="Dataset folder whose whole corpus is searched.")],
    question: Annotated[str | None, typer.Argument(help="The question; leave it out with --interactive.")] = None,
    model: Annotated[str, typer.Option("--model", help="Embedder SPEC: bundled, bundled-minilm, a model folder, a Hub id. [default: bundled]",
                                      show_default=False)] = "bundled",
    dim: Annotated[int | None, typer.Option("--dim", help="Matryoshka dim to truncate to. [default: the model's full dim]")] = None,
    hybrid: Annotated[str | None, typer.Option("--hybrid", help="W in 0..1: W*dense + (1-W)*BM25 over min-max-normalised scores; auto: W chosen on the dataset's dev questions, as compare does. [default: dense only]")] = None,
    k: Annotated[int, typer.Option("-k", "--top-k", help="How many chunks to show. [default: 5]", show_default=False)] = 5,
    interactive: Annotated[bool, typer.Option("--interactive", "-i", help="Ask question after question at a prompt (an empty line or Ctrl-D ends).")] = False,
    device: Annotated[str | None, typer.Option(help="cpu | cuda. [default: sentence-transformers' choice]")] = None,
) -> None:
    """Search DATASET's chunks for QUESTION: rank, score, source, section and first line of the top K.

    Corpus embeddings are cached in DATASET/.embedforge-cache, keyed by the model's and the corpus's
    content hashes, so only the first search with a model encodes the corpus. Each command still loads
    torch and the model (seconds); --interactive pays that once and answers each further question in
    a fraction of a second (its time is printed after the hits).

    Examples:
      embedforge search runs/als/dataset --model runs/als/model --hybrid auto -k 3 "How is ALS diagnosed?"
      embedforge search runs/als/dataset --model bundled --dim 256 --interactive
    """
    if not interactive and (question is None or not question.strip()):
        raise EmbedforgeError("question: empty; give a question, e.g. \"How is ALS diagnosed?\", or use --interactive")
    if k < 1:
        raise EmbedforgeError(f"-k {k}: must be 1 or more")
    if not dataset.is_dir():
        raise EmbedforgeError(f"{dataset}: dataset folder not found; build one with `embedforge dataset build`")
    from embedforge.evaluation.retriever import Retriever

    retriever = Retriever(dataset, model, hybrid=hybrid, dim=dim, device=device)
    typer.echo(_describe(retriever), err=True)
    _questions_on_one_thread()
    if not interactive:
        _show(retriever.search(str(question), k))
        return
    _loop(retriever, k)


def _questions_on_one_thread() -> None:
    """Encode the questions on one CPU thread (this process does nothing else once the corpus is encoded).

    A question is a few dozen tokens: one thread encodes it in tens of milliseconds, while torch's
    pool of one thread per core waits on its slowest thread, several times longer on a busy machine
    (BENCHMARKS.md, benchmark 12).
    """
    import torch

    torch.set_num_threads(1)


def _describe(retriever: Retriever) -> str:
    how = "dense"
    if retriever.weight is not None:
        how = f"hybrid, w = {retriever.weight:.1f} dense + {1 - retriever.weight:.1f} BM25"
        if retriever.choice is not None:
            how += f" (chosen on {retriever.choice.questions} {retriever.choice.chosen_by} questions)"
    cache = "cached corpus embeddings" if retriever.cache_hit else "corpus encoded and cached"
    return f"{len(retriever.chunk_ids)} chunks, dim {retriever.dim}, {how}; {cache}"


def _loop(retriever: Retriever, k: int) -> None:
    while True:
        typer.echo("question> ", nl=False, err=True)
        line = sys.stdin.readline()
        if not line.strip():
            return
        started = time.perf_counter()
        _show(retriever.search(line.strip(), k))
        typer.echo(f"({time.perf_counter() - started:.2f} s)", err=True)


def _show(hits: list[Hit]) -> None:
    for hit in hits:
        meta = hit.metadata
        first = next((line.strip() for line in hit.text.splitlines() if line.strip()), "")
        section = str(meta.get("section") or "-")
        typer.echo(f"{hit.rank:>2}  {hit.score:.4f}  {meta.get('source') or '-'}  § {section}  "
                   f"{first[:120]}{'…' if len(first) > 120 else ''}")
