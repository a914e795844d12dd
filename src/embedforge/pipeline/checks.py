"""What ``embedforge run`` checks before any stage runs.

A run that would fail at the training stage because of its configuration should fail
before chunking and question generation, in one line, leaving no run folder behind:
the run folder must be creatable inside ``runs_dir``; the LLM spec, its key and the
prompt must be usable; every model spec must resolve; and explicit Matryoshka dims
must fit the base model's output size where its config files declare it (no weights
are loaded).
"""

from __future__ import annotations

from pathlib import Path

from embedforge.bundled_embedders import bundled_name, check_installed
from embedforge.embedder import check_hub_reachable, is_hub_id, resolve_model
from embedforge.errors import EmbedforgeError
from embedforge.outdir import check_writable
from embedforge.pipeline.config import RunConfig


def check_run(config: RunConfig, *, need_key: bool = True) -> None:
    """Check ``config`` as far as it can be checked without work (a dry run: ``need_key=False``).

    Raises:
        EmbedforgeError: the first problem found, naming the setting or file.
    """
    from embedforge.generators.preflight import check_generation
    from embedforge.training.dims import output_dim_from_files

    check_writable(config.run_dir, f"{_source(config)}runs_dir")
    check_generation(config.generate, need_key=need_key)
    handwritten = config.compare.handwritten
    if handwritten and not Path(handwritten).is_file():
        raise EmbedforgeError(f"{_source(config)}[compare] handwritten {handwritten}: file not found; "
                              "fix the path or remove the setting")
    reached: set[str] = set()
    for section, spec in (("chunk", config.chunk.embedder), ("dataset", config.dataset.roundtrip_model),
                          ("train", config.train.base_model)):
        where = "model" if spec == config.model else f"[{section}] model"  # as the file names it
        try:
            # A bundled model is only checked as installed: assembling it is work, done when it is used.
            check_installed(spec) if bundled_name(spec) else resolve_model(spec)
            if is_hub_id(spec) and spec not in reached:  # offline and not cached: refused now, not at its stage
                check_hub_reachable(spec)
                reached.add(spec)
        except EmbedforgeError as exc:
            raise EmbedforgeError(f"{_source(config)}{where}: {exc}") from exc
    base = config.train.base_model
    if config.train.dims is not None and not is_hub_id(base):
        declared = check_installed(base) if bundled_name(base) else output_dim_from_files(resolve_model(base))
        too_big = [d for d in config.train.dims if declared is not None and d > declared]
        if too_big:
            raise EmbedforgeError(
                f"{_source(config)}[train] dims {list(config.train.dims)}: {base} outputs {declared} dims, "
                f"so it cannot serve {too_big[0]}; use dims of at most {declared}")


def check_force(force: str | None) -> None:
    """Refuse a ``--force`` that names no stage.

    Raises:
        EmbedforgeError: an unknown stage name, with a "did you mean" when one is close.
    """
    from difflib import get_close_matches

    from embedforge.pipeline.stages import STAGE_NAMES

    if force is not None and force not in STAGE_NAMES:
        close = get_close_matches(force, STAGE_NAMES, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise EmbedforgeError(f"--force {force!r}: unknown stage; {hint}choose one of {', '.join(STAGE_NAMES)}")


def _source(config: RunConfig) -> str:
    return f"{config.source_path}: " if config.source_path else ""
