"""``manifest.json``: what made a dataset folder, so a reader can trust or redo it.

It records the resolved configuration (with every secret scrubbed), the versions
of the packages that shaped the output, the sha256 of every input, and the
counts (chunks, LLM calls, cache hits, questions, filtered by reason, failed,
tokens and estimated cost as the generator reports them). Only ``created_at``
and the per-run counters (LLM calls, cache hits, tokens, cost) change between two
identical runs; everything else is equal bytes.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from embedforge.fingerprint import file_hash
from embedforge.redact import SCRUBBED as SCRUBBED  # re-exported for readers of manifests
from embedforge.redact import is_secret_name as is_secret_name
from embedforge.redact import scrub

MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1
PACKAGES = (
    "embedforge",
    "sentence-transformers",
    "transformers",
    "torch",
    "langchain-core",
    "langchain-openai",
    "llama-cpp-python",
    "pypdf",
    "beautifulsoup4",
    "pyarrow",
)
def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str]:
    """Installed version of each package; packages not installed are left out."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def file_hashes(files: Iterable[str | os.PathLike[str]]) -> dict[str, str]:
    """sha256 of each file (imported data files; documents go through ``corpus.source_hashes``); missing: ``""``."""
    return dict(sorted((str(f), file_hash(str(f)) if Path(f).is_file() else "") for f in files))


def build_manifest(
    *,
    kind: str,
    configuration: Any,
    inputs: dict[str, Any],
    counts: dict[str, Any],
    created_at: str | None = None,
    bias: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The manifest as a dict, ready for ``files.write_json``.

    Args:
        kind: ``build``, ``regenerate`` or ``import``.
        configuration: the resolved settings (dataclasses or dicts); secrets are scrubbed.
        inputs: input name -> sha256 (documents, ``chunks.jsonl``, imported files, the parent dataset).
        counts: the run's counts (see :class:`DatasetSummary` and the generator's counts).
        created_at: ISO time of the run; now (UTC) when None.
        bias: the questions' lexical overlap and BM25 vs the base embedder on dev (``dataset/bias.py``).
    """
    return {
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "configuration": scrub(configuration),
        "versions": package_versions(),
        "inputs": scrub(inputs),
        "counts": scrub(counts),
        **({"lexical_bias": bias} if bias else {}),
        "created_at": created_at or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
