"""On the real bundled model: an edited prompt really changes the questions; equal renders share the cache;
``--dry-run`` counts the calls and tokens the real run then makes (cold and partly warm cache)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from importlib import resources
from pathlib import Path

import pytest

from embedforge.commands.main import main
from embedforge.corpus.record import Chunk
from embedforge.dataset import DatasetSettings, build_dataset_from_chunks, regenerate
from embedforge.dataset.dryrun import plan_chunks, plan_regenerate
from embedforge.generators import GenerationSettings, generate_questions
from embedforge.generators.preflight import check_generation

pytestmark = pytest.mark.slow
MULTI = (resources.files("embedforge.generators") / "prompts" / "multi.toml").read_text(encoding="utf-8")
READER = "different questions that a reader could type into a search engine and that the passage answers"
RELATIVE = ("different questions that a worried relative of a patient would type, in plain everyday words, "
            "about what it means for their family and what they can do at home")
# Two sampled questions per chunk, no greedy pass, no resampling: one call per chunk, so counts are exact.
TWO_SAMPLED: dict = {"questions_per_chunk": 2, "temperature": 0.8, "greedy_prompt": None, "resample": 0}
NO_ROUNDTRIP = DatasetSettings(roundtrip_k=0, dev_fraction=0.0, eval_fraction=0.2, seed=42)


def counts(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["counts"]


def questions(folder: Path) -> dict[str, set[str]]:
    by_chunk: dict[str, set[str]] = defaultdict(set)
    for line in (folder / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        by_chunk[row["chunk_id"]].add(row["text"].strip().lower())
    return by_chunk


def test_edited_instruction_changes_questions_and_dry_run_counts_match(
    tmp_path: Path, samples: tuple[list[str], list[list[str]]], capsys: pytest.CaptureFixture[str]
) -> None:
    chunks = [Chunk.create(text, source="als.html", title="ALS") for text in samples[0]]
    settings = GenerationSettings(**TWO_SAMPLED, cache=str(tmp_path / "llm.sqlite"), progress=False)
    cold = plan_chunks(chunks, settings)
    assert (cold.calls, cold.cached) == (len(chunks), 0) and cold.tokens_exact
    build_dataset_from_chunks(chunks, tmp_path / "v1", generation_settings=settings, dataset_settings=NO_ROUNDTRIP)
    built = counts(tmp_path / "v1")
    assert built["llm_calls"] == cold.calls
    assert abs(cold.tokens_in - built["tokens_in"]) <= 0.1 * built["tokens_in"]

    assert READER in MULTI
    edited = tmp_path / "relative.toml"
    edited.write_text(MULTI.replace(READER, RELATIVE, 1).replace('name = "multi"', 'name = "relative"'), "utf-8")
    new = GenerationSettings(**{**TWO_SAMPLED, "prompt": str(edited)}, cache=settings.cache, progress=False)
    generate_questions(chunks[:4], new)  # a preview of four chunks warms part of the cache
    _, warm = plan_regenerate(tmp_path / "v1", new)
    assert (warm.calls, warm.cached) == (len(chunks) - 4, 4)
    regenerate(tmp_path / "v1", tmp_path / "v2", generation_settings=new, dataset_settings=NO_ROUNDTRIP)
    regenerated = counts(tmp_path / "v2")
    assert (regenerated["llm_calls"], regenerated["cached"]) == (warm.calls, warm.cached)
    assert abs(warm.tokens_in - regenerated["tokens_in"]) <= 0.1 * regenerated["tokens_in"]

    before, after = questions(tmp_path / "v1"), questions(tmp_path / "v2")
    new_questions = [(cid, q) for cid, qs in after.items() for q in qs]
    changed = sum(q not in before.get(cid, set()) for cid, q in new_questions)
    with capsys.disabled():
        print(f"\nquestions changed by the instruction edit: {changed} of {len(new_questions)}; "
              f"dry-run tokens {cold.tokens_in} vs manifest tokens_in {built['tokens_in']}")
    assert new_questions and changed >= len(new_questions) / 2

    # The same prompt in another file (another name, no comments, other layout): no new LLM call.
    same = re.sub(r"(?m)^#.*\n", "", edited.read_text("utf-8")).replace('name = "relative"', 'name = "copy"')
    (tmp_path / "copy.toml").write_text(same, "utf-8")
    copy = GenerationSettings(**{**TWO_SAMPLED, "prompt": str(tmp_path / "copy.toml")}, cache=settings.cache,
                              progress=False)
    check_generation(copy)
    assert plan_chunks(chunks, copy).calls == 0
    regenerate(tmp_path / "v1", tmp_path / "v3", generation_settings=copy, dataset_settings=NO_ROUNDTRIP)
    assert counts(tmp_path / "v3")["llm_calls"] == 0
    assert questions(tmp_path / "v3") == after

    # The CLI: a preview of cached prompts makes no call; --dry-run prints the plan and writes nothing.
    assert main(["dataset", "preview", str(tmp_path / "v1"), "--prompt", str(edited), "-n", "3",
                 "--cache", str(settings.cache)]) == 0
    shown = capsys.readouterr().out
    assert "current (multi):" in shown and "new (relative):" in shown and "0 LLM calls, 6 cached" in shown
    assert main(["dataset", "regenerate", str(tmp_path / "v1"), "--out", str(tmp_path / "v4"), "--prompt",
                 str(edited), "--questions-per-chunk", "2", "--resample", "0", "--cache", str(settings.cache),
                 "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "LLM calls to make" in out and "counted with llama.cpp" in out and not (tmp_path / "v4").exists()
