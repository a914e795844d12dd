"""Secrets out of everything embedforge writes.

Configurations, manifests, model and dataset cards are written beside their outputs; any
setting whose name may hold a secret (``api_key``, ``hf_token``, ``password``...) is replaced by
``***`` first. One implementation, below every stage, so the rule is the same everywhere.
Text from outside (an LLM's answer, which a server may fill with the bearer token it got) has
known secret values replaced by :data:`SECRET_MARK` (:func:`remove_secrets`), so a filter can
also drop what held one.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from typing import Any

SCRUBBED = "***"
SECRET_MARK = "[secret removed]"
SECRET_ENV = ("OPENAI_API_KEY",)
MIN_SECRET = 8  # shorter values would blank ordinary words
_SECRET_WORDS = ("key", "secret", "password", "passwd", "credential", "authorization")


def is_secret_name(name: str) -> bool:
    """True for setting names that may hold a secret (``api_key``, ``hf_token``, ``secret``...).

    ``*_tokens`` (token counts, ``max_tokens``) is not a secret; ``token`` / ``*_token`` is.
    """
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS) or lowered == "token" or lowered.endswith("_token")


def scrub(value: Any) -> Any:
    """A JSON-ready copy of ``value`` with secret-named entries replaced by ``***``.

    Dataclasses become dicts, paths and other objects strings, tuples lists.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        return {
            str(k): (SCRUBBED if is_secret_name(str(k)) and v not in (None, "") else scrub(v))
            for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [scrub(v) for v in items]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def remove_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every known secret value (``secrets`` and ``$OPENAI_API_KEY``) replaced by SECRET_MARK."""
    known = {value for value in (*secrets, *(os.environ.get(name, "") for name in SECRET_ENV))
             if len(value.strip()) >= MIN_SECRET}
    for value in sorted(known, key=len, reverse=True):  # a longer secret first, should one contain another
        text = text.replace(value, SECRET_MARK)
    return text
