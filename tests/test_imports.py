"""The import graph of ``src/embedforge``: no cycles, stages import only earlier stages, light paths stay light.

Every import counts, at module level, inside a function (lazy) or under ``TYPE_CHECKING``:
a lazy import that closes a cycle is still a cycle a reader must untangle.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
STAGE_ORDER = ("corpus", "generators", "dataset", "training", "evaluation")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """module -> the embedforge modules it imports (``from pkg import sub`` counts as importing ``pkg.sub``)."""
    files = {_module_name(p): p for p in (SRC / "embedforge").rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            graph[name].update(t for t in targets if t in files and t != name)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_no_import_cycles() -> None:
    graph = import_graph()
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("stage", STAGE_ORDER)
def test_a_stage_imports_only_earlier_stages(stage: str) -> None:
    later = {f"embedforge.{s}" for s in STAGE_ORDER[STAGE_ORDER.index(stage) + 1:]}
    for module, deps in import_graph().items():
        if module == f"embedforge.{stage}" or module.startswith(f"embedforge.{stage}."):
            wrong = sorted(d for d in deps if any(d == p or d.startswith(p + ".") for p in later))
            assert not wrong, f"{module} imports a later stage: {wrong}"


# The three layers above the stages: foundation modules at the root (imported by every stage), the run
# layer (embedforge.pipeline) on top of the stages, the commands on top of everything.
LAYERS = {"pipeline": ("embedforge.commands",), "stage": ("embedforge.pipeline", "embedforge.commands"),
          "foundation": ("embedforge.pipeline", "embedforge.commands", *(f"embedforge.{s}" for s in STAGE_ORDER))}


def _layer(module: str) -> str | None:
    if module.startswith("embedforge.pipeline"):
        return "pipeline"
    if any(module == f"embedforge.{s}" or module.startswith(f"embedforge.{s}.") for s in STAGE_ORDER):
        return "stage"
    if module.count(".") == 1 and module not in ("embedforge.commands", "embedforge.__main__"):
        return "foundation"
    return None  # the commands, `python -m embedforge`, and the package itself (its lazy names span every layer)


def test_each_layer_imports_only_the_layers_below() -> None:
    for module, deps in import_graph().items():
        layer = _layer(module)
        if layer is None:
            continue
        wrong = sorted(d for d in deps if any(d == p or d.startswith(p + ".") for p in LAYERS[layer]))
        assert not wrong, f"{module} ({layer}) imports a layer above it: {wrong}"


def test_the_root_holds_only_foundation_modules() -> None:
    # Orchestration lives in embedforge.pipeline and CLI-only code in embedforge.commands (issue 35).
    root = sorted(p.stem for p in (SRC / "embedforge").glob("*.py") if p.stem not in ("__init__", "__main__"))
    for name in ("cli", "exits", "signals", "config", "stages", "run_stages", "run_state", "run_checks",
                 "run_report", "pipeline"):
        assert name not in root, f"embedforge/{name}.py belongs in embedforge.pipeline or embedforge.commands"


@pytest.mark.parametrize("module", ["embedforge.pipeline.config", "embedforge.pipeline.execute",
                                    "embedforge.pipeline.stages", "embedforge.commands.main"])
def test_light_modules_do_not_import_torch(module: str) -> None:
    # An up-to-date `embedforge run`, `--help` and config errors must not pay torch's import time.
    code = f"import sys, {module}; print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"], f"importing {module} loads torch or sentence-transformers"
