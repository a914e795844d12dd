"""notebooks/walkthrough.ipynb runs top to bottom (so it cannot rot) and is stored with a real run's outputs.

The stored outputs are what the cells printed on the ALS documents (progress bars and the machine's
paths taken out), so a reader on GitHub sees the results without running anything.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow  # runs a real model

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "walkthrough.ipynb"


def test_notebook_is_stored_with_the_outputs_of_one_run() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, "the walkthrough has no code"
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))  # one run, top to bottom
    printed = "".join(o.get("text", "") for cell in code for o in cell.outputs if o.output_type == "stream")
    assert "questions kept" in printed and "ndcg@10 on" in printed and "report: work/report" in printed
    assert "/tmp/" not in printed and "\r" not in printed and not any(
        o.output_type == "error" for cell in code for o in cell.outputs)


def test_walkthrough_runs(tmp_path: Path, als_corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("llama_cpp", reason="the bundled LLM needs llama-cpp-python (make setup installs it)")
    from nbclient import NotebookClient

    monkeypatch.setenv("EMBEDFORGE_CORPUS", str(als_corpus))
    monkeypatch.setenv("EMBEDFORGE_WALKTHROUGH_DIR", str(tmp_path / "work"))
    monkeypatch.setenv("OMP_NUM_THREADS", os.environ.get("OMP_NUM_THREADS", "2"))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    resources = {"metadata": {"path": str(tmp_path)}}
    client = NotebookClient(notebook, timeout=900, kernel_name="python3", resources=resources)
    client.execute()
    report = tmp_path / "work" / "report"
    assert {"metrics.json", "report.md", "per_query.csv", "ndcg_by_dim.png"} <= {p.name for p in report.iterdir()}
    assert (tmp_path / "work" / "dataset-patient" / "queries.jsonl").is_file()
