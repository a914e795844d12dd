"""``embedforge dataset build | regenerate | import | export``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from embedforge.commands.app import (
    Config,
    Model,
    OldEmbedder,
    Overwrite,
    dataset_app,
    read_config,
    section_settings,
)
from embedforge.commands.engine_options import Engine, RayAddress, engine_for

Llm = Annotated[str | None, typer.Option("--llm", help="bundled | llamacpp:PATH.gguf | openai:MODEL | openai-compatible:MODEL@URL | vllm:MODEL (on Ray, docs/scale.md). [default: bundled]")]
Prompt = Annotated[str | None, typer.Option("--prompt", help="The prompt of every question: a TOML file (`embedforge prompt copy`) or a packaged name (`embedforge prompt list`); a one-question prompt is asked once per question. [default: multi for the sampled questions, default for the greedy one]")]
PerChunk = Annotated[int | None, typer.Option("--questions-per-chunk", help="Questions sampled per chunk. [default: 5]")]
Concurrency = Annotated[int | None, typer.Option("--concurrency", help="LLM calls in flight at once. [default: 4]")]
Timeout = Annotated[float | None, typer.Option("--timeout", help="Seconds per LLM call. [default: 120]")]
Retries = Annotated[int | None, typer.Option("--max-retries", help="Retries on timeouts, 429 and 5xx. [default: 4]")]
Temperature = Annotated[float | None, typer.Option("--temperature", help="Sampling temperature. [default: 0.8]")]
MaxTokens = Annotated[int | None, typer.Option("--max-tokens", help="Most tokens per answer. [default: 64]")]
Seed = Annotated[int | None, typer.Option("--seed", help="Seed of the LLM's sampling and of the train/dev/eval split. [default: 0 for the LLM, 42 for the split]")]
LlmSeed = Annotated[int | None, typer.Option("--seed", help="Seed of the LLM's sampling. [default: 0]")]
SplitSeed = Annotated[int | None, typer.Option("--seed", help="Seed of the train/dev/eval split. [default: 42]")]
Completions = Annotated[bool | None, typer.Option("--completions/--chat", help="Completion API (base models) for servers. [default: chat]")]
Cache = Annotated[str | None, typer.Option("--cache", help="SQLite cache of LLM calls. [default: $EMBEDFORGE_CACHE, else ~/.cache/embedforge/llm.sqlite]")]
EvalFraction = Annotated[float | None, typer.Option("--eval-fraction", help="Share of chunks in the eval split. [default: 0.2]")]
DevFraction = Annotated[float | None, typer.Option("--dev-fraction", help="Share of chunks in the dev split, which chooses the epoch and alpha (0: none). [default: 0.2]")]
GreedyPrompt = Annotated[str | None, typer.Option("--greedy-prompt", help="A different prompt for the one greedy question per chunk ('': no greedy question). [default: --prompt's, else default]")]
MinWords = Annotated[int | None, typer.Option("--min-words", help="Fewest words in a kept question. [default: 4]")]
MaxWords = Annotated[int | None, typer.Option("--max-words", help="Most words in a kept question. [default: 40]")]
Resample = Annotated[int | None, typer.Option("--resample", help="Extra sampled calls for a chunk with no kept question. [default: 2]")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Print the LLM calls, cache hits, input tokens and cost it would take; call no LLM, write nothing.")]
RoundtripK = Annotated[int | None, typer.Option("--roundtrip-k", help="Keep a question if its chunk ranks in the top K (0: off). [default: 10]")]
Examples = Annotated[str | None, typer.Option("--examples", help="Your own example questions (.jsonl with question and answer, or .txt, one a line): the voice of the generated questions, and natural dev questions where they name their answer. [default: none]")]


# The flags of `build` and `regenerate` that set [generate] fields, under the fields' own names.
GENERATION_FLAGS = ("llm", "prompt", "questions_per_chunk", "concurrency", "timeout", "max_retries", "temperature",
                    "max_tokens", "seed", "completions", "cache", "min_words", "max_words", "resample",
                    "greedy_prompt", "examples")


def generation_flags(values: dict[str, Any]) -> dict[str, Any]:
    """The [generate] flags among a command's arguments (its ``locals()``)."""
    return {name: values[name] for name in GENERATION_FLAGS}


def generation_settings(config: Any, **flags: Any) -> Any:
    """[generate] from ``--config`` and the flags; one ``--prompt`` (without ``--greedy-prompt``) writes every question."""
    import dataclasses

    from embedforge.generators import GenerationSettings

    settings = section_settings(GenerationSettings, config, "generate", **flags)
    if flags.get("prompt") is not None and flags.get("greedy_prompt") is None and settings.greedy_prompt:
        settings = dataclasses.replace(settings, greedy_prompt=flags["prompt"])
    return settings


