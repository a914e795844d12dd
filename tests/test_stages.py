"""Stage declarations and keys: what changes the output redoes a stage and those after it; nothing else does.

The skip logic runs here on fake stages that write a file in milliseconds; the real stages'
keys are computed without running them. End-to-end skips are in ``test_pipeline.py``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from embedforge.pipeline.config import SECTIONS, RunConfig, config_from_dict
from embedforge.pipeline.execute import execute_stages
from embedforge.pipeline.stages import RUN_SECTIONS, STAGES, Stage
from embedforge.pipeline.state import StageContext, read_state

# (section, field, new value): fields that change how a stage runs, never what it writes.
RUN_ONLY = [
    ("chunk", "strict", True),
    ("generate", "concurrency", 8),
    ("generate", "timeout", 30.0),
    ("generate", "max_retries", 0),
    ("generate", "cache", "/elsewhere/llm.sqlite"),
    ("train", "device", "cpu"),
    ("train", "resume", True),
    ("train", "keep_checkpoints", True),
    ("compare", "batch_size", 8),
    ("compare", "device", "cpu"),
    ("engine", "kind", "ray"),
    ("engine", "workers", 2),
]
# (section, field, new value, the stage it belongs to): fields that change the output.
OUTPUT = [
    ("chunk", "chunk_tokens", 128, "chunk"),
    ("generate", "temperature", 0.3, "dataset"),
    ("generate", "questions_per_chunk", 2, "dataset"),
    ("dataset", "seed", 7, "dataset"),
    ("train", "epochs", 3, "train"),
    ("train", "learning_rate", 3e-5, "train"),
    ("compare", "bm25", True, "compare"),
    ("compare", "bootstrap_samples", 10, "compare"),
]


def _with(config: RunConfig, section: str, name: str, value: Any) -> RunConfig:
    return dataclasses.replace(config, **{section: dataclasses.replace(getattr(config, section), **{name: value})})


def _keys(config: RunConfig) -> dict[str, str]:
    context = StageContext(files=[], state={s.name: {"output": f"out-{s.name}"} for s in STAGES})
    return {stage.name: stage.key(config, context) for stage in STAGES}


def test_every_section_belongs_to_exactly_one_stage() -> None:
    owned = [section for stage in STAGES for section in stage.sections]
    assert sorted(owned + list(RUN_SECTIONS)) == sorted(SECTIONS)
    for section in RUN_SECTIONS:  # in no stage key, so nothing in it may change an output
        assert getattr(RunConfig(), section).fingerprint() == {}


@pytest.mark.parametrize(("section", "name", "value"), RUN_ONLY)
def test_a_run_only_setting_changes_no_stage_key(section: str, name: str, value: Any) -> None:
    config = RunConfig()
    assert _keys(_with(config, section, name, value)) == _keys(config)


@pytest.mark.parametrize(("section", "name", "value", "stage"), OUTPUT)
def test_an_output_setting_changes_its_own_stage_key_only(section: str, name: str, value: Any, stage: str) -> None:
    # The stages after it change through the upstream output hash (see the fake-stage test below).
    before, after = _keys(RunConfig()), _keys(_with(RunConfig(), section, name, value))
    assert {n for n in before if before[n] != after[n]} == {stage}


def test_the_run_model_fills_every_stage_that_embeds() -> None:
    config = config_from_dict({"model": "models/mine"})
    assert (config.chunk.embedder, config.dataset.roundtrip_model, config.train.base_model) == ("models/mine",) * 3
    own = config_from_dict({"model": "models/mine", "train": {"model": "other"}})
    assert own.train.base_model == "other" and own.chunk.embedder == "models/mine"


def test_handwritten_file_content_keys_the_compare_stage(tmp_path: Path) -> None:
    questions = tmp_path / "hand.jsonl"
    questions.write_text('{"question": "q", "chunk_id": "c"}\n', encoding="utf-8")
    config = _with(RunConfig(), "compare", "handwritten", str(questions))
    first = _keys(config)["compare"]
    questions.write_text('{"question": "another", "chunk_id": "c"}\n', encoding="utf-8")
    assert _keys(config)["compare"] != first


def _fake_stages(calls: list[str]) -> tuple[Stage, ...]:
    """Three stages over real sections; each writes what its settings and upstream say, and logs its run."""

    def make(name: str, section: str, upstream: tuple[str, ...]) -> Stage:
        def run(config: RunConfig, context: StageContext) -> None:
            calls.append(name)
            upstream_text = "".join((config.run_dir / f"{u}.txt").read_text() for u in upstream)
            (config.run_dir / f"{name}.txt").write_text(f"{getattr(config, section).fingerprint()}{upstream_text}")

        return Stage(name, (section,), upstream, f"{name}.txt", f"{name}.txt", run)

    return make("first", "chunk", ()), make("second", "generate", ("first",)), make("third", "train", ("second",))


def _run(config: RunConfig, calls: list[str], force: str | None = None) -> list[str]:
    calls.clear()
    config.run_dir.mkdir(parents=True, exist_ok=True)
    execute_stages(config, _fake_stages(calls), StageContext(state=read_state(config.run_dir)), force=force)
    return list(calls)


def test_skip_logic_on_fake_stages(tmp_path: Path) -> None:
    calls: list[str] = []
    config = RunConfig(runs_dir=str(tmp_path))
    assert _run(config, calls) == ["first", "second", "third"]
    assert _run(config, calls) == []
    assert _run(_with(config, "generate", "concurrency", 16), calls) == []
    assert _run(_with(config, "train", "device", "cpu"), calls) == []
    assert _run(_with(config, "generate", "temperature", 0.1), calls) == ["second", "third"]
    assert _run(_with(config, "generate", "temperature", 0.1), calls) == []
    assert _run(_with(config, "generate", "temperature", 0.1), calls, force="third") == ["third"]
    (config.run_dir / "second.txt").unlink()  # a missing output is redone; the same content keeps "third" done
    assert _run(_with(config, "generate", "temperature", 0.1), calls) == ["second"]


def test_a_stage_that_did_not_finish_runs_again(tmp_path: Path) -> None:
    calls: list[str] = []
    config = RunConfig(runs_dir=str(tmp_path))
    _run(config, calls)
    state_file = config.run_dir / "state.json"
    state_file.write_text(state_file.read_text().replace('"finished": true', '"finished": false', 1))
    assert _run(config, calls) == ["first"]  # same output as before, so the later stages stay done


def test_output_hash_ignores_records(tmp_path: Path) -> None:
    stage = next(s for s in STAGES if s.name == "dataset")
    folder = tmp_path / "dataset"
    folder.mkdir()
    (folder / "queries.jsonl").write_text("{}\n")
    (folder / "manifest.json").write_text('{"created_at": "2026-01-01"}')
    first = stage.output_hash(tmp_path)
    (folder / "manifest.json").write_text('{"created_at": "2026-12-01"}')
    (folder / "README.md").write_text("a new card")
    assert stage.output_hash(tmp_path) == first
    (folder / "queries.jsonl").write_text('{"text": "q"}\n')
    assert stage.output_hash(tmp_path) != first


def _mixed_folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    text = "# Heading\n\n" + " ".join(["Motor neurons carry signals from the brain to the muscles."] * 12) + "\n"
    (docs / "a.md").write_text(text, encoding="utf-8")
    (docs / "sub" / "b.md").write_text(text.replace("Motor", "Upper motor"), encoding="utf-8")
    (docs / ".DS_Store").write_bytes(b"\x00\x01binary")
    (docs / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    return docs


def test_one_walk_decides_the_documents_of_chunk_and_run(tmp_path: Path) -> None:
    from embedforge.corpus import chunk_documents, read_chunks
    from embedforge.corpus.sources import source_hashes
    from embedforge.pipeline.stage_runs import documents

    docs = _mixed_folder(tmp_path)
    assert sorted(source_hashes([docs])) == ["docs/a.md", "docs/sub/b.md"]
    config = config_from_dict({"runs_dir": str(tmp_path / "runs"), "model": "bundled-minilm",
                               "corpus": {"sources": [str(docs)]}, "chunk": {"limits": {"isolate": False}}})
    context = StageContext(files=documents(config, None))
    chunk_stage = next(s for s in STAGES if s.name == "chunk")
    config.run_dir.mkdir(parents=True)
    execute_stages(config, [chunk_stage], context)
    by_run = sorted({c.source for c in read_chunks(config.run_dir / "chunks.jsonl")})
    by_chunk = chunk_documents([docs], tmp_path / "chunked", config.chunk)
    assert by_run == sorted({c.source for c in read_chunks(tmp_path / "chunked" / "chunks.jsonl")})
    assert by_run == ["docs/a.md", "docs/sub/b.md"]
    assert not by_chunk.failures
