"""Fixtures of the reliability tests: a tiny corpus, a tiny run configuration, the generators' test servers.

The fault-injecting proxy and the llama.cpp server launcher live in ``tests/generators``
(owned by that stage's tests); they are put on ``sys.path`` here so these tests reuse
them instead of keeping copies.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "generators"))

from llama_server import llama_server  # noqa: E402
from tiny_run import write_tiny_corpus  # noqa: E402


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_corpus(tmp_path_factory.mktemp("tiny") / "docs")


@pytest.fixture(scope="session")
def bundled_gguf() -> str:
    from embedforge.generators.backends.llamacpp import bundled_gguf_path

    return bundled_gguf_path()


@pytest.fixture(scope="session")
def llama_server_url(bundled_gguf: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``llama_cpp.server`` with the bundled model on a free port, one per session."""
    with llama_server(bundled_gguf, tmp_path_factory.mktemp("llama") / "server.log") as url:
        yield url