def dataset_settings(config: Any, **flags: Any) -> Any:
    from embedforge.dataset import DatasetSettings

    return section_settings(DatasetSettings, config, "dataset", **flags)


def report(summary: Any) -> None:
    """Print the summary; some failed LLM calls make it exit 1 (the dataset was written without them)."""
    from embedforge.dataset.show import closing_lines
    from embedforge.errors import FailedItems

    typer.echo(summary.format())
    typer.echo(closing_lines(summary.out_dir))
    if summary.failed:
        raise FailedItems(f"{summary.failed} questions failed (their LLM calls, after retries); the dataset was "
                          "written without them; rerun with --overwrite to retry just those (the rest are cached)")


@dataset_app.command("build")
def build(
    sources: Annotated[list[str], typer.Argument(help="Files, folders or manifests to build from.")],
    out: Annotated[Path, typer.Option("--out", help="Dataset folder to write.")],
    llm: Llm = None, prompt: Prompt = None, questions_per_chunk: PerChunk = None, concurrency: Concurrency = None,
    timeout: Timeout = None, max_retries: Retries = None, temperature: Temperature = None,
    max_tokens: MaxTokens = None, seed: Seed = None, completions: Completions = None, cache: Cache = None,
    min_words: MinWords = None, max_words: MaxWords = None, resample: Resample = None,
    greedy_prompt: GreedyPrompt = None, eval_fraction: EvalFraction = None, dev_fraction: DevFraction = None,
    roundtrip_k: RoundtripK = None, examples: Examples = None,
    model: Model = None,
    chunk_tokens: Annotated[int | None, typer.Option(help="Target chunk size in tokens. [default: 200]")] = None,
    strict: Annotated[bool | None, typer.Option("--strict/--no-strict", help="Stop at the first document that cannot be read. [default: no-strict]")] = None,
    overwrite: Overwrite = False, config: Config = None, dry_run: DryRun = False,
    engine: Engine = None, ray_address: RayAddress = None, embedder: OldEmbedder = None,
) -> None:
    """Chunk documents, generate several questions per chunk, filter, and split into train/dev/eval.

    The embedder (--model) measures the chunks and ranks the round-trip filter.

    Examples:
      embedforge dataset build docs/ --out data/mydocs
      embedforge dataset build docs/ --prompt relative.toml --dry-run --out data/mydocs
    """
    from embedforge.corpus import ChunkSettings
    from embedforge.corpus.source_check import check_sources
    from embedforge.dataset import build_dataset
    from embedforge.dataset.writer import DATASET_OUTPUT
    from embedforge.outdir import check_out_dir

    loaded = read_config(config)  # once: its [generate], [dataset], [chunk] and [engine]
    gen = generation_settings(loaded, **generation_flags(locals()))
    data = dataset_settings(loaded, eval_fraction=eval_fraction, dev_fraction=dev_fraction, seed=seed,
                            roundtrip_k=roundtrip_k, roundtrip_model=model or embedder)
    chunking = section_settings(ChunkSettings, loaded, "chunk", embedder=model or embedder, chunk_tokens=chunk_tokens,
                                strict=strict)
    check_sources(sources)
    check_out_dir(out, DATASET_OUTPUT, overwrite=overwrite)  # the dry run refuses what the real run refuses
    if dry_run:
        from embedforge.dataset.dryrun import plan_sources
        from embedforge.generators.preflight import check_generation

        check_generation(gen, need_key=False)
        count, plan = plan_sources(sources, chunking, gen)
        typer.echo(f"{count} chunks\n{plan.format()}")
        return
    report(build_dataset(sources, out, chunk_settings=chunking, generation_settings=gen, dataset_settings=data,
                         engine=engine_for(loaded, engine, ray_address)))


