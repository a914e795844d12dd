"""``--dry-run`` of ``dataset build`` / ``regenerate`` and ``embedforge run``: the calls a dataset would cost.

A dataset asks the LLM twice per chunk in the default recipe: the sampled pass and
the greedy pass (``questions.greedy_settings``). :func:`plan_chunks` plans both with
:func:`embedforge.generators.plan_generation` and adds them up; :func:`plan_sources`
chunks documents first (``corpus.chunk_in_memory``) (nothing is written to ``--out``);
:func:`plan_regenerate` reads a dataset folder's chunks. No LLM is called.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from embedforge.corpus.record import Chunk, read_chunks
from embedforge.corpus.stage import CHUNKS_FILE
from embedforge.dataset.questions import dataset_passes
from embedforge.errors import EmbedforgeError

if TYPE_CHECKING:
    from embedforge.corpus import ChunkSettings
    from embedforge.generators import CallPlan, GenerationSettings


def plan_chunks(chunks: Sequence[Chunk], settings: GenerationSettings) -> CallPlan:
    """Every pass the dataset stage makes over ``chunks`` (``questions.dataset_passes``), added up."""
    from embedforge.generators import plan_generation
    from embedforge.generators.preflight import check_prompts

    spec = settings.spec  # no key needed: nothing is called, and the cost is known before one is set
    check_prompts(settings, spec)
    counter = spec.token_counter()
    first, *others = dataset_passes(settings)
    plan = plan_generation(chunks, first, counter)
    for one in others:
        plan.add(plan_generation(chunks, one, counter))
    return plan


def plan_sources(
    sources: Sequence[str | os.PathLike[str]], chunk_settings: ChunkSettings, settings: GenerationSettings
) -> tuple[int, CallPlan]:
    """Chunk ``sources`` into a temporary folder and plan the dataset's calls: (chunks, plan).

    Raises:
        EmbedforgeError: no chunk was kept, or a bad spec/prompt.
    """
    from embedforge.corpus import chunk_in_memory
    from embedforge.generators import load_prompt

    _ = settings.spec  # a bad spec or prompt fails before chunking
    load_prompt(settings.prompt_name())
    chunks = chunk_in_memory(sources, chunk_settings)
    if not chunks:
        raise EmbedforgeError(f"{', '.join(map(str, sources))}: no chunks were kept; check the documents and settings")
    return len(chunks), plan_chunks(chunks, settings)


def plan_regenerate(dataset_dir: str | os.PathLike[str], settings: GenerationSettings) -> tuple[int, CallPlan]:
    """Plan ``regenerate``'s calls over a dataset folder's chunks: (chunks, plan).

    Raises:
        EmbedforgeError: the folder has no ``chunks.jsonl``.
    """
    path = Path(dataset_dir) / CHUNKS_FILE
    if not path.is_file():
        raise EmbedforgeError(f"{dataset_dir}: no {CHUNKS_FILE}; regenerate needs a folder written by "
                              "`embedforge dataset build`")
    chunks = read_chunks(path)
    return len(chunks), plan_chunks(chunks, settings)
