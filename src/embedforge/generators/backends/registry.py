"""Every kind of ``--llm`` spec, keyed by kind, and the parse of a spec string into one.

A spec names the model and where it runs: ``KIND:REST`` (``openai:gpt-4o-mini``), or the kind
alone for a ``bare`` one (``bundled``). Each kind is one :class:`~.base.LlmSpec` subclass that
owns everything about it (``base.py``); :func:`register` adds one, and :data:`BUILTIN` lists the
packaged ones. ``--llm``'s help (:func:`llm_help`) and the error for a bad spec (:func:`forms`)
are made from the registry, so they list every kind there is.

Adding a kind: a module in ``backends/`` with its ``LlmSpec`` subclass (and its ``Backend``),
and its import and entry in :data:`BUILTIN` below.
"""

from __future__ import annotations

from collections.abc import Callable

from embedforge.errors import EmbedforgeError
from embedforge.generators.backends.base import LlmSpec
from embedforge.generators.backends.llamacpp import BundledSpec, LlamaCppSpec
from embedforge.generators.backends.openai import OpenAICompatibleSpec, OpenAISpec
from embedforge.generators.backends.vllm import VllmSpec

BUILTIN: tuple[type[LlmSpec], ...] = (BundledSpec, LlamaCppSpec, OpenAISpec, OpenAICompatibleSpec, VllmSpec)
_KINDS: dict[str, type[LlmSpec]] = {}


def register(kind: type[LlmSpec]) -> type[LlmSpec]:
    """Make ``kind`` (an :class:`LlmSpec` subclass with ``kind`` and ``usage`` set) a valid ``--llm``; returns it.

    Raises:
        ValueError: no ``kind`` or ``usage``, or the name is taken by another class.
    """
    if not kind.kind or not kind.usage:
        raise ValueError(f"{kind.__name__}: set its kind and usage")
    if _KINDS.setdefault(kind.kind, kind) is not kind:
        raise ValueError(f"{kind.__name__}: the kind {kind.kind!r} is taken by {_KINDS[kind.kind].__name__}")
    return kind


def registered() -> tuple[type[LlmSpec], ...]:
    """The kinds, in the order they were registered."""
    return tuple(_KINDS.values())


def forms() -> str:
    """How specs are written, for errors: ``bundled, llamacpp:PATH.gguf, ... or vllm:MODEL``."""
    usages = [kind.usage for kind in _KINDS.values()]
    return ", ".join(usages[:-1]) + f" or {usages[-1]}" if len(usages) > 1 else "".join(usages)


def llm_help() -> str:
    """``--llm``'s help: every kind's usage, and its note."""
    return " | ".join(f"{k.usage} ({k.note})" if k.note else k.usage for k in _KINDS.values())


def parse_spec(spec: str) -> LlmSpec:
    """Parse an LLM spec string into its kind's :class:`LlmSpec`.

    Raises:
        EmbedforgeError: unknown kind, missing model or URL, a .gguf file that does not exist.
    """
    text = spec.strip()
    name, sep, rest = text.partition(":")
    kind = _KINDS.get(name)
    if not sep and kind is not None and kind.bare:
        return kind.parse("", text)
    if not sep and text:
        raise EmbedforgeError(f"--llm {spec!r}: no provider; use {forms()} (did you mean openai:{text}?)")
    if kind is None or kind.bare or not rest.strip():
        raise EmbedforgeError(f"--llm {spec!r}: not an LLM spec; use {forms()}")
    return kind.parse(rest.strip(), text)


def rebase_spec(spec: str, join: Callable[[str], str]) -> str:
    """``spec`` with its file path (a ``path_arg`` kind's, e.g. ``llamacpp:PATH``) passed through ``join``; else as is.

    A configuration file's relative paths are relative to its folder (``pipeline/config_paths.py``).
    """
    name, sep, rest = spec.partition(":")
    kind = _KINDS.get(name)
    return f"{name}:{join(rest)}" if sep and kind is not None and kind.path_arg else spec


for _kind in BUILTIN:
    register(_kind)
