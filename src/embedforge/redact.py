"""Secrets out of everything embedforge writes.

Configurations, manifests, model and dataset cards are written beside their outputs; any
setting whose name may hold a secret (``api_key``, ``hf_token``, ``password``...) is replaced by
``***`` first. One implementation, below every stage, so the rule is the same everywhere.
Text from outside (an LLM's answer, which a server may fill with the bearer token it got) has
known secret values (the backend's, from the environment variables its kind names:
``LlmSpec.secret_env``) replaced by :data:`SECRET_MARK` (:func:`remove_secrets`), so a filter can
also drop what held one. A value is also found in any case, with blanks or line breaks between
its characters, and base64-encoded (standard or URL-safe, at any alignment inside a longer
encoding, e.g. of ``Bearer KEY``): the forms a server that echoes its headers writes it in.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import re
from collections.abc import Iterable
from typing import Any

SCRUBBED = "***"
SECRET_MARK = "[secret removed]"
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
    """``text`` with every secret value in ``secrets`` replaced by SECRET_MARK.

    Each value is matched as written, in any case, with blanks between its characters, and
    base64-encoded (see the module docstring); values under :data:`MIN_SECRET` characters are ignored.
    """
    known = {value.strip() for value in secrets if len(value.strip()) >= MIN_SECRET}
    for value in sorted(known, key=len, reverse=True):  # a longer secret first, should one contain another
        for pattern in _patterns(value):
            text = pattern.sub(SECRET_MARK, text)
    return text


@functools.lru_cache(maxsize=16)
def _patterns(value: str) -> tuple[re.Pattern[str], ...]:
    """The regular expressions that find ``value``: spaced and in any case, then its base64 forms."""
    forms = [re.compile(_spaced(value), re.IGNORECASE)]
    forms += [re.compile(_spaced(core)) for core in _base64_cores(value) if len(core) >= MIN_SECRET]
    return tuple(forms)


def _spaced(value: str) -> str:
    return r"\s*".join(re.escape(char) for char in value)


def _base64_cores(value: str) -> list[str]:
    """The base64 characters that encode ``value`` alone, at each of the 3 byte alignments, standard and URL-safe.

    Characters that also depend on the bytes before or after ``value`` are cut off, so each core
    is found inside the encoding of any longer text holding ``value``.
    """
    raw = value.encode("utf-8")
    cores = []
    for shift in range(3):
        encoded = base64.b64encode(bytes(shift) + raw).decode("ascii").rstrip("=")
        start = (0, 2, 3)[shift]
        end = len(encoded) - (1 if (shift + len(raw)) % 3 else 0)
        core = encoded[start:end]
        cores += [core, core.replace("+", "-").replace("/", "_")]
    return list(dict.fromkeys(cores))