@dataset_app.command("regenerate")
def regenerate(
    dataset: Annotated[Path, typer.Argument(help="Existing dataset folder (its chunks and split are kept).")],
    out: Annotated[Path, typer.Option("--out", help="New dataset folder.")],
    prompt: Prompt = None, llm: Llm = None, questions_per_chunk: PerChunk = None, concurrency: Concurrency = None,
    timeout: Timeout = None, max_retries: Retries = None, temperature: Temperature = None,
    max_tokens: MaxTokens = None, seed: LlmSeed = None, completions: Completions = None, cache: Cache = None,
    min_words: MinWords = None, max_words: MaxWords = None, resample: Resample = None,
    greedy_prompt: GreedyPrompt = None, roundtrip_k: RoundtripK = None, overwrite: Overwrite = False,
    config: Config = None, dry_run: DryRun = False, engine: Engine = None, ray_address: RayAddress = None,
    examples: Examples = None,
) -> None:
    """Replace the questions of DATASET (new prompt or LLM), keeping its chunks and split.

    Examples:
      embedforge dataset regenerate data/mydocs --prompt relative.toml --out data/mydocs-v2 --dry-run
      embedforge dataset regenerate data/mydocs --llm openai:gpt-4o-mini --out data/mydocs-4o
    """
    from embedforge.dataset import regenerate as regenerate_dataset
    from embedforge.dataset.writer import DATASET_OUTPUT
    from embedforge.outdir import check_out_dir

    loaded = read_config(config)  # once: its [generate], [dataset] and [engine]
    gen = generation_settings(loaded, **generation_flags(locals()))
    # Without --roundtrip-k (or --config) the parent dataset's recorded round-trip settings are reused.
    data = dataset_settings(loaded, roundtrip_k=roundtrip_k) if (config or roundtrip_k is not None) else None
    check_out_dir(out, DATASET_OUTPUT, overwrite=overwrite)  # the dry run refuses what the real run refuses
    if dry_run:
        from embedforge.dataset.dryrun import plan_regenerate

        count, plan = plan_regenerate(dataset, gen)
        typer.echo(f"{count} chunks\n{plan.format()}")
        return
    report(regenerate_dataset(dataset, out, generation_settings=gen, dataset_settings=data,
                              engine=engine_for(loaded, engine, ray_address)))


@dataset_app.command("import")
def import_(
    train_file: Annotated[Path, typer.Argument(help="LlamaIndex or reference-notebook JSON: the train split.")],
    eval_file: Annotated[Path | None, typer.Argument(help="Optional JSON for the eval split.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Dataset folder to write.")] = Path("dataset"),
    eval_fraction: EvalFraction = None, seed: SplitSeed = None, overwrite: Overwrite = False, config: Config = None,
) -> None:
    """Import a dataset from LlamaIndex's EmbeddingQAFinetuneDataset or the reference notebook's JSON.

    Examples:
      embedforge dataset import train_dataset.json val_dataset.json --out data/imported
    """
    from embedforge.dataset import import_dataset
    from embedforge.dataset.writer import DATASET_OUTPUT
    from embedforge.outdir import check_out_dir

    data = dataset_settings(config, eval_fraction=eval_fraction, seed=seed)
    check_out_dir(out, DATASET_OUTPUT, overwrite=overwrite)
    summary = import_dataset(train_file, eval_file, out, data)
    typer.echo(summary.format())


@dataset_app.command("export")
def export(
    dataset: Annotated[Path, typer.Argument(help="Dataset folder.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write train.json and eval.json into.")],
    format: Annotated[str, typer.Option("--format", help="llamaindex")] = "llamaindex",
    overwrite: Overwrite = False,
) -> None:
    """Export a dataset folder as LlamaIndex EmbeddingQAFinetuneDataset JSON, one file per split.

    Examples:
      embedforge dataset export data/mydocs --format llamaindex --out exported/
    """
    from embedforge.dataset import export_dataset
    from embedforge.dataset.importers import EXPORT_OUTPUT
    from embedforge.outdir import check_out_dir

    check_out_dir(out, EXPORT_OUTPUT, overwrite=overwrite)
    for path in export_dataset(dataset, out, format=format):
        typer.echo(str(path))


@dataset_app.command("preview")
def preview(
    sources: Annotated[list[str], typer.Argument(help="A dataset folder, or documents to chunk.")],
    prompt: Annotated[str, typer.Option("--prompt", help="The new prompt (TOML file or packaged name).")],
    n: Annotated[int, typer.Option("-n", help="How many chunks (spread over the corpus).")] = 5,
    current: Annotated[str | None, typer.Option("--current-prompt", help="Compare with this prompt. [default: the dataset's]")] = None,
    llm: Llm = None, questions_per_chunk: PerChunk = None, temperature: Temperature = None, seed: LlmSeed = None,
    completions: Completions = None, cache: Cache = None,
) -> None:
    """Questions of a new prompt beside the current prompt's, for a few chunks (cached like any call).

    Examples:
      embedforge dataset preview data/mydocs --prompt relative.toml -n 5
      embedforge dataset preview docs/page.html --prompt relative.toml --current-prompt default
    """
    import dataclasses

    from embedforge.dataset.preview import preview_prompt, recorded_settings

    folder = Path(sources[0])
    base = recorded_settings(folder) if len(sources) == 1 and folder.is_dir() else None
    given: dict[str, Any] = {k: v for k, v in dict(llm=llm, questions_per_chunk=questions_per_chunk, temperature=temperature,
                                   seed=seed, completions=completions, cache=cache).items() if v is not None}
    gen = generation_settings(None, **given) if base is None else dataclasses.replace(base, **given)
    typer.echo(preview_prompt(sources, prompt, n=n, settings=gen, current_prompt=current).format())
