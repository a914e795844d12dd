"""``dataset build`` and ``dataset regenerate``: chunks -> questions -> filter -> split -> folder.

``build_dataset`` runs the corpus stage first; ``build_dataset_from_chunks`` starts
from chunks (the pipeline chunks on its own); ``regenerate`` keeps a folder's
chunks and split and replaces only the questions (the LLM cache makes unchanged
calls free). All three go through :func:`_make_folder`, so they write the same
shape and count the same way.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from embedforge.corpus.record import Chunk, read_chunks
from embedforge.corpus.sources import source_hashes
from embedforge.corpus.stage import CHUNKS_FILE
from embedforge.counts import Counts
from embedforge.dataset.assemble import assemble
from embedforge.dataset.overlap import drop_copied_words
from embedforge.dataset.questions import ask_every_pass, drop_near_duplicates
from embedforge.dataset.roundtrip import roundtrip_filter
from embedforge.dataset.settings import DatasetSettings, recorded_settings
from embedforge.dataset.show import write_filtered
from embedforge.dataset.split import SPLIT_FILE, assign_split, read_split
from embedforge.dataset.summary import DatasetSummary
from embedforge.dataset.writer import summarize, write_folder
from embedforge.errors import EmbedforgeError
from embedforge.fingerprint import file_hash

if TYPE_CHECKING:
    from embedforge.corpus import ChunkSettings
    from embedforge.engine import EngineSettings
    from embedforge.generators import GenerationSettings

log = logging.getLogger(__name__)


def build_dataset(
    sources: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    chunk_settings: ChunkSettings | None = None,
    generation_settings: GenerationSettings | None = None,
    dataset_settings: DatasetSettings | None = None,
    embedder: Any = None,
    config: dict[str, Any] | None = None,
    engine: EngineSettings | None = None,
) -> DatasetSummary:
    """Chunk ``sources``, generate and filter questions, split, and write the folder ``out_dir``.

    ``chunks.jsonl`` is written into ``out_dir`` by the corpus stage and kept there.
    See :func:`build_dataset_from_chunks` for the rest. Every settings object defaults to its
    defaults (the bundled embedder and LLM), so ``build_dataset(["docs/"], "data/")`` runs as is;
    the summary it returns carries the data (``.corpus``, ``.queries``, ``.train``) and ``.paths``.

    Raises:
        EmbedforgeError: a bad LLM spec, key or prompt (before any work), no chunks were kept,
            or any stage's user-fixable failure.
        FailedItems: every LLM call failed (nothing written but ``chunks.jsonl``).
    """
    from embedforge.corpus import ChunkSettings, chunk_documents
    from embedforge.generators import GenerationSettings
    from embedforge.generators.preflight import check_generation

    chunk_settings = chunk_settings or ChunkSettings()
    generation_settings = generation_settings or GenerationSettings()
    check_generation(generation_settings)
    out = Path(out_dir)
    corpus = chunk_documents(list(sources), out, chunk_settings, engine=engine)
    log.info("%s", corpus.format())
    if corpus.chunks_kept == 0:
        raise EmbedforgeError(f"{out / CHUNKS_FILE}: no chunks were kept; check the documents and settings")
    chunks = read_chunks(out / CHUNKS_FILE)  # the corpus stage streams them to disk; memory does not grow
    settings = dataset_settings or DatasetSettings()
    configuration = config or {"chunk": chunk_settings, "generate": generation_settings, "dataset": settings}
    return build_dataset_from_chunks(
        chunks, out, generation_settings=generation_settings, dataset_settings=settings,
        embedder=embedder, config=configuration, sources=sources, engine=engine,
    )


def build_dataset_from_chunks(
    chunks: Sequence[Chunk],
    out_dir: str | os.PathLike[str],
    *,
    generation_settings: GenerationSettings,
    dataset_settings: DatasetSettings | None = None,
    embedder: Any = None,
    config: dict[str, Any] | None = None,
    sources: Sequence[str | os.PathLike[str]] = (),
    engine: EngineSettings | None = None,
) -> DatasetSummary:
    """Generate questions for ``chunks``, round-trip filter, split by chunk, write ``out_dir``.

    Args:
        chunks: the corpus (every chunk is searched at eval time).
        out_dir: the dataset folder to write.
        generation_settings: LLM, prompt, sampling, cache.
        dataset_settings: split and filter; defaults when None.
        embedder: a loaded SentenceTransformer for the round-trip filter (else
            ``dataset_settings.roundtrip_model`` is loaded when needed).
        config: the resolved configuration to record (default: the settings given).
        sources: the documents, for the manifest's input hashes.
        engine: where the LLM calls run (``local`` when None; ``ray``: docs/scale.md); same questions either way.

    Returns:
        The summary (also in ``manifest.json`` and the card).

    Raises:
        FailedItems: every LLM call failed; no folder is written.
    """
    settings = dataset_settings or DatasetSettings()
    records, counts, embedder = _generate(chunks, generation_settings, settings, embedder, engine)
    kept_chunks = {r.chunk_id for r in records if r.status == "kept"}
    split = assign_split(kept_chunks, (c.id for c in chunks), settings.eval_fraction, settings.seed,
                         settings.dev_fraction)
    configuration = config or {"generate": generation_settings, "dataset": settings}
    return _make_folder(out_dir, chunks, records, split, counts, kind="build",
                        configuration=configuration, inputs={"sources": source_hashes(sources)},
                        settings=settings, embedder=embedder, examples=generation_settings.examples)


def regenerate(
    dataset_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    generation_settings: GenerationSettings | None = None,
    dataset_settings: DatasetSettings | None = None,
    embedder: Any = None,
    config: dict[str, Any] | None = None,
    engine: EngineSettings | None = None,
) -> DatasetSummary:
    """Write ``out_dir`` with the chunks and split of ``dataset_dir`` and new questions.

    Chunks whose new questions are all filtered simply have no queries; the split of
    every chunk is the one in ``dataset_dir/split.json``. Without ``dataset_settings``
    the round-trip filter settings of ``dataset_dir``'s manifest are reused; without
    ``generation_settings``, the defaults (the bundled LLM).

    Raises:
        EmbedforgeError: ``out_dir`` is ``dataset_dir``, or ``dataset_dir`` lacks
            ``chunks.jsonl`` / ``split.json`` (not written by ``dataset build``), or a bad LLM spec.
        FailedItems: every LLM call failed; no folder is written.
    """
    from embedforge.generators import GenerationSettings
    from embedforge.generators.preflight import check_generation

    generation_settings = generation_settings or GenerationSettings()
    check_generation(generation_settings)
    source, out = Path(dataset_dir), Path(out_dir)
    if source.resolve() == out.resolve():
        raise EmbedforgeError(f"{out}: --out must be a new folder, not the dataset being regenerated")
    if not (source / CHUNKS_FILE).is_file():
        raise EmbedforgeError(
            f"{source}: no {CHUNKS_FILE}; regenerate needs a folder written by `embedforge dataset build`"
        )
    chunks, split = read_chunks(source / CHUNKS_FILE), read_split(source)
    missing = [c.id for c in chunks if c.id not in split]
    if missing:
        raise EmbedforgeError(f"{source / SPLIT_FILE}: chunk {missing[0]} has no split; rebuild the dataset")
    settings = dataset_settings or recorded_settings(source)
    records, counts, embedder = _generate(chunks, generation_settings, settings, embedder, engine)
    inputs = {"parent_dataset": {CHUNKS_FILE: file_hash(str(source / CHUNKS_FILE)),
                                 SPLIT_FILE: file_hash(str(source / SPLIT_FILE))}}
    configuration = config or {"generate": generation_settings, "dataset": settings}
    return _make_folder(out, chunks, records, split, counts, kind="regenerate",
                        configuration=configuration, inputs=inputs, settings=settings, embedder=embedder,
                        examples=generation_settings.examples)


def _generate(
    chunks: Sequence[Chunk], generation: GenerationSettings, settings: DatasetSettings, embedder: Any,
    engine: EngineSettings | None,
) -> tuple[list[Any], Counts, Any]:
    """Question records after the generator's filters and the round-trip filter, their counts, and the
    embedder the filter loaded (or was given; None when the filter is off)."""
    records, calls = ask_every_pass(chunks, generation, engine)
    records = drop_near_duplicates(records)
    if settings.max_overlap < 1.0:
        records = drop_copied_words(records, chunks, settings.max_overlap)
    if settings.most_specific > 0:
        records = _keep_most_specific(records, chunks, settings.most_specific)
    if settings.roundtrip_k > 0 and any(r.status == "kept" for r in records):
        if embedder is None:
            from embedforge.embedder import load_embedder

            embedder = load_embedder(settings.roundtrip_model)
        records = roundtrip_filter(records, chunks, settings.roundtrip_k, embedder)
    # The calls as the passes made them; the slots as the dataset's own filters left them.
    counts = calls.calls_only()
    for record in records:
        counts.add(record.status, record.reason)
    return records, counts, embedder


def _keep_most_specific(records: list[Any], chunks: Sequence[Chunk], keep: int) -> list[Any]:
    """The query-likelihood filter, scored with the bundled GGUF model (loaded here, freed after)."""
    from embedforge.dataset.specific import keep_most_specific
    from embedforge.generators.backends.llamacpp import bundled_gguf_path
    from embedforge.generators.likelihood import QueryLikelihood

    return keep_most_specific(records, chunks, keep, QueryLikelihood.load(bundled_gguf_path()))


def _make_folder(
    out_dir: str | os.PathLike[str],
    chunks: Sequence[Chunk],
    records: Sequence[Any],
    split: dict[str, str],
    counts: Counts,
    *,
    kind: str,
    configuration: Any,
    inputs: dict[str, Any],
    settings: DatasetSettings,
    embedder: Any = None,
    examples: str | None = None,
) -> DatasetSummary:
    from embedforge.dataset.bias import lexical_bias
    from embedforge.dataset.natural import natural_dev_rows, write_natural_dev

    out = Path(out_dir)
    dataset = assemble(chunks, (r for r in records if r.status == "kept" and r.question), split)
    summary = summarize(out, dataset, counts)
    summary.bias = lexical_bias(dataset, chunks, embedder)
    if settings.natural_dev or examples:
        summary.natural_dev = write_natural_dev(out, natural_dev_rows(settings.natural_dev, examples, chunks))
    out.mkdir(parents=True, exist_ok=True)
    write_filtered(out, records)  # before the manifest, which marks the folder finished
    write_folder(out, dataset, chunks, split, summary, kind=kind, configuration=configuration, inputs=inputs,
                 card_settings=asdict(settings))
    if counts.uncached:  # a user error (exit 2), raised once the folder holds every answer
        line, n = sorted(counts.uncached.items())[0]
        raise EmbedforgeError(f"{line}; the {n} answers are in {out} all the same, but a rerun asks the LLM again")
    return summary
