"""Typed run configuration: TOML files in ``configs/``, every value overridable.

Each stage owns a settings dataclass (``ChunkSettings``, ``GenerationSettings``,
``DatasetSettings``, ``TrainSettings``, ``CompareSettings``); this module only
composes them. A configuration file has one table per stage::

    name = "demo"
    [corpus]    manifest = "corpus/als.toml", chunk_tokens = 200, ...
    [generate]  llm = "bundled", prompt = "default", ...
    [dataset]   eval_fraction = 0.2, seed = 42, roundtrip_k = 10
    [train]     base_model = "bundled", epochs = 10, ...
    [compare]   bm25 = true, handwritten = "..."

Unknown keys are one-line errors naming the key; ``--set section.key=value``
overrides any value (the value is read as TOML, so ``3``, ``true`` and
``[128, 64]`` keep their types, and a bare word is a string).
"""

from __future__ import annotations

import dataclasses
import sys
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from embedforge.errors import EmbedforgeError
from embedforge.redact import scrub

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from embedforge.corpus import ChunkSettings
from embedforge.dataset import DatasetSettings
from embedforge.engine import EngineSettings, engine_settings
from embedforge.evaluation import CompareSettings
from embedforge.generators import GenerationSettings
from embedforge.training import TrainSettings

T = TypeVar("T")


@dataclass
class CorpusConfig:
    """Where the documents come from: a manifest (fetched if needed) or explicit sources."""

    manifest: str | None = None
    sources: list[str] = field(default_factory=list)
    folder: str | None = None


@dataclass
class RunConfig:
    """Everything ``embedforge run`` needs, one settings object per stage."""

    name: str = "run"
    runs_dir: str = "runs"
    corpus: CorpusConfig = field(default_factory=CorpusConfig)
    chunk: ChunkSettings = field(default_factory=ChunkSettings)
    generate: GenerationSettings = field(default_factory=GenerationSettings)
    dataset: DatasetSettings = field(default_factory=DatasetSettings)
    train: TrainSettings = field(default_factory=TrainSettings)
    compare: CompareSettings = field(default_factory=CompareSettings)
    engine: EngineSettings = field(default_factory=EngineSettings)  # how, not what: in no stage key
    handwritten: str | None = None
    source_path: str | None = None

    def __post_init__(self) -> None:
        name = self.name
        if not isinstance(name, str) or name.strip() in ("", ".", "..") or any(c in name for c in "/\\\0"):
            # A ValueError: settings_from_dict prefixes the file it came from.
            raise ValueError(f"name {name!r}: must be a plain folder name inside runs_dir "
                                  "(no '/', '\\' or '..'), e.g. name = \"demo\"")

    @property
    def run_dir(self) -> Path:
        return Path(self.runs_dir) / self.name


SECTIONS = ("corpus", "chunk", "generate", "dataset", "train", "compare")


def load_config(path: str | Path, overrides: Sequence[str] = ()) -> RunConfig:
    """Read a run configuration TOML file and apply ``section.key=value`` overrides.

    Relative paths inside the file (manifest, sources, prompt, handwritten) are taken
    relative to the current directory, as the README's commands run from the repo root.

    Raises:
        EmbedforgeError: missing file, not UTF-8, invalid TOML, unknown section or key, wrong value type,
            a run name that is not a plain folder name.
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
    for item in overrides:
        apply_override(data, item)
    config = config_from_dict(data, where=str(source))
    config.source_path = str(source)
    return config


def apply_override(data: dict[str, Any], item: str) -> None:
    """Apply one ``section.key=value`` (or ``key=value`` at top level) to a parsed TOML dict."""
    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        raise EmbedforgeError(f"--set {item!r}: expected SECTION.KEY=VALUE, e.g. --set train.epochs=3")
    *sections, name = key.strip().split(".")
    target = data
    for section in sections:
        target = target.setdefault(section, {})
    target[name] = parse_value(raw.strip())


def parse_value(raw: str) -> Any:
    """A command-line value read as TOML where it parses, else as a plain string."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def config_from_dict(data: dict[str, Any], where: str = "configuration") -> RunConfig:
    """Build a :class:`RunConfig` from a parsed TOML dict (see the module docstring)."""
    unknown = set(data) - {f.name for f in dataclasses.fields(RunConfig)} - set(SECTIONS)
    if unknown:
        raise EmbedforgeError(f"{where}: unknown key {sorted(unknown)[0]!r}; known sections: {', '.join(SECTIONS)}")
    top = {k: v for k, v in data.items() if k not in SECTIONS}
    top["engine"] = engine_settings(data.get("engine"), f"{where} [engine]")
    sections: dict[str, Any] = {
        k: settings_from_dict(_section_type(k), data.get(k, {}), f"{where} [{k}]") for k in SECTIONS
    }
    return settings_from_dict(RunConfig, {**top, **sections}, where)


def _section_type(name: str) -> type:
    hints = typing.get_type_hints(RunConfig)
    return typing.cast(type, hints[name])


def settings_from_dict(cls: type[T], data: dict[str, Any] | Any, where: str) -> T:
    """Instantiate the dataclass ``cls`` from ``data``, checking keys and basic types.

    Raises:
        EmbedforgeError: ``data`` is not a table, has an unknown key, or a value of the wrong type.
    """
    if dataclasses.is_dataclass(data):
        return typing.cast(T, data)
    if not isinstance(data, dict):
        raise EmbedforgeError(f"{where}: expected a table of settings, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = set(data) - names
    if unknown:
        raise EmbedforgeError(f"{where}: unknown setting {sorted(unknown)[0]!r}; known: {', '.join(sorted(names))}")
    values = {key: _coerce(value, hints[key], f"{where} {key}") for key, value in data.items()}
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise EmbedforgeError(f"{where}: {exc}") from exc


def _coerce(value: Any, hint: Any, where: str) -> Any:
    """Coerce TOML values to the annotated type where it is unambiguous (list -> tuple, int -> float)."""
    if dataclasses.is_dataclass(hint) and isinstance(value, dict):
        return settings_from_dict(typing.cast(type, hint), value, where)
    options = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, _union_type()) else (hint,)
    if value is None and type(None) in options:
        return None
    for option in options:
        origin = typing.get_origin(option) or option
        if origin is tuple and isinstance(value, list | tuple):
            return tuple(value)
        if origin is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if isinstance(origin, type) and isinstance(value, origin):
            return value
    if any(o is Any for o in options):
        return value
    expected = " or ".join(getattr(o, "__name__", str(o)) for o in options)
    raise EmbedforgeError(f"{where}: expected {expected}, got {value!r}")


def _union_type() -> Any:
    import types

    return types.UnionType


def to_dict(config: Any) -> dict[str, Any]:
    """A configuration (dataclasses, dicts, paths) as plain JSON data with secrets removed."""
    return typing.cast(dict[str, Any], scrub_secrets(_plain(config)))


def _plain(obj: Any) -> Any:
    if isinstance(obj, EngineSettings):
        return obj.model_dump()
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
