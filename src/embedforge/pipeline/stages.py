"""The stages of ``embedforge run``, each declared once.

A :class:`Stage` names its configuration sections, the stages whose output it reads,
where in the run folder it writes, the declaration of what it writes (an
:class:`~embedforge.outdir.Output` its own package makes, beside the code that writes it: the
names, the one whose presence marks it complete, the ones that are records rather than content,
which the stage's commands check ``--out`` against too), the function that runs it and returns
its summary, and, where the run's caller needs it, how to read the summary of a stage an earlier
run did. :mod:`embedforge.pipeline.execute`, the configuration's sections and ``--force`` all
loop over :data:`STAGES`; adding a stage is ARCHITECTURE.md's four edits ("To add a stage").

A stage's key hashes the recorded output hashes of its upstream stages, the
:meth:`~embedforge.settings.Settings.fingerprint` of its sections (fields tagged
``output=False``, such as concurrency, device or resume, never count) and its own
inputs (the documents' bytes, the prompt's text, the hand-written questions' bytes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embedforge.corpus.stage import CHUNKS_OUTPUT
from embedforge.dataset.writer import DATASET_OUTPUT
from embedforge.evaluation.report_files import REPORT_OUTPUT
from embedforge.fingerprint import file_hash, object_hash
from embedforge.outdir import Output
from embedforge.pipeline import stage_runs
from embedforge.pipeline.config import RunConfig
from embedforge.pipeline.state import StageContext
from embedforge.training.publish import MODEL_OUTPUT


def _no_inputs(config: RunConfig, context: StageContext) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Stage:
    """One stage of a run (see the module docstring).

    Attributes:
        name: the stage's name (``--force NAME``, ``state.json``).
        sections: configuration sections whose output fields key it.
        upstream: stages whose output it reads.
        output: the file or folder it writes, relative to the run folder.
        marker: the file, relative to the run folder, whose presence says the output is complete.
        run: runs the stage for a configuration; returns the stage's summary.
        inputs: what else its output depends on (file contents, a prompt), as JSON data.
        records: names inside ``output`` that are not content and so never enter its hash.
        recorded: reads, from the run folder, the summary of this stage done by an earlier run (None: not kept).
    """

    name: str
    sections: tuple[str, ...]
    upstream: tuple[str, ...]
    output: str
    marker: str
    run: Callable[[RunConfig, StageContext], Any]
    inputs: Callable[[RunConfig, StageContext], dict[str, Any]] = _no_inputs
    records: tuple[str, ...] = ()
    recorded: Callable[[Path], Any] | None = None

    @classmethod
    def writing(cls, name: str, sections: tuple[str, ...], upstream: tuple[str, ...], declared: Output,
                folder: str | None, run: Callable[[RunConfig, StageContext], Any], **more: Any) -> Stage:
        """A stage writing what its package ``declared``: into ``folder`` of the run folder, or, when None,
        as the one file ``declared.marker`` in the run folder itself; marker and records come from ``declared``."""
        if folder is None:
            return cls(name, sections, upstream, declared.marker, declared.marker, run, **more)
        return cls(name, sections, upstream, folder, f"{folder}/{declared.marker}", run,
                   records=tuple(sorted(declared.records)), **more)

    def key(self, config: RunConfig, context: StageContext) -> str:
        """The hash of everything this stage's output depends on."""
        return object_hash({
            "upstream": {name: context.state.get(name, {}).get("output") for name in self.upstream},
            "settings": {section: getattr(config, section).fingerprint() for section in self.sections},
            "inputs": self.inputs(config, context),
        })

    def is_present(self, run_dir: Path) -> bool:
        return (run_dir / self.marker).is_file()

    def output_hash(self, run_dir: Path) -> str:
        """Hash of the output's content files (records and checkpoints left out)."""
        target = run_dir / self.output
        if target.is_file():
            return file_hash(str(target))
        files = sorted(p for p in target.rglob("*") if p.is_file() and not set(p.relative_to(target).parts)
                       & set(self.records))
        return object_hash({str(p.relative_to(target)): file_hash(str(p)) for p in files})


def _documents(config: RunConfig, context: StageContext) -> dict[str, Any]:
    from embedforge.corpus.sources import source_hashes

    return {"documents": source_hashes(context.files)}


def _prompts(config: RunConfig, context: StageContext) -> dict[str, Any]:
    from embedforge.generators import load_prompt

    names = [config.generate.prompt_name(), config.generate.greedy_prompt]
    files = {"examples": config.generate.examples, "natural_dev": config.dataset.natural_dev}
    return {"prompts": [load_prompt(name).hash if name else None for name in names],
            **{key: file_hash(path) if Path(path).is_file() else None for key, path in files.items() if path}}


def _compare_inputs(config: RunConfig, context: StageContext) -> dict[str, Any]:
    handwritten = config.compare.handwritten
    content = file_hash(handwritten) if handwritten and Path(handwritten).is_file() else None
    return {"base": config.train.base_model, "handwritten": content}


STAGES: tuple[Stage, ...] = (
    Stage.writing("chunk", ("corpus", "chunk"), (), CHUNKS_OUTPUT, None, stage_runs.run_chunk, inputs=_documents),
    Stage.writing("dataset", ("generate", "dataset"), ("chunk",), DATASET_OUTPUT, stage_runs.DATASET_DIR,
                  stage_runs.run_dataset, inputs=_prompts, recorded=stage_runs.recorded_dataset),
    Stage.writing("train", ("train",), ("dataset",), MODEL_OUTPUT, stage_runs.MODEL_DIR, stage_runs.run_train),
    Stage.writing("compare", ("compare",), ("dataset", "train"), REPORT_OUTPUT, stage_runs.REPORT_DIR,
                  stage_runs.run_compare, inputs=_compare_inputs),
)
STAGE_NAMES = tuple(stage.name for stage in STAGES)
# Sections that say how every stage runs, never what it writes (every field ``output=False``): in no key.
RUN_SECTIONS = ("engine",)
