"""Relative paths in a configuration file are relative to the file's folder.

``embedforge run configs/als-offline.toml`` must work from any folder, as every tool with
configuration files does: a path written in the file (a manifest, sources, a prompt file, the
hand-written questions, the example questions, a local model folder, a GGUF file, the cache, ``runs_dir``) is taken
relative to the folder that holds the file. Values given with ``--set`` are typed in the shell,
so they stay relative to the current folder. Names that are not paths (``bundled``, a packaged
prompt name, a Hugging Face id) are left alone: a model spec or prompt is only re-based when it
looks like a file (``.toml``) or names something that exists next to the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from embedforge.generators.backends.registry import rebase_spec
from embedforge.pipeline.config_keys import MODEL_FIELDS, MODEL_KEY

# (section or "" for top level, key) -> how the value is a path.
_ALWAYS = {("", "runs_dir"), ("corpus", "manifest"), ("corpus", "folder"), ("generate", "cache"),
           ("generate", "examples"), ("dataset", "natural_dev"), ("compare", "handwritten")}
_PROMPTS = {("generate", "prompt"), ("generate", "greedy_prompt")}
# The embedder's key at the top and in each section (old names are renamed before: config_keys).
_MODELS = {("", MODEL_KEY)} | {(section, MODEL_KEY) for section in MODEL_FIELDS}


def resolve_paths(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """A copy of a parsed configuration file with its relative paths made relative to ``base``.

    ``base`` is the file's folder. Paths stay relative to the current folder when ``base`` is (so
    ``configs/../corpus/als.toml`` reads ``corpus/als.toml``); absolute values are unchanged.
    """
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for section, key in _ALWAYS | _PROMPTS | _MODELS:
        table = out if not section else out.get(section)
        if not isinstance(table, dict) or not isinstance(table.get(key), str) or not table[key]:
            continue
        value = table[key]
        if _is_path((section, key), value, base):
            table[key] = _join(base, value)
    corpus = out.get("corpus")
    if isinstance(corpus, dict) and isinstance(corpus.get("sources"), list):
        corpus["sources"] = [_join(base, s) if isinstance(s, str) else s for s in corpus["sources"]]
    generate = out.get("generate")
    if isinstance(generate, dict) and isinstance(generate.get("llm"), str):  # a GGUF file's path in the spec
        generate["llm"] = rebase_spec(generate["llm"], lambda path: _join(base, path))
    return out


def _is_path(where: tuple[str, str], value: str, base: Path) -> bool:
    """Whether ``value`` at ``where`` names a file: always, a ``.toml`` prompt, or a model next to the file."""
    if where in _ALWAYS:
        return True
    if where in _PROMPTS:
        return value.endswith(".toml")
    return not Path(value).is_absolute() and (base / value).exists()


def _join(base: Path, value: str) -> str:
    path = Path(value).expanduser()
    if path.is_absolute():
        return str(path)
    return os.path.normpath(base / path)
