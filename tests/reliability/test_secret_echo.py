"""A server that echoes the bearer token in a normal answer: the key reaches no cache, record or file.

A tiny OpenAI-compatible server on 127.0.0.1 (http.server, as careless or hostile proxies do)
answers every completion with a question that quotes the ``Authorization`` header it got. The
planted key must be replaced before the answer is cached, the question that held it filtered
as ``secret``, and a second run from the cache (written before secrets were removed, too)
must not bring it back.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from embedforge.corpus.record import Chunk
from embedforge.generators import GenerationSettings, generate_questions

KEY = "sk-echoed-0123456789abcdefSECRET"
CHUNK = Chunk.create("Respite care gives family caregivers a planned break while trained staff look after "
                     "the person with ALS at home or in a day centre.", source="respite.txt", title="Respite")


class _Echo(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        text = f" What does respite care with token {token} give family caregivers?"
        body = json.dumps({"id": "x", "object": "text_completion", "model": "echo", "created": 0,
                           "choices": [{"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}],
                           "usage": {"prompt_tokens": 10, "completion_tokens": 12, "total_tokens": 22}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echo_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def _settings(tmp_path: Path, url: str) -> GenerationSettings:
    return GenerationSettings(llm=f"openai-compatible:echo@{url}", cache=str(tmp_path / "llm.sqlite"),
                              progress=False, completions=True, concurrency=1, resample=0, max_retries=0,
                              questions_per_chunk=1, temperature=0.0, greedy_prompt=None)


def test_an_echoed_key_is_removed_and_its_question_filtered(tmp_path: Path, echo_url: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    result = generate_questions([CHUNK], _settings(tmp_path, echo_url))
    assert result.counts.llm_calls == 1
    [record] = result.records
    assert (record.status, record.reason) == ("filtered", "secret")
    assert KEY not in repr(result.records) and "[secret removed]" in (record.raw or "")
    assert KEY.encode() not in b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    # A cache that already holds the key (written by an older version) is scrubbed on the way out.
    with sqlite3.connect(tmp_path / "llm.sqlite") as db:
        db.execute("UPDATE generations SET raw = ?", (f"What does {KEY} give family caregivers?",))
    again = generate_questions([CHUNK], _settings(tmp_path, echo_url))
    assert again.counts.cached == 1 and KEY not in repr(again.records)
    assert again.records[0].reason == "secret"
