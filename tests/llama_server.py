"""Start a real llama.cpp server (``python -m llama_cpp.server``) with the bundled model, for tests.

One server per test session (see ``conftest.py``): a free port on 127.0.0.1, a
small context, and a wait until ``/v1/models`` answers. Re-usable by later
reliability tests.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def llama_server(
    model_path: str, log_path: Path, n_ctx: int = 2048, startup_s: float = 90.0
) -> Iterator[str]:
    """Yield the server's base URL (``http://127.0.0.1:PORT``); stop the server afterwards."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        model_path,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx),
        "--model_alias",
        "gemma",
    ]
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + startup_s
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"llama server exited with {process.returncode}; see {log_path}")
                try:
                    if httpx.get(f"{url}/v1/models", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"llama server not up after {startup_s}s; see {log_path}")
                time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
