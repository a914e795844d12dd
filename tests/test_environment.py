"""embedforge's environment variables are read in :mod:`embedforge.environment` alone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from embedforge import environment

SRC = Path(__file__).resolve().parents[1] / "src" / "embedforge"


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level ``NAME = "string"`` assignments, so ``os.environ.get(CACHE_ENV)`` is resolved."""
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            found.update({t.id: node.value.value for t in node.targets if isinstance(t, ast.Name)})
    return found


def _environ_keys(tree: ast.Module) -> list[ast.expr]:
    """The key of every ``os.environ[...]``, ``os.environ.get/pop/setdefault(...)`` and ``os.getenv(...)``."""
    keys: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            keys.append(node.slice)
        elif isinstance(node, ast.Call) and node.args and ast.unparse(node.func) in (
                "os.environ.get", "os.environ.pop", "os.environ.setdefault", "os.getenv"):
            keys.append(node.args[0])
    return keys


def test_no_other_module_reads_our_variables() -> None:
    readers: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "environment.py" and path.parent == SRC:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)
        for key in _environ_keys(tree):
            value = key.value if isinstance(key, ast.Constant) else constants.get(getattr(key, "id", ""))
            if value in environment.NAMES:
                readers.setdefault(str(path.relative_to(SRC)), []).append(str(value))
    assert not readers, f"ask embedforge.environment instead: {readers}"


def test_the_finder_finds_a_read() -> None:
    tree = ast.parse('import os\nX = "EMBEDFORGE_CORPUS"\nos.environ.get(X)\nos.environ["XDG_CACHE_HOME"]\n')
    assert [ast.unparse(k) for k in _environ_keys(tree)] == ["X", "'XDG_CACHE_HOME'"] and _constants(tree)["X"]


def test_caches_follow_xdg_unless_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in environment.NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert environment.cache_root() == tmp_path / "embedforge"
    assert environment.llm_cache_file() == tmp_path / "embedforge" / "llm.sqlite"
    assert environment.models_folder() == tmp_path / "embedforge" / "models"
    assert environment.corpus_folder() is None and not environment.is_quiet() and environment.for_workers() == {
        "XDG_CACHE_HOME": str(tmp_path)}
    monkeypatch.setenv("EMBEDFORGE_CACHE", str(tmp_path / "llm.db"))
    monkeypatch.setenv("EMBEDFORGE_MODELS", str(tmp_path / "m"))
    monkeypatch.setenv("EMBEDFORGE_CORPUS", "")
    assert environment.llm_cache_file() == tmp_path / "llm.db" and environment.models_folder() == tmp_path / "m"
    assert environment.corpus_folder() is None  # empty is unset
