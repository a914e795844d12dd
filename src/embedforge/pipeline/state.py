"""``runs/<name>/state.json``: what each stage read, whether it finished, and what it wrote.

Per stage: ``input`` (its key, :meth:`embedforge.pipeline.stages.Stage.key`), ``finished``, ``output``
(the hash of its content files) and ``seconds``. :mod:`embedforge.pipeline.execute` skips a stage
whose recorded key matches, that finished, and whose output is present.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embedforge.files import write_json

log = logging.getLogger(__name__)


@dataclass
class StageContext:
    """What a run knows while its stages run: the document files and the recorded state."""

    files: list[Path] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)


def read_state(run_dir: Path) -> dict[str, Any]:
    """The recorded state, or {} (every stage runs) when there is none or it cannot be read."""
    path = run_dir / "state.json"
    if not path.is_file():
        return {}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        log.warning("%s: unreadable, every stage will run", path)
        return {}
    return state if isinstance(state, dict) else {}


def write_state(run_dir: Path, state: dict[str, Any]) -> None:
    write_json(run_dir / "state.json", state)
