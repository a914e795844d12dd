"""One base for every stage's settings: checked when built, and tagged by what changes the output.

Each stage's settings are a dataclass deriving from :class:`Settings`. A field declared
with ``setting(default, output=False)`` (concurrency, timeouts, device, resume...) changes
how a stage runs but not what it writes. :meth:`Settings.fingerprint` keeps every other
field, and that is all the pipeline's stage keys and the training fingerprint hash, so
``--set generate.concurrency=8`` never regenerates a dataset or retrains a model.

:meth:`Settings.check` runs when an object is built (``ChunkSettings(chunk_tokens=4)``
raises at once) and names the setting, never a CLI flag. Configuration files are read
into these classes by pydantic (``extra="forbid"``, strict types): see :mod:`embedforge.pipeline.config`.

Example:
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Knobs(Settings):
    ...     size: int = setting(10)
    ...     workers: int = setting(4, output=False)
    >>> Knobs(workers=8).fingerprint() == Knobs().fingerprint()
    True
    >>> Knobs(size=5).fingerprint()
    {'size': 5}
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, TypeVar

S = TypeVar("S", bound="Settings")
_OUTPUT = "embedforge_output"
# Where a command or run records the resolved settings it ran with, beside its output.
CONFIG_FILE = "config.json"


def setting(default: Any = dataclasses.MISSING, *, output: bool = True,
            default_factory: Any = dataclasses.MISSING) -> Any:
    """A dataclass field; ``output=False`` marks one that does not change what the stage writes."""
    return dataclasses.field(default=default, default_factory=default_factory, metadata={_OUTPUT: output})


class Settings:
    """Base of the stages' settings dataclasses (see the module docstring)."""

    # Read by pydantic when config.py validates a TOML table into a subclass: a pydantic ConfigDict,
    # written as the plain dict it is, so that a stage's settings (and `embedforge search`) never import pydantic.
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """Raise :class:`~embedforge.errors.EmbedforgeError` naming a bad value; subclasses add their checks."""

    def validate(self: S) -> S:
        """Check again (after ``dataclasses.replace`` with unchecked values) and return self."""
        self.check()
        return self

    def fingerprint(self) -> dict[str, Any]:
        """The fields that change the output (nested settings by their own fingerprint), by name."""
        values: dict[str, Any] = {}
        for item in dataclasses.fields(self):  # type: ignore[arg-type]
            if item.metadata.get(_OUTPUT, True):
                value = getattr(self, item.name)
                values[item.name] = value.fingerprint() if isinstance(value, Settings) else value
        return values
