"""What an LLM server's answer cannot do to a run: grow memory, stop the run, or be cached when empty.

A hostile OpenAI-compatible server on 127.0.0.1 (``hostile_llm.py``) sends a body that never
ends, a gzip bomb, a ``null`` answer, a 429 whose ``Retry-After`` is no number or date, and
the bearer token it got in upper case, base64 and spaced out. The body read per answer is
capped (``capped_http.MAX_ANSWER_BYTES``) and that call fails ``answer_too_large``; the
others fail or are retried as their reason says; no form of the key reaches the cache.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from hostile_llm import QUESTION, embedforge_cli, hostile_llm

from embedforge.corpus.record import Chunk
from embedforge.generators import GenerationSettings, generate_questions
from embedforge.generators.backends.capped_http import MAX_ANSWER_BYTES

CHUNK = Chunk.create("Respite care gives family caregivers a planned break while trained staff look after "
                     "the person with ALS at home or in a day centre.", source="respite.txt", title="Respite")
KEY = "sk-hostile-0123456789abcdefSECRET"
SLACK = 16 * 1024 * 1024  # socket buffers between the server's writes and the client's reads


def _settings(tmp_path: Path, url: str, **changes: object) -> GenerationSettings:
    values: dict[str, object] = {"llm": f"openai-compatible:m@{url}", "cache": str(tmp_path / "llm.sqlite"),
                                 "progress": False, "concurrency": 1, "resample": 0, "max_retries": 2,
                                 "backoff": 0.01, "questions_per_chunk": 1, "temperature": 0.0,
                                 "greedy_prompt": None, "timeout": 60.0}
    return GenerationSettings(**{**values, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["openai-compatible", "openai"])
def test_an_endless_body_fails_its_call_once_the_cap_is_read(tmp_path: Path, kind: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with hostile_llm("endless") as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)  # where the OpenAI SDK sends openai: calls
        llm = f"openai-compatible:m@{server.url}" if kind == "openai-compatible" else "openai:gpt-4o-mini"
        result = generate_questions([CHUNK], _settings(tmp_path, server.url, llm=llm))
    [record] = result.records
    assert (record.status, record.reason) == ("failed", "answer_too_large")
    assert result.counts.llm_calls == 1  # not retried: a server that sent that much once will again
    assert server.sent < MAX_ANSWER_BYTES + SLACK  # the client stopped reading (and hung up)


def test_a_gzip_bomb_is_decoded_only_up_to_the_cap(tmp_path: Path) -> None:
    with hostile_llm("bomb") as server:
        result = generate_questions([CHUNK], _settings(tmp_path, server.url))
    assert (result.records[0].status, result.records[0].reason) == ("failed", "answer_too_large")


@pytest.mark.parametrize("completions", [False, True])
def test_a_null_answer_is_a_failed_call_asked_again_next_run(tmp_path: Path, completions: bool) -> None:
    with hostile_llm("null") as server:
        first = generate_questions([CHUNK], _settings(tmp_path, server.url, completions=completions))
        second = generate_questions([CHUNK], _settings(tmp_path, server.url, completions=completions))
        assert server.requests == 2  # nothing was cached
    assert first.records[0].status == "failed" and first.records[0].reason in ("empty_answer", "invalid_response")
    assert second.counts.cached == 0


def test_an_unparseable_retry_after_means_the_normal_backoff(tmp_path: Path) -> None:
    with hostile_llm("ok", refusals=2) as server:
        result = generate_questions([CHUNK], _settings(tmp_path, server.url, max_retries=3))
        assert server.requests == 3
    assert result.records[0].question == QUESTION


def test_an_echoed_key_in_upper_case_base64_or_spaced_is_removed(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with hostile_llm("echo") as server:
        result = generate_questions([CHUNK], _settings(tmp_path, server.url))
    assert (result.records[0].status, result.records[0].reason) == ("filtered", "secret")
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    for form in (KEY.upper(), base64.b64encode(KEY.encode()).decode(), " ".join(KEY), KEY[8:20]):
        assert form.encode() not in stored and form not in repr(result.records), form


def test_the_cli_retries_past_a_bad_retry_after_and_reports_an_endless_body(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "respite.txt").write_text(CHUNK.text, encoding="utf-8")
    with hostile_llm("endless", refusals=1) as server:
        done = embedforge_cli("dataset", "build", "docs", "--out", "out", "--llm", f"openai-compatible:m@{server.url}",
                              "--embedder", "bundled-minilm", "--roundtrip-k", "0", "--questions-per-chunk", "1",
                              "--greedy-prompt", "", "--resample", "0", "--max-retries", "2", cwd=tmp_path)
        assert server.requests == 2 and server.sent < MAX_ANSWER_BYTES + SLACK
    assert done.returncode == 1, done.stderr[-2000:]  # done, with failures: every call failed
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert "answer_too_large 1" in done.stderr.strip().splitlines()[-1]
