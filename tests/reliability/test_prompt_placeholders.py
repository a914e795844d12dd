"""A prompt's placeholders are plain ``{field}`` names, or the prompt is refused before any work.

``str.format`` evaluates a format spec (``{context:>3000000000}`` padded a prompt to 24 GB),
a conversion, an attribute or index (``{context:{title.__class__}}`` ended in an internal
error) and a nested field. Each is one line naming the placeholder, when the prompt loads:
``prompt show``, the dry run and every real run load it first.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_llm import embedforge_cli

from embedforge.errors import EmbedforgeError
from embedforge.generators.prompt import load_prompt

HOSTILE = ["{context:>30}", "{context:{title.__class__}}", "{title.__class__}", "{context!r}", "{}", "{0}",
           "{context[0]}"]


def _prompt(path: Path, template: str, instruction: str = "Write {n} questions.") -> Path:
    path.write_text(f'name = "hostile"\ninstruction = "{instruction}"\ntemplate = """{template}\nQuestion:"""\n'
                    'fence = ["<<", ">>"]\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("placeholder", HOSTILE)
def test_a_placeholder_that_is_not_a_plain_name_is_refused_naming_it(tmp_path: Path, placeholder: str) -> None:
    path = _prompt(tmp_path / "p.toml", f"Passage: {{context}} {placeholder}")
    with pytest.raises(EmbedforgeError, match="is not a plain") as info:
        load_prompt(str(path))
    assert placeholder in str(info.value) and str(path) in str(info.value)


def test_the_instruction_takes_only_a_plain_n(tmp_path: Path) -> None:
    path = _prompt(tmp_path / "p.toml", "Passage: {context}", instruction="Write {n:>9} questions.")
    with pytest.raises(EmbedforgeError, match=r"instruction: placeholder \{n:>9\}"):
        load_prompt(str(path))


def test_plain_fields_and_literal_braces_still_load(tmp_path: Path) -> None:
    path = _prompt(tmp_path / "p.toml", "{title} / {section}: {context} {{not a field}}")
    assert "{{not a field}}" in load_prompt(str(path)).template


def test_prompt_show_and_the_dry_run_refuse_a_format_spec_in_one_line(tmp_path: Path) -> None:
    padded = _prompt(tmp_path / "padded.toml", "Passage: {context:>30000000}")
    shown = embedforge_cli("prompt", "show", str(padded), cwd=tmp_path)
    assert shown.returncode == 2 and len(shown.stdout) < 1000, (shown.returncode, len(shown.stdout))
    assert shown.stderr.strip().splitlines() == [shown.stderr.strip()]
    assert "{context:>30000000}" in shown.stderr and "Traceback" not in shown.stderr
    nested = _prompt(tmp_path / "nested.toml", "Passage: {context:{title.__class__}}")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("Respite care gives family caregivers a planned break.", "utf-8")
    planned = embedforge_cli("dataset", "build", "docs", "--out", "out", "--prompt", str(nested), "--dry-run",
                             "--embedder", "bundled-minilm", cwd=tmp_path)
    assert planned.returncode == 2, planned.stderr[-2000:]
    assert "{context:{title.__class__}}" in planned.stderr.strip().splitlines()[-1]
    assert "internal error" not in planned.stderr and "Traceback" not in planned.stderr
