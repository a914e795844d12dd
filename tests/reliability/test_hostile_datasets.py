"""Hostile dataset files (issue 15 items 4 and 7, issue 13): one line naming the file, rc 2.

``dataset import`` used to turn ``null``, ``123``, ``true`` and objects into the texts "None",
"123", "True" and "{'t': 'x'}" with rc 0, and JSON nested 200,000 deep, a 5,000-digit number
or a lone surrogate escape into an internal error. A dataset folder with an id given twice was
read with the last record winning. Each now ends in one line, through the real CLI.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from embedforge.dataset import import_dataset, load_dataset_dir
from embedforge.errors import EmbedforgeError

GOOD = {"queries": {"q1": "What does respite care give family caregivers?"},
        "corpus": {"d1": "Respite care gives family caregivers a planned break."},
        "relevant_docs": {"q1": ["d1"]}, "mode": "text"}
WRONG_TYPES = {
    "null question": (("queries", "q1"), None, 'queries["q1"] is null'),
    "number question": (("queries", "q1"), 123, 'queries["q1"] is a number'),
    "boolean passage": (("corpus", "d1"), True, 'corpus["d1"] is true/false'),
    "object passage": (("corpus", "d1"), {"t": "x"}, 'corpus["d1"] is an object'),
    "number id": (("relevant_docs", "q1"), [7], 'relevant_docs["q1"][0] is a number'),
}
BROKEN_JSON = {
    "nested 200,000 deep": ("[" * 200_000 + "]" * 200_000, "nested too deeply"),
    "a 5,000-digit integer": ('{"queries": {"q1": ' + "9" * 5000 + "}}", "not JSON"),
    "a lone surrogate": (json.dumps(GOOD).replace("What does", "\\ud800 What does"), "lone surrogate"),
}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "embedforge", *args], capture_output=True, text=True, timeout=300)


def _one_line_error(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr[-1000:]
    assert len(lines) == 1 and all(needle in lines[0] for needle in needles), lines


@pytest.mark.parametrize("case", WRONG_TYPES)
def test_wrong_types_are_refused_naming_the_json_path(case: str, tmp_path: Path) -> None:
    (section, key), value, message = WRONG_TYPES[case]
    data = json.loads(json.dumps(GOOD))
    data[section][key] = value
    source = tmp_path / "pairs.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(EmbedforgeError, match=r"pairs\.json: " + message.replace("[", r"\[")):
        import_dataset(source, None, tmp_path / "ds")
    assert not (tmp_path / "ds" / "queries.jsonl").exists()


def test_broken_json_through_the_cli(tmp_path: Path) -> None:
    for number, (text, message) in enumerate(BROKEN_JSON.values()):
        source = tmp_path / f"broken{number}.json"
        source.write_text(text, encoding="utf-8")
        _one_line_error(_cli("dataset", "import", str(source), "--out", str(tmp_path / f"ds{number}")),
                        str(source), message)
    data = json.loads(json.dumps(GOOD))
    data["queries"]["q1"] = None  # one wrong type through the CLI too; the others through the library above
    source = tmp_path / "null.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    _one_line_error(_cli("dataset", "import", str(source), "--out", str(tmp_path / "dsn")), 'queries["q1"] is null')


def test_duplicate_ids_in_a_dataset_folder_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "pairs.json"
    source.write_text(json.dumps(GOOD), encoding="utf-8")
    import_dataset(source, None, tmp_path / "ds")
    load_dataset_dir(tmp_path / "ds")
    for name in ("corpus.jsonl", "queries.jsonl"):
        path = tmp_path / "ds" / name
        original = path.read_text(encoding="utf-8")
        first = json.loads(original.splitlines()[0])
        path.write_text(original + json.dumps({**first, "text": "another text, same id"}) + "\n", encoding="utf-8")
        with pytest.raises(EmbedforgeError, match=rf"{name}: id '{first['_id']}' appears more than once"):
            load_dataset_dir(tmp_path / "ds")
        path.write_text(original, encoding="utf-8")
