"""One name for the embedder in a configuration file: ``model``, at the top and in each section.

The embedder is ``--model`` on every command, and ``model`` in a configuration file: at the top
level it names the run's one embedder; ``[chunk]``, ``[dataset]`` and ``[train]`` may each name
their own with ``model`` too. The settings classes keep their Python field names
(``ChunkSettings.embedder``, ``DatasetSettings.roundtrip_model``, ``TrainSettings.base_model``), so the
Python API and every stage key and fingerprint (which hash the field names) stay as they were; this
module maps the file's key to the field. The keys ``model`` replaced are still read for a release,
with one warning each, and a section that gives both is a one-line error.
"""

from __future__ import annotations

import logging
from typing import Any

from embedforge.errors import EmbedforgeError

log = logging.getLogger(__name__)

MODEL_KEY = "model"
# section -> the settings field its ``model`` key sets (also the key's old name, read for a release).
MODEL_FIELDS = {"chunk": "embedder", "dataset": "roundtrip_model", "train": "base_model"}


def config_key(section: str, name: str) -> str:
    """The key a configuration file uses for settings field ``name`` of ``section``.

    >>> config_key("train", "base_model"), config_key("train", "epochs")
    ('model', 'epochs')
    """
    return MODEL_KEY if MODEL_FIELDS.get(section) == name else name


def as_key(section: str, message: str) -> str:
    """A settings error that starts with the model field's name (``roundtrip_model: empty``) as ``model: empty``."""
    name = MODEL_FIELDS.get(section)
    return MODEL_KEY + message[len(name):] if name and message.startswith(name) else message


def with_new_keys(data: dict[str, Any], where: str) -> dict[str, Any]:
    """A copy of a parsed file whose sections say ``model`` where they used an old name (warned once each).

    Raises:
        EmbedforgeError: a section that gives both ``model`` and its old name.
    """
    out = dict(data)
    for section, old in MODEL_FIELDS.items():
        table = out.get(section)
        if not isinstance(table, dict) or old not in table:
            continue
        if MODEL_KEY in table:
            raise EmbedforgeError(f"{where} [{section}]: both {MODEL_KEY!r} and its old name {old!r} are given; "
                                  f"keep {MODEL_KEY!r} and delete {old!r}")
        log.warning("%s [%s] %s: an old name, read until the next release; call it %s", where, section, old,
                    MODEL_KEY)
        out[section] = {(MODEL_KEY if key == old else key): value for key, value in table.items()}
    return out


def new_override_key(key: str) -> str:
    """``train.base_model`` (an old name after ``--set``) as ``train.model``, warned; other keys unchanged."""
    section, _, name = key.strip().rpartition(".")
    if MODEL_FIELDS.get(section) != name:
        return key
    log.warning("--set %s: an old name, read until the next release; use --set %s.%s", key.strip(), section,
                MODEL_KEY)
    return f"{section}.{MODEL_KEY}"


def as_fields(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of a parsed file (new keys) whose sections name the settings fields: each section's
    ``model``, else the top-level ``model`` (``bundled`` when neither is given), under its field name."""
    out = dict(data)
    model = out.get(MODEL_KEY, "bundled")
    for section, name in MODEL_FIELDS.items():
        table = out.setdefault(section, {})
        if isinstance(table, dict):
            table = dict(table)
            table[name] = table.pop(MODEL_KEY, model)
            out[section] = table
    return out
