"""Typed run configuration: TOML files in ``configs/``, every value overridable.

Each stage owns a settings dataclass (``ChunkSettings``, ``GenerationSettings``,
``DatasetSettings``, ``TrainSettings``, ``CompareSettings``, all :class:`~embedforge.settings.Settings`);
this module only composes them. A configuration file has one table per section::

    name = "demo"
    model = "bundled"          # the embedder: chunk sizes, the round-trip filter, the base to fine-tune
    [corpus]    manifest = "corpus/als.toml"      (or sources = ["docs/"])
    [chunk]     chunk_tokens = 200, overlap_tokens = 20, ...
    [generate]  llm = "bundled", prompt = "multi", questions_per_chunk = 5, ...
    [dataset]   eval_fraction = 0.2, dev_fraction = 0.2, seed = 42, roundtrip_k = 10
    [train]     epochs = 1, batch_size = 10, learning_rate = 1e-4, ...
    [compare]   bm25 = true, handwritten = "evals/als_handwritten_report.jsonl"
    [engine]    kind = "local"        # or "ray" (docs/scale.md): how stages run, never what they write

``model`` is the embedder of ``[chunk]``, ``[dataset]`` (the round-trip filter) and ``[train]``
(the base to fine-tune) unless a section names its own ``model`` (:mod:`embedforge.pipeline.config_keys`:
the keys it replaced, ``embedder``, ``roundtrip_model`` and ``base_model``, are read for a release).
The tables are validated by pydantic against the dataclasses (unknown keys and wrong types are
one-line errors naming the key); ``--set section.key=value`` overrides any value (read as TOML,
so ``3``, ``true`` and ``[128, 64]`` keep their types, and a bare word is a string).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import sys
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from embedforge.errors import EmbedforgeError
from embedforge.pipeline.config_errors import describe
from embedforge.pipeline.config_keys import as_fields, as_key, new_override_key, with_new_keys
from embedforge.redact import scrub
from embedforge.settings import Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from embedforge.corpus.settings import ChunkSettings
from embedforge.dataset.settings import DatasetSettings
from embedforge.engine import EngineSettings
from embedforge.evaluation.settings import CompareSettings
from embedforge.generators.settings import GenerationSettings
from embedforge.training.settings import TrainSettings


@dataclass(frozen=True)
class CorpusConfig(Settings):
    """Where the documents come from: a manifest (fetched if needed) or explicit sources."""

    manifest: str | None = None
    sources: tuple[str, ...] = ()
    folder: str | None = None


@dataclass
class RunConfig(Settings):
    """Everything ``embedforge run`` needs, one settings object per section (see the module docstring)."""

    name: str = "run"
    runs_dir: str = "runs"
    model: str = "bundled"
    corpus: CorpusConfig = field(default_factory=CorpusConfig)
    chunk: ChunkSettings = field(default_factory=ChunkSettings)
    generate: GenerationSettings = field(default_factory=GenerationSettings)
    dataset: DatasetSettings = field(default_factory=DatasetSettings)
    train: TrainSettings = field(default_factory=TrainSettings)
    compare: CompareSettings = field(default_factory=CompareSettings)
    engine: EngineSettings = field(default_factory=EngineSettings)  # how, not what: in no stage key
    source_path: str | None = None  # set by load_config: the file, for error messages

    def check(self) -> None:
        name = self.name
        if not isinstance(name, str) or name.strip() in ("", ".", "..") or any(c in name for c in "/\\\0"):
            raise EmbedforgeError(f"name {name!r}: must be a plain folder name inside runs_dir "
                                  "(no '/', '\\' or '..'), e.g. name = \"demo\"")

    @property
    def run_dir(self) -> Path:
        return Path(self.runs_dir) / self.name


_HINTS = typing.get_type_hints(RunConfig)
SECTIONS = tuple(name for name, hint in _HINTS.items() if isinstance(hint, type) and issubclass(hint, Settings))
TOP_LEVEL = tuple(f.name for f in dataclasses.fields(RunConfig) if f.name not in SECTIONS and f.name != "source_path")


def load_config(path: str | Path, overrides: Sequence[str] = ()) -> RunConfig:
    """Read a run configuration TOML file and apply ``section.key=value`` overrides.

    Relative paths inside the file (manifest, sources, prompt files, handwritten, runs_dir,
    local models) are taken relative to the file's folder (:mod:`embedforge.pipeline.config_paths`);
    ``--set`` values relative to the current folder.

    Raises:
        EmbedforgeError: missing file, not UTF-8, invalid TOML, unknown section or key, wrong value type,
            a section giving both ``model`` and its old name, a run name that is not a plain folder name.
    """
    source = Path(path)
    if not source.is_file():
        raise EmbedforgeError(f"{source}: configuration file not found; see configs/ for examples")
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise EmbedforgeError(f"{source}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise EmbedforgeError(f"{source}: invalid TOML ({exc}); fix the file") from exc
    except RecursionError as exc:  # tomllib recurses per nesting level (about 500 is too deep)
        raise EmbedforgeError(f"{source}: invalid TOML (nested too deeply); fix the file") from exc
    from embedforge.pipeline.config_paths import resolve_paths

    config = _with_overrides(resolve_paths(with_new_keys(data, str(source)), source.parent), overrides, str(source))
    config.source_path = str(source)
    return config


def _with_overrides(data: dict[str, Any], overrides: Sequence[str], where: str) -> RunConfig:
    """The configuration with ``--set`` overrides applied; an error blames the override that caused it.

    The file alone is read first only when the whole fails, so an override may still fix the file.
    """
    merged = copy.deepcopy(data)
    for item in overrides:
        apply_override(merged, item)
    try:
        return config_from_dict(merged, where=where)
    except EmbedforgeError:
        if not overrides:
            raise
    config_from_dict(data, where=where)  # the file's own error, if it has one
    partial = copy.deepcopy(data)
    for item in overrides:
        apply_override(partial, item)
        key = item.split("=", 1)[0].strip()  # the key only: the value may be a secret (an api_key)
        try:
            config_from_dict(partial, where=f"--set {key}")
        except EmbedforgeError as exc:
            raise EmbedforgeError(str(exc).replace(f"--set {key} [", f"--set {key}: [", 1)) from exc
    return config_from_dict(merged, where=where)  # pragma: no cover - an override failed above


def apply_override(data: dict[str, Any], item: str) -> None:
    """Apply one ``section.key=value`` (or ``key=value`` at top level) to a parsed TOML dict."""
    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        raise EmbedforgeError(f"--set {item!r}: expected SECTION.KEY=VALUE, e.g. --set train.epochs=3")
    *sections, name = new_override_key(key).strip().split(".")
    target = data
    for depth, section in enumerate(sections):
        target = target.setdefault(section, {})
        if not isinstance(target, dict):  # e.g. name.x (name is a string) or corpus.sources.x (a list)
            where = ".".join(sections[:depth + 1])
            raise EmbedforgeError(f"--set {key.strip()}: {where} is a value, not a table of settings; "
                                  "set it whole or name a section's key, e.g. --set train.epochs=3")
    target[name] = parse_value(raw.strip(), key.strip())


def parse_value(raw: str, key: str = "value") -> Any:
    """A command-line value read as TOML where it parses, else as a plain string.

    Raises:
        EmbedforgeError: a value nested too deeply for the TOML reader (the message names ``key``).
    """
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw
    except RecursionError as exc:
        raise EmbedforgeError(f"--set {key}: the value is nested too deeply; give a flat value or list") from exc


def config_from_dict(data: dict[str, Any], where: str = "configuration") -> RunConfig:
    """Build a :class:`RunConfig` from a parsed TOML dict (see the module docstring).

    Raises:
        EmbedforgeError: an unknown section or key, a value of the wrong type, or a value a stage rejects.
    """
    data = with_new_keys({k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}, where)
    generate = data.get("generate")
    if isinstance(generate, dict) and "prompt" in generate and "greedy_prompt" not in generate:
        generate["greedy_prompt"] = generate["prompt"]  # one prompt writes every question, as on the command line
    data = as_fields(data)
    sections = {name: _section(name, data.get(name, {}), where) for name in SECTIONS}
    top = {key: value for key, value in data.items() if key not in SECTIONS}
    try:
        return TypeAdapter(RunConfig).validate_python({**top, **sections})
    except ValidationError as exc:
        raise EmbedforgeError(f"{where}{describe(exc.errors()[0], _HINTS, SECTIONS, TOP_LEVEL)}") from exc
    except EmbedforgeError as exc:
        raise EmbedforgeError(f"{where}: {exc}") from exc


def _section(name: str, table: Any, where: str) -> Settings:
    """One ``[name]`` table as its settings class; errors name the file and the section."""
    try:
        # JSON mode + strict: TOML arrays become tuples and ints floats, but "3" is no int.
        return typing.cast(Settings, TypeAdapter(_HINTS[name]).validate_json(json.dumps(table, default=str),
                                                                            strict=True))
    except ValidationError as exc:
        error = exc.errors()[0]
        described = describe({**error, "loc": (name, *error["loc"])}, _HINTS, SECTIONS, TOP_LEVEL)
        raise EmbedforgeError(f"{where}{described}") from exc
    except EmbedforgeError as exc:
        raise EmbedforgeError(f"{where} [{name}] {as_key(name, str(exc))}") from exc


def to_dict(config: Any) -> dict[str, Any]:
    """A configuration (dataclasses, dicts, paths) as plain JSON data with secrets removed."""
    return typing.cast(dict[str, Any], scrub_secrets(_plain(config)))


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    return obj


def scrub_secrets(obj: Any) -> Any:
    """Replace values whose key names a secret (api_key, token, password...), recursively: see ``redact``."""
    return scrub(obj)
