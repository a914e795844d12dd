"""``runs/<name>/state.json``: what each stage read, whether it finished, and what it wrote.

A stage's input key is a hash of everything its output depends on: the upstream
output hash recorded when that stage finished, its part of the configuration, and,
for the corpus stage, the documents' bytes. :mod:`embedforge.pipeline` skips a
stage whose recorded key matches, that finished, and whose output is present.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path
from typing import Any

from embedforge.config import RunConfig
from embedforge.files import write_json
from embedforge.fingerprint import file_hash, object_hash

log = logging.getLogger(__name__)

OUTPUTS = {"chunk": "chunks.jsonl", "dataset": "dataset/manifest.json", "train": "model/modules.json",
           "compare": "report/metrics.json"}


def chunk_key(config: RunConfig, files: list[Path]) -> str:
    hashes = [file_hash(str(p)) if p.is_file() else str(p) for p in files]
    return object_hash({"settings": dataclasses.asdict(config.chunk), "documents": hashes})


def dataset_key(config: RunConfig, state: dict[str, Any]) -> str:
    from embedforge.generators import load_prompt

    prompt = load_prompt(config.generate.prompt_name())
    return object_hash(
        {
            "chunks": state.get("chunk", {}).get("output"),
            "generate": dataclasses.asdict(config.generate),
            "prompt": prompt.hash,
            "dataset": dataclasses.asdict(config.dataset),
        }
    )


def train_key(config: RunConfig, state: dict[str, Any]) -> str:
    settings = {k: v for k, v in dataclasses.asdict(config.train).items() if k != "resume"}
    return object_hash({"dataset": state.get("dataset", {}).get("output"), "train": settings})


def compare_key(config: RunConfig, state: dict[str, Any]) -> str:
    handwritten = file_hash(config.handwritten) if config.handwritten and Path(config.handwritten).is_file() else None
    return object_hash(
        {
            "dataset": state.get("dataset", {}).get("output"),
            "model": state.get("train", {}).get("output"),
            "compare": dataclasses.asdict(config.compare),
            "base": config.train.base_model,
            "handwritten": handwritten,
        }
    )


def outputs_present(run_dir: Path, stage: str) -> bool:
    return (run_dir / OUTPUTS[stage]).is_file()


def output_hash(run_dir: Path, stage: str) -> str:
    """Hash of a stage's output: the chunks file, or every file of its folder (checkpoints excluded)."""
    target = run_dir / OUTPUTS[stage]
    if stage == "chunk":
        return file_hash(str(target))
    folder = target.parent
    files = sorted(p for p in folder.rglob("*") if p.is_file() and "checkpoints" not in p.parts)
    return object_hash({str(p.relative_to(folder)): file_hash(str(p)) for p in files})


def read_state(run_dir: Path) -> dict[str, Any]:
    """The recorded state, or {} (every stage runs) when there is none or it cannot be read."""
    path = run_dir / "state.json"
    if not path.is_file():
        return {}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        log.warning("%s: unreadable, every stage will run", path)
        return {}
    return state if isinstance(state, dict) else {}


def write_state(run_dir: Path, state: dict[str, Any]) -> None:
    write_json(run_dir / "state.json", state)
