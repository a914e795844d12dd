"""Matryoshka dimensions: checking them, and fitting the default to the model.

The reference trained at 768,512,256,128,64. A model whose output is smaller
(all-MiniLM-L6-v2 gives 384) cannot serve 768 or 512, so the default becomes the
model's own size plus the listed dims below it, said in one log line; an explicit
list the model cannot serve is a one-line error. Where the model folder says its
output size in its config files, that check runs before any weights are loaded.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from embedforge.errors import EmbedforgeError

log = logging.getLogger(__name__)

DEFAULT_DIMS = (768, 512, 256, 128, 64)


def check_dims(dims: Sequence[Any]) -> tuple[int, ...]:
    """Return ``dims`` as a tuple after checking it is a strictly descending list of positive integers.

    Raises:
        EmbedforgeError: empty, not integers, not positive, or not strictly descending.
    """
    values = tuple(dims)
    text = ",".join(str(v) for v in values)
    if not values:
        raise EmbedforgeError("--dims: empty list; give descending positive integers, e.g. 384,256,128,64")
    if any(isinstance(v, bool) or not isinstance(v, int) for v in values):
        raise EmbedforgeError(f"--dims {text}: not all integers; give descending integers, e.g. 384,256,128")
    if any(v < 1 for v in values):
        raise EmbedforgeError(f"--dims {text}: dims must be positive; e.g. 384,256,128,64")
    if any(a <= b for a, b in itertools.pairwise(values)):
        raise EmbedforgeError(f"--dims {text}: must be strictly descending, e.g. 384,256,128,64")
    return values


def resolve_dims(requested: tuple[int, ...] | None, model_dim: int, model_name: str) -> tuple[int, ...]:
    """The dims to train: ``requested`` if the model can serve them, else the fitted default.

    Raises:
        EmbedforgeError: an explicit dim larger than the model's output size.
    """
    if requested is not None:
        too_big = [d for d in requested if d > model_dim]
        if too_big:
            raise EmbedforgeError(
                f"--dims {','.join(map(str, requested))}: {model_name} outputs {model_dim} dims, "
                f"so it cannot serve {too_big[0]}; use dims of at most {model_dim}"
            )
        return requested
    if model_dim >= DEFAULT_DIMS[0]:
        return DEFAULT_DIMS
    dims = (model_dim, *(d for d in DEFAULT_DIMS if d < model_dim))
    log.info(
        "%s outputs %d dims, fewer than the default %d: training at %s",
        model_name, model_dim, DEFAULT_DIMS[0], ",".join(map(str, dims)),
    )
    return dims


def output_dim_from_files(folder: str | Path) -> int | None:
    """The embedding size a model folder declares in its config files, or None when it does not say.

    Reads ``modules.json`` and the last Dense or Pooling module's config (a plain transformers
    folder: ``hidden_size`` in ``config.json``); never loads weights.
    """
    root = Path(folder)
    modules_file = root / "modules.json"
    try:
        if modules_file.is_file():
            modules = json.loads(modules_file.read_text(encoding="utf-8"))
            for module in reversed(modules):
                kind = str(module.get("type", ""))
                config = _read_json(root / module.get("path", "") / "config.json")
                if kind.endswith("Dense") and isinstance(config.get("out_features"), int):
                    return int(config["out_features"])
                if kind.endswith("Pooling") and isinstance(config.get("word_embedding_dimension"), int):
                    modes = [k for k, v in config.items() if k.startswith("pooling_mode_") and v is True]
                    # Several pooling modes concatenate; only a single mode gives the plain size.
                    return int(config["word_embedding_dimension"]) if len(modes) == 1 else None
            return None
        hidden = _read_json(root / "config.json").get("hidden_size")
        return int(hidden) if isinstance(hidden, int) else None
    except (OSError, ValueError, AttributeError):
        return None


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}
