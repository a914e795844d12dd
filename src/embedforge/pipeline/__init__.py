"""The run layer: a recipe (``RunConfig``, from TOML) run stage by stage into ``runs/<name>/``,
redoing only what changed.

It sits on top of the five stage packages and below the commands; nothing under it imports a command.

- ``config.py`` (with ``config_keys``, ``config_paths``, ``config_errors``): the TOML file -> ``RunConfig``;
- ``stages.py``: the four stages, each declared once (sections, upstream, output, run function, inputs);
- ``stage_runs.py``: what running each stage means for a run folder;
- ``state.py``: ``state.json``, each finished stage's key and output hash;
- ``checks.py``: the one preflight of ``run`` and ``run --dry-run``;
- ``execute.py``: :func:`run`, the loop over the stages;
- ``report.py``: the closing lines of a run.

Names load on first use, so ``import embedforge.pipeline.config`` loads neither the stages nor torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from embedforge.lazy import lazy_getattr

if TYPE_CHECKING:
    from embedforge.pipeline.config import RunConfig, load_config
    from embedforge.pipeline.execute import RunResult, run

_LAZY = {"run": "embedforge.pipeline.execute", "RunResult": "embedforge.pipeline.execute",
         "RunConfig": "embedforge.pipeline.config", "load_config": "embedforge.pipeline.config"}

__all__ = ["RunConfig", "RunResult", "load_config", "run"]


__getattr__ = lazy_getattr(__name__, _LAZY)
