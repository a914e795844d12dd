"""A hostile OpenAI-compatible server on 127.0.0.1 for the LLM half of the hostile-input tests.

One ``http.server`` that answers chat and completion requests as the ``mode`` given says:
``ok`` (a short question), ``endless`` (a 200 whose JSON body never ends: a chunked stream of
one long string, bounded at :data:`ENDLESS_LIMIT` so a broken client cannot hang the test),
``bomb`` (a gzip body that expands to :data:`ENDLESS_LIMIT`), ``null`` (the answer's text is
``null``), ``echo`` (a question quoting the bearer token in upper case, base64 and spaced out)
and ``long`` (a good answer whose question is followed by a line of :attr:`HostileLLM.padding`
bytes). The first :attr:`HostileLLM.refusals` requests get a 429 with ``Retry-After: soon-ish``
whatever the mode. It counts requests
and the body bytes it managed to send. :func:`embedforge_cli` runs the installed console script.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

QUESTION = "What does respite care give family caregivers?"
ENDLESS_LIMIT = 64 * 1024 * 1024  # bytes: far past the client's cap, a bound should the client not stop
_PIECE = b"a" * 65536


def answer_body(path: str, text: str | None) -> bytes:
    """An OpenAI chat or completion answer (by the request path) holding ``text``."""
    usage = {"prompt_tokens": 10, "completion_tokens": 9, "total_tokens": 19}
    if path.endswith("/chat/completions"):
        choice: dict[str, Any] = {"index": 0, "finish_reason": "stop",
                                  "message": {"role": "assistant", "content": text}}
        kind = "chat.completion"
    else:
        choice = {"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}
        kind = "text_completion"
    return json.dumps({"id": "x", "object": kind, "created": 0, "model": "m", "choices": [choice],
                       "usage": usage}).encode()


class HostileLLM(ThreadingHTTPServer):
    """The server; ``mode`` may be changed between runs."""

    daemon_threads = True

    def __init__(self, mode: str, *, refusals: int = 0, padding: int = 0) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode, self.refusals, self.padding = mode, refusals, padding
        self.requests = 0
        self.sent = 0  # body bytes written to the socket, summed over requests
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: HostileLLM
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.server.lock:
            self.server.requests += 1
            number = self.server.requests
        mode = self.server.mode
        if number <= self.server.refusals:
            self._send(429, b'{"error": {"message": "slow down"}}', {"Retry-After": "soon-ish"})
        elif mode == "endless":
            self._endless()
        elif mode == "bomb":
            self._send(200, _bomb(), {"Content-Encoding": "gzip"})
        elif mode == "null":
            self._send(200, answer_body(self.path, None))
        elif mode == "echo":
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            forms = [token.upper(), base64.b64encode(token.encode()).decode(), " ".join(token)]
            self._send(200, answer_body(self.path, f" What does respite care with {' or '.join(forms)} give?"))
        else:
            text = " " + QUESTION + ("\n" + "x" * self.server.padding if mode == "long" else "")
            self._send(200, answer_body(self.path, text))

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", "Content-Length": str(len(body)),
                            **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.server.sent += len(body)

    def _endless(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        head = b'{"id": "x", "object": "chat.completion", "choices": [{"message": {"content": "'
        try:
            for piece in [head, *(_PIECE for _ in range(ENDLESS_LIMIT // len(_PIECE)))]:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.server.sent += len(piece)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:  # the client hung up: what it is meant to do
            self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


def _bomb() -> bytes:
    head = b'{"id": "x", "object": "chat.completion", "choices": [{"message": {"content": "'
    return gzip.compress(head + b"a" * ENDLESS_LIMIT, compresslevel=1)


def embedforge_cli(*args: str, cwd: Path, timeout: float = 300, env: dict[str, str] | None = None,
                   program: str | None = None) -> subprocess.CompletedProcess[str]:
    """The installed console script in ``cwd``: no API key, the Hub offline, the LLM cache in ``cwd``.

    ``program``: run it instead, with ``args`` (a wrapper such as ``unshare`` that starts the script itself).
    """
    base = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "EMBEDFORGE_QUIET", "TQDM_DISABLE")}
    base.update({"HF_HUB_OFFLINE": "1", "EMBEDFORGE_CACHE": str(cwd / "llm.sqlite"), "PYTHONWARNINGS": "ignore"})
    return subprocess.run([program or str(Path(sys.executable).with_name("embedforge")), *args], capture_output=True,
                          text=True, cwd=cwd, timeout=timeout, env={**base, **(env or {})})


@contextmanager
def hostile_llm(mode: str, **kwargs: Any) -> Iterator[HostileLLM]:
    """A :class:`HostileLLM` serving in a thread until the block ends."""
    server = HostileLLM(mode, **kwargs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
