"""The incremental pipeline: skips what is up to date, redoes what a change touches, resumes a killed run.

A tiny corpus (three Markdown pages of real ALS text) keeps each run short; the bundled
LLM and embedder do the real work.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import pytest

from embedforge.errors import EmbedforgeError
from embedforge.pipeline import execute as pipeline
from embedforge.pipeline.config import load_config
from embedforge.pipeline.execute import run
from embedforge.pipeline.stage_runs import documents

pytestmark = pytest.mark.slow  # runs a real model

pytest.importorskip("llama_cpp", reason="the bundled LLM needs llama-cpp-python (make setup installs it)")

PAGES = {
    "symptoms.md": """# ALS symptoms

## Early symptoms

Early symptoms of ALS include muscle twitches in the arm, leg, shoulder, or tongue, muscle cramps,
tight and stiff muscles called spasticity, and muscle weakness affecting an arm, a leg, or the neck.
Slurred and nasal speech and difficulty chewing or swallowing can also be early signs.

## Later symptoms

As the disease progresses, muscle weakness and atrophy spread to other parts of the body. People with
ALS may develop problems with chewing food and swallowing, drooling, speaking or forming words, and
breathing, and they may have trouble maintaining weight and getting enough nutrients.
""",
    "treatment.md": """# Treating ALS

## Medications

Riluzole is an oral medication believed to reduce damage to motor neurons by decreasing levels of
glutamate, which transports messages between nerve cells and motor neurons. Clinical trials showed
that riluzole may prolong survival by a few months.

## Breathing support

Noninvasive ventilation is a type of breathing support that is usually delivered through a mask over
the nose and mouth. It may help decrease the discomfort of breathing in some people with ALS.
""",
    "caregivers.md": """# Caregivers

## Stress

Recognize warning signs of stress early. These might include irritability, sleep problems, and
forgetfulness. Know your own warning signs, and act to make changes before you are overwhelmed.

## Exercise

Walking is one of the best and easiest exercises. Walking twenty minutes a day, three times a week,
is very beneficial and helps to reduce psychological tension for family caregivers.
""",
}


def write_config(tmp_path: Path, prompt: str = "default", epochs: int = 2) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    for name, text in PAGES.items():
        (docs / name).write_text(text, encoding="utf-8")
    config = tmp_path / "tiny.toml"
    config.write_text(
        f"""name = "tiny"
runs_dir = "{tmp_path / 'runs'}"
[corpus]
sources = ["{docs}"]
[chunk]
model = "bundled-minilm"
chunk_tokens = 64
overlap_tokens = 8
min_tokens = 10
min_words = 8
[generate]
prompt = "{prompt}"
questions_per_chunk = 1
temperature = 0.0
greedy_prompt = ""
[dataset]
eval_fraction = 0.34
roundtrip_k = 0
model = "bundled-minilm"
[train]
model = "bundled-minilm"
epochs = {epochs}
batch_size = 2
[compare]
bm25 = false
bootstrap_samples = 50
""",
        encoding="utf-8",
    )
    return config


def manifest_counts(run_dir: Path) -> dict[str, int]:
    return json.loads((run_dir / "dataset" / "manifest.json").read_text(encoding="utf-8"))["counts"]


def test_rerun_skips_every_stage_and_a_prompt_change_redoes_only_what_follows(tmp_path: Path) -> None:
    first = run(load_config(write_config(tmp_path)))
    assert first.ran == ["chunk", "dataset", "train", "compare"]
    assert (first.run_dir / "report" / "metrics.json").is_file()
    calls_first = manifest_counts(first.run_dir)["llm_calls"]
    assert calls_first > 0

    again = run(load_config(write_config(tmp_path)))
    assert again.ran == []
    assert again.skipped == ["chunk", "dataset", "train", "compare"]

    # Another prompt: new questions, a retrained model, a new report; the chunks stay.
    prompt = tmp_path / "patient.toml"
    default = (resources.files("embedforge.generators") / "prompts" / "default.toml").read_text(encoding="utf-8")
    prompt.write_text(
        default.replace('name = "default"', 'name = "patient"', 1).replace(
            "a reader could type into a search engine", "a patient or a family caregiver would ask", 1
        ),
        encoding="utf-8",
    )
    changed = run(load_config(write_config(tmp_path, prompt=str(prompt))))
    assert changed.ran == ["dataset", "train", "compare"]
    assert changed.skipped == ["chunk"]
    assert manifest_counts(changed.run_dir)["llm_calls"] > 0

    # Back to the first prompt: every answer is in the cache, so no LLM call at all.
    back = run(load_config(write_config(tmp_path)))
    assert back.ran == ["dataset", "train", "compare"]
    assert manifest_counts(back.run_dir)["llm_calls"] == 0
    assert manifest_counts(back.run_dir)["cached"] >= calls_first


def test_force_redoes_a_stage_and_those_after_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(write_config(tmp_path, epochs=1))
    resolved: list[list[Path]] = []

    def counting_documents(*args: object) -> list[Path]:
        resolved.append(documents(*args))  # type: ignore[arg-type]
        return resolved[-1]

    monkeypatch.setattr(pipeline, "documents", counting_documents)
    run(config)
    # The chunk key and the stage share one lookup; folders are walked once, by the corpus stage.
    assert resolved == [[tmp_path / "docs"]]
    forced = run(config, force="train")
    assert forced.ran == ["train", "compare"]
    assert forced.skipped == ["chunk", "dataset"]
    with pytest.raises(EmbedforgeError, match="unknown stage"):
        run(config, force="everything")


def test_killed_during_training_resumes_without_redoing_chunks_or_dataset(tmp_path: Path) -> None:
    config_path = write_config(tmp_path, epochs=4)
    run_dir = tmp_path / "runs" / "tiny"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "embedforge", "--quiet", "run", str(config_path)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and process.poll() is None:
            if any((run_dir / "model" / "checkpoints").glob("checkpoint-*/embedforge_checkpoint.json")):
                break
            time.sleep(0.2)
        assert process.poll() is None, "the run ended before a checkpoint could be killed"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    state = json.loads((run_dir / "state.json").read_text(encoding="utf-8"))
    assert state["train"]["finished"] is False

    resumed = run(load_config(config_path))
    assert resumed.skipped == ["chunk", "dataset"]
    assert resumed.ran == ["train", "compare"]
    log = [json.loads(line) for line in (run_dir / "model" / "training_log.jsonl").read_text().splitlines()]
    # The resumed training continued the killed one: its log covers every epoch once, in order.
    assert [round(record["epoch"]) for record in log] == [1, 2, 3, 4]
    assert (run_dir / "report" / "report.md").is_file()
