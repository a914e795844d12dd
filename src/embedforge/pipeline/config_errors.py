"""How a configuration error reads: one line naming the section and key, with a "did you mean".

pydantic reports a wrong configuration as a list of structured errors; :mod:`embedforge.pipeline.config`
turns the first into ``FILE [section] key: what is wrong`` with :func:`describe`, so a typo in a
TOML file or after ``--set`` is one line a user can act on. Keys are named as the file writes them
(``model``, not the settings field it sets: :mod:`embedforge.pipeline.config_keys`).
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Sequence
from typing import Any

from embedforge.pipeline.config_keys import config_key

_EXPECTED = {"int_type": "int", "float_type": "float", "bool_type": "bool", "string_type": "str",
             "tuple_type": "a list", "dataclass_type": "a table of settings", "int_from_float": "int"}


def describe(error: Any, hints: dict[str, Any], sections: Sequence[str], top_level: Sequence[str]) -> str:
    """One pydantic error as `` [section] key: what is wrong`` (``where`` goes before it)."""
    loc = [str(part) for part in error["loc"] if not str(part).isdigit() and "[" not in str(part)]
    if not loc or loc[0] not in sections:
        if error["type"] == "unexpected_keyword_argument":
            return f": unknown key {loc[0]!r}; {_did_you_mean(loc[0], (*top_level, *sections))}known: " \
                   f"{', '.join((*top_level, *sections))}"
        return f": {'.'.join(loc) or 'value'}: {error['msg']}"
    section, key = loc[0], ".".join([config_key(loc[0], loc[1]), *loc[2:]] if loc[1:] else [])
    if error["type"] == "unexpected_keyword_argument":
        known = sorted(config_key(section, f.name) for f in dataclasses.fields(hints[section]))
        return f" [{section}]: unknown setting {key!r}; {_did_you_mean(key, known)}known: {', '.join(known)}"
    if not key:
        return f" [{section}]: expected a table of settings, got {error.get('input')!r}"
    expected = _EXPECTED.get(error["type"])
    problem = f"expected {expected}" if expected else error["msg"].removeprefix("Value error, ")
    return f" [{section}] {key}: {problem}, got {error.get('input')!r}"


def _did_you_mean(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f"did you mean {close[0]!r}? " if close else ""
