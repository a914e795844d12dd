"""openai-compatible against a real llama.cpp server, with a fault-injecting proxy in front."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fault_proxy import FaultProxy

from embedforge.errors import EmbedforgeError
from embedforge.generators import GenerationSettings, generate_questions
from embedforge.generators.filters import reject_reason

pytestmark = pytest.mark.slow
KEY = "sk-test-SECRET-0123456789"


def settings(tmp_path: Path, url: str, **kwargs: object) -> GenerationSettings:
    base = {
        "cache": str(tmp_path / "llm.sqlite"),
        "progress": False,
        "completions": True,
        "concurrency": 1,
        "resample": 0,
        "questions_per_chunk": 1,
        "temperature": 0.0,
        "greedy_prompt": None,
    }
    return GenerationSettings(llm=f"openai-compatible:gemma@{url}/v1", **{**base, **kwargs})  # type: ignore[arg-type]


def test_completions_and_chat(tmp_path: Path, llama_server_url: str, sample_chunks: list) -> None:
    result = generate_questions(sample_chunks[:3], settings(tmp_path, llama_server_url, concurrency=2))
    assert result.counts.llm_calls == 3 and result.counts.tokens_in > 0
    assert len(result.kept) >= 1, result.records  # 1 of these 3 since the examples are worded as people ask
    for record in result.kept:
        assert (
            reject_reason(record.question, next(c.text for c in sample_chunks if c.id == record.chunk_id))
            is None
        )
    chat = generate_questions(sample_chunks[:2], settings(tmp_path, llama_server_url, completions=False))
    assert chat.counts.llm_calls == 2  # chat is another cache key
    assert all(
        r.status in ("kept", "filtered") and (r.status == "kept") == (r.reason is None) for r in chat.records
    )


def test_faults_complete_and_rerun_retries_only_failures(
    tmp_path: Path, llama_server_url: str, sample_chunks: list
) -> None:
    # One call at a time, so request i meets schedule[i]: chunk 1 gets 429 then ok, chunk 2 two 500s (fails:
    # one retry allowed), chunk 3 a dropped connection then ok, chunk 4 a timeout then invalid JSON (fails).
    schedule = ["429", "ok", "500", "500", "drop", "ok", "timeout", "invalid_json"]
    with FaultProxy(llama_server_url, schedule, retry_after="0.3", hang_s=25.0) as proxy:
        run = settings(tmp_path, proxy.url, max_retries=1, timeout=20, backoff=0.05)
        result = generate_questions(sample_chunks, run)
        statuses = {r.chunk_id: (r.status, r.reason) for r in result.records}
        ids = [c.id for c in sample_chunks]
        assert statuses[ids[1]] == ("failed", "http_500")
        assert statuses[ids[3]] == ("failed", "invalid_response")
        for i in (0, 2):
            status, reason = statuses[ids[i]]
            assert status in ("kept", "filtered") and (status == "kept") == (reason is None), (status, reason)
        assert result.counts.failed == {"http_500": 1, "invalid_response": 1}
        assert result.counts.llm_calls == len(schedule)
        assert proxy.log[1][3] - proxy.log[0][3] >= 0.3  # Retry-After honoured

        proxy.reset(["ok"])
        rerun = generate_questions(sample_chunks, run)
        assert rerun.counts.llm_calls == 2 and rerun.counts.cached == 2 and len(proxy.log) == 2
        assert not rerun.counts.failed


def test_fatal_status_stops_fast_keeps_work_and_hides_key(
    tmp_path: Path,
    llama_server_url: str,
    sample_chunks: list,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    caplog.set_level(logging.DEBUG)
    with FaultProxy(llama_server_url, ["ok", "401"]) as proxy:
        run = settings(tmp_path, proxy.url, max_retries=3, backoff=0.05)
        with pytest.raises(EmbedforgeError, match="API key was rejected") as info:
            generate_questions(sample_chunks[:3], run)
        assert KEY not in str(info.value) and len(proxy.log) == 2  # no retries on 401
        proxy.reset(["404"])
        with pytest.raises(EmbedforgeError, match="not found"):
            generate_questions(sample_chunks[:3], run)
        proxy.reset(["ok"])
        resumed = generate_questions(sample_chunks[:3], run)
        assert resumed.counts.cached == 1 and resumed.counts.llm_calls == 2
    assert KEY not in caplog.text
    for path in tmp_path.glob("llm.sqlite*"):  # the database and its WAL journal
        assert KEY.encode() not in path.read_bytes()
    assert all(KEY not in str(r.to_dict()) for r in resumed.records)
