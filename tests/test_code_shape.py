"""The shape ARCHITECTURE.md promises for ``src/``: no file over 250 lines, no function over 50.

A long file is several concepts, a long function several steps: both are where a newcomer
gets lost. The limits count every line of the definition, docstring included.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "embedforge"
MAX_FILE_LINES = 250
MAX_FUNCTION_LINES = 50


def _python_files() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_no_file_over_250_lines() -> None:
    long = {str(p.relative_to(SRC)): n for p in _python_files()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES}
    assert not long, f"split these modules by concept: {long}"


def test_no_function_over_50_lines() -> None:
    long: dict[str, int] = {}
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(SRC)}:{node.lineno} {node.name}"] = length
    assert not long, f"split these functions into steps: {long}"
