"""``embedforge train``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from embedforge.commands.app import Config, Model, OldBaseModel, Overwrite, app, dims_option, section_settings


@app.command("train")
def train(
    dataset: Annotated[Path, typer.Argument(help="Dataset folder (from `dataset build` or `dataset import`).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the fine-tuned model.")],
    model: Model = None,
    dims: Annotated[str | None, typer.Option(help="Matryoshka dims, descending, e.g. 384,256,128,64. [default: 768,512,256,128,64 cut to the model's size]")] = None,
    batch_size: Annotated[int | None, typer.Option(help="Pairs per batch (in-batch negatives). [default: 10]")] = None,
    epochs: Annotated[int | None, typer.Option(help="Training epochs. [default: 10]")] = None,
    learning_rate: Annotated[float | None, typer.Option(help="Peak learning rate. [default: 5e-05]")] = None,
    warmup_ratio: Annotated[float | None, typer.Option(help="Share of steps for warm-up. [default: 0.1]")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of training: batch order, dropout, any new layer's weights. [default: 42]")] = None,
    loss: Annotated[str | None, typer.Option(help="mnrl | cached-mnrl (GradCache, big batches in small memory). [default: mnrl]")] = None,
    hard_negatives: Annotated[int | None, typer.Option(help="Mine K hard negatives per pair with the base model. [default: 0]")] = None,
    query_prompt: Annotated[str | None, typer.Option(help="Prompt prepended to questions. [default: the model's own query prompt]")] = None,
    trust_remote_code: Annotated[bool | None, typer.Option("--trust-remote-code", help="Run code shipped with the model. [default: off]")] = None,
    resume: Annotated[bool | None, typer.Option("--resume", help="Require a checkpoint in OUT to continue from (an interrupted training of the same settings is continued without it). [default: off]")] = None,
    device: Annotated[str | None, typer.Option(help="cpu | cuda; pick a card with CUDA_VISIBLE_DEVICES. [default: cuda if there is one, else cpu]")] = None,
    precision: Annotated[str | None, typer.Option(help="auto | bf16 | fp16 | fp32; auto is bf16 on a CUDA card that has it, else fp16, and fp32 on the CPU. [default: auto]")] = None,
    alpha: Annotated[float | None, typer.Option(help="Weight of the fine-tuned model, interpolated toward the base (1: none). [default: chosen on the dev split, 0.7 without one]")] = None,
    choose_on: Annotated[str | None, typer.Option("--choose-on", help="Which questions choose the epoch and alpha: natural (the dataset's natural_dev.jsonl from --examples, else the dev questions sharing at most half their words with their chunk, else all of dev) or dev (all of dev). [default: natural]")] = None,
    card_examples: Annotated[bool | None, typer.Option("--card-examples", help="Keep sentence-transformers' card, which quotes the training documents, in the model's README. [default: off]")] = None,
    push_to: Annotated[str | None, typer.Option("--push-to", help="Upload the saved model to this Hugging Face Hub repo id. [default: none]")] = None,
    overwrite: Overwrite = False,
    config: Config = None,
    base_model: OldBaseModel = None,
) -> None:
    """Fine-tune an embedder (--model) with MatryoshkaLoss over MultipleNegativesRankingLoss into OUT.

    Examples:
      embedforge train data/mydocs --out models/mydocs
      embedforge train data/mydocs --model bundled-minilm --epochs 1 --learning-rate 1e-4 --out models/mydocs
    """
    from embedforge.outdir import check_out_dir
    from embedforge.training import TrainSettings
    from embedforge.training import train as train_model
    from embedforge.training.publish import MODEL_OUTPUT

    settings = section_settings(
        TrainSettings, config, "train",
        base_model=model or base_model, dims=dims_option(dims), batch_size=batch_size, epochs=epochs,
        learning_rate=learning_rate, warmup_ratio=warmup_ratio, seed=seed, loss=loss, hard_negatives=hard_negatives,
        query_prompt=query_prompt, trust_remote_code=trust_remote_code, resume=resume, device=device, alpha=alpha,
        choose_on=choose_on, card_examples=card_examples, push_to=push_to, precision=precision,
    )
    check_out_dir(out, MODEL_OUTPUT, overwrite=overwrite)
    result = train_model(dataset, out, settings)
    typer.echo(result.format() if hasattr(result, "format") else str(result))
    typer.echo("\n".join(_closing_lines(dataset, out, settings.base_model, result.dims)))


def _closing_lines(dataset: Path, out: Path, base: str, dims: tuple[int, ...]) -> list[str]:
    """The dims, what chose the epoch and alpha on which questions (``selection.json``), and ``compare`` next."""
    import json

    from embedforge.next_steps import arg, next_lines
    from embedforge.training.model_card import SELECTION_FILE

    lines = [f"dims: {', '.join(map(str, dims))} (load at any of them with truncate_dim)"]
    path = out / SELECTION_FILE
    try:
        chosen = json.loads(path.read_text(encoding="utf-8"))
        point, alpha = chosen["checkpoint"], chosen["alpha"]
        lines.append(f"chosen: epoch {point['epoch']} by {point['chosen_by']}, alpha {alpha['value']:g} by "
                     f"{alpha['chosen_by']}, on {chosen.get('chosen_on', 'nothing')} ({path})")
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not written on this process (a DDP rank other than 0)
    report = Path("reports") / out.name
    return lines + next_lines(f"embedforge compare {arg(dataset)} --model base={arg(base)} --model tuned={arg(out)} "
                              f"--bm25 --out {arg(report)}")
