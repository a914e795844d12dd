"""Every docstring example in the package runs: the small ones here, the package's own walk-through end to end.

The walk-through (``embedforge/__init__.py``) builds a dataset with the bundled LLM and embedder from a
tiny corpus, regenerates it from the LLM cache, fine-tunes MiniLM for one epoch and compares: about two
minutes on two cores.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest
from reliability.tiny_run import write_tiny_corpus

SMALL = ["embedforge.corpus.clean", "embedforge.errors", "embedforge.fingerprint", "embedforge.dataset.questions",
         "embedforge.settings", "embedforge.counts", "embedforge.evaluation.encode_pool",
         "embedforge.dataset.overlap", "embedforge.pipeline.config_keys", "embedforge.next_steps",
         "embedforge.lazy"]


def _examples_in_src() -> set[str]:
    """Modules whose source holds a ``>>>`` example (so a new one cannot go unrun)."""
    src = Path(importlib.import_module("embedforge").__file__ or "").parent
    found = set()
    for path in src.rglob("*.py"):
        if ">>>" in path.read_text(encoding="utf-8"):
            parts = path.relative_to(src.parent).with_suffix("").parts
            found.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def test_every_module_with_examples_is_run_here() -> None:
    assert _examples_in_src() == {*SMALL, "embedforge"}


@pytest.mark.parametrize("name", SMALL)
def test_small_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.slow
def test_the_package_walk_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import embedforge

    monkeypatch.chdir(tmp_path)
    write_tiny_corpus(tmp_path / "docs")
    tests = doctest.DocTestFinder(recurse=False).find(embedforge)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in tests:
        runner.run(test)
    assert runner.summarize(verbose=False).attempted >= 8
    assert runner.failures == 0
