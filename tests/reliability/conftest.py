"""Fixtures of the reliability tests: a tiny corpus (the llama.cpp server is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_run import write_tiny_corpus


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_corpus(tmp_path_factory.mktemp("tiny") / "docs")
