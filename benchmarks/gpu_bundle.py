"""``make gpu-bundle``: the folder the GPU machine needs beside the checkout, at most 60 MiB.

The GPU machine has no network and receives the working tree plus at most 64 MiB of carried
(git-ignored) files. Its image has Python 3.12, torch (CUDA), sentence-transformers,
transformers, accelerate, peft, numpy, pandas and pyarrow, but nothing else embedforge needs
(``gpu_image.py``). The bundle holds:

    wheels/         the wheels of requirements/gpu-bundle.txt (Python 3.12, manylinux x86-64, no
                    dependencies resolved: the image has the rest) and embedforge's own wheel
    model/          a random-weight sentence-transformers model of snowflake-arctic-embed-l's
                    architecture at reduced width (gpu_model.py, SHAPES["bundle"])
    install.sh      pip install --no-index --no-deps of every wheel into a folder put on PYTHONPATH
    check.sh        install.sh, then benchmarks/gpu_check.py on the checkout's src/: the one command there
    manifest.json   every file and its size

It exits 1 (and says so) when the folder would exceed ``--max-mib``.

    python benchmarks/gpu_bundle.py --out gpu-bundle [--pip-cache DIR] [--max-mib 60]
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from gpu_image import BUNDLE_REQUIREMENTS, REPO

log = logging.getLogger("gpu_bundle")
MAX_MIB = 60
PYTHON_VERSION = "3.12"
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux1_x86_64")
INSTALL = """#!/usr/bin/env bash
# Install embedforge and the wheels the GPU image lacks into TARGET (no network, no dependency
# resolution: the image has the rest); put TARGET on PYTHONPATH to use it. Prints TARGET.
#   bash gpu-bundle/install.sh [TARGET]     (default: ${TMPDIR:-/tmp}/embedforge-gpu)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="${1:-${TMPDIR:-/tmp}/embedforge-gpu}"
PIP_BREAK_SYSTEM_PACKAGES=1 "${PYTHON:-python3}" -m pip install --quiet --disable-pip-version-check \\
    --no-index --find-links "$here/wheels" --no-deps --upgrade --target "$target" "$here"/wheels/*.whl
echo "$target"
"""
CHECK = """#!/usr/bin/env bash
# The GPU check in one command, run from the checkout's root with this folder beside it:
#   bash gpu-bundle/check.sh [gpu_check.py options]      (writes $OUT/gpu_check.json, else benchmarks/out/)
# The checkout's src/ comes first on PYTHONPATH: the code checked is the tree's, even when it is newer
# than the embedforge wheel in this bundle.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="$(bash "$here/install.sh" "${TMPDIR:-/tmp}/embedforge-gpu")"
export PYTHONPATH="$PWD/src:$target${PYTHONPATH:+:$PYTHONPATH}"
exec "${PYTHON:-python3}" benchmarks/gpu_check.py --bundle "$here" --out "${OUT:-benchmarks/out}" "$@"
"""


def download_wheels(wheels: Path, pip_cache: Path | None, python_version: str = PYTHON_VERSION) -> None:
    """The pinned wheels of ``requirements/gpu-bundle.txt`` for CPython 3.12 on manylinux x86-64, no dependencies."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
               "--python-version", python_version, "--implementation", "cp",
               *(arg for platform in PLATFORMS for arg in ("--platform", platform)),
               "-r", str(BUNDLE_REQUIREMENTS), "-d", str(wheels)]
    if pip_cache is not None:
        command += ["--cache-dir", str(pip_cache)]
    subprocess.run(command, check=True)


def build_embedforge_wheel(wheels: Path) -> None:
    """embedforge's own wheel, built from a copy of the checkout's sources (the checkout stays untouched)."""
    with tempfile.TemporaryDirectory(prefix="embedforge-wheel-") as tmp:
        source = Path(tmp) / "src-tree"
        source.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copyfile(REPO / name, source / name)
        shutil.copytree(REPO / "src", source / "src",
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"))
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                        "--wheel-dir", str(wheels), str(source)], check=True)


def write_scripts(out: Path) -> None:
    for name, text in (("install.sh", INSTALL), ("check.sh", CHECK)):
        (out / name).write_text(text, encoding="utf-8")
        (out / name).chmod(0o755)


def manifest(out: Path) -> dict[str, object]:
    """Every file under ``out`` with its size, and the total in MiB."""
    files = {str(p.relative_to(out)): p.stat().st_size for p in sorted(out.rglob("*")) if p.is_file()}
    return {"files": files, "total_mib": round(sum(files.values()) / 2**20, 2)}


def build(out: Path, pip_cache: Path | None, max_mib: float, python_version: str = PYTHON_VERSION
          ) -> dict[str, object]:
    """Write the bundle into ``out`` (emptied first); return its manifest. SystemExit when over ``max_mib``."""
    from gpu_model import build_model

    if out.exists() and any(out.iterdir()):
        if not (out / "manifest.json").is_file():
            raise SystemExit(f"{out}: not empty and not a bundle (no manifest.json); choose another --out")
        shutil.rmtree(out)
    wheels = out / "wheels"
    wheels.mkdir(parents=True)
    download_wheels(wheels, pip_cache, python_version)
    build_embedforge_wheel(wheels)
    build_model(out / "model", "bundle")
    write_scripts(out)
    listing = manifest(out)
    (out / "manifest.json").write_text(json.dumps(listing, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    total = float(listing["total_mib"])  # type: ignore[arg-type]
    log.info("%s: %.1f MiB (limit %s MiB), %d wheels", out, total, max_mib, len(list(wheels.glob("*.whl"))))
    if total > max_mib:
        raise SystemExit(f"{out}: {total:.1f} MiB, over the {max_mib} MiB the GPU machine's carry allows; "
                         "shrink requirements/gpu-bundle.txt or the model's shape")
    return listing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "gpu-bundle")
    parser.add_argument("--pip-cache", type=Path, default=None, help="pip's download cache (default: pip's own)")
    parser.add_argument("--max-mib", type=float, default=MAX_MIB)
    parser.add_argument("--python-version", default=PYTHON_VERSION,
                        help="the GPU image's Python (another one only to try the scripts on this machine)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    build(args.out, args.pip_cache, args.max_mib, args.python_version)


if __name__ == "__main__":
    main()
