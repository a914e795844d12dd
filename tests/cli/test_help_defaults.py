"""``--help`` shows each flag's default, and the defaults it shows are the settings' own.

Flags default to None (so a ``--config`` file's value wins when the flag is not given), so
their help text says the default; these tests keep that text equal to the settings
dataclasses' defaults.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
import typer.main

from embedforge.commands.main import app
from embedforge.corpus import ChunkSettings
from embedforge.dataset import DatasetSettings
from embedforge.evaluation import CompareSettings
from embedforge.generators import GenerationSettings
from embedforge.training import TrainSettings

DEFAULT = re.compile(r"\[default: ([^\]\s]+)\]$")
# command path -> settings classes its flags fill, and flag names that differ from the field's
SETTINGS: dict[tuple[str, ...], tuple[tuple[type, ...], dict[str, str]]] = {
    ("chunk",): ((ChunkSettings,), {"model": "embedder"}),
    ("dataset", "build"): ((GenerationSettings, DatasetSettings, ChunkSettings), {"model": "embedder"}),
    ("dataset", "regenerate"): ((GenerationSettings, DatasetSettings), {}),
    ("train",): ((TrainSettings,), {"model": "base_model"}),
    ("compare",): ((CompareSettings,), {"bootstrap_samples": "bootstrap_samples"}),
}


def _command(path: tuple[str, ...]) -> Any:
    command: Any = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    return command


def _field_default(classes: tuple[type, ...], name: str) -> Any:
    for cls in classes:
        for item in dataclasses.fields(cls):
            if item.name == name:
                return item.default
    raise KeyError(name)


def _same(shown: str, value: Any) -> bool:
    if value is None:
        return shown == "none"
    if isinstance(value, bool):
        return shown in (("on",) if value else ("off", "chat", "no-strict"))
    if isinstance(value, int | float):
        return float(shown) == float(value)
    return shown == str(value)


@pytest.mark.parametrize("path", list(SETTINGS), ids=" ".join)
def test_help_defaults_are_the_settings_defaults(path: tuple[str, ...]) -> None:
    classes, renamed = SETTINGS[path]
    checked = 0
    for param in _command(path).params:
        match = DEFAULT.search(getattr(param, "help", None) or "")
        if param.name in ("config", "overwrite", "out") or match is None:
            continue
        name = renamed.get(param.name, param.name)
        assert _same(match.group(1), _field_default(classes, name)), (path, name, match.group(1))
        checked += 1
    assert checked >= 3, path


@pytest.mark.parametrize("path", list(SETTINGS), ids=" ".join)
def test_every_valued_flag_shows_a_default(path: tuple[str, ...]) -> None:
    for param in _command(path).params:
        if param.param_type_name != "option" or param.required or param.hidden or param.name in ("config", "help"):
            continue
        assert "[default:" in (param.help or "") or (param.is_flag and param.default is False), (path, param.name)
