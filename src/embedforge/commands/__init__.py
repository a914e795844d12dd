"""The CLI's commands, one module per stage; importing this package registers them on ``embedforge.commands.main.app``."""

from __future__ import annotations

from embedforge.commands import compare, corpus, dataset, dataset_show, extract, prompt, push, run, search, train

__all__ = ["compare", "corpus", "dataset", "dataset_show", "extract", "prompt", "push", "run", "search", "train"]
