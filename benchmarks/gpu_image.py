"""What the GPU machine's image holds, what the bundle adds, and a fence that makes this machine look like it.

The GPU image has Python 3.12 and ``IMAGE_ROOTS`` (torch with CUDA, sentence-transformers,
transformers, accelerate, peft, numpy, pandas, pyarrow) with their dependencies, and no network.
``requirements/gpu-bundle.txt`` lists, pinned, the wheels ``make gpu-bundle`` adds: what
``embedforge train``, ``embedforge compare`` and ``benchmarks/gpu_check.py`` import beyond the image.

``--smoke`` proves that list is enough without a GPU machine: it runs every ``embedforge``
command behind :data:`FENCE`, which refuses to import any installed package that is neither
in the image (the roots and their dependencies, read from this environment's metadata) nor
in the bundle. llama-cpp-python, langchain, Ray, trafilatura and the bundled models' packages
are all fenced off, so an import of one of them on the train or compare path fails the smoke
run here instead of on the GPU machine. The image's exact versions differ a little from this
environment's (sentence-transformers 6.0.1, transformers 5.17 there); their dependencies are
read from the versions installed here.

    python benchmarks/gpu_image.py   # prints what the fence shuts out and what the bundle adds
"""

from __future__ import annotations

import importlib.metadata as md
import re
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parent.parent
BUNDLE_REQUIREMENTS = REPO / "requirements" / "gpu-bundle.txt"
IMAGE_ROOTS = ("torch", "sentence-transformers", "transformers", "accelerate", "peft", "numpy", "pandas", "pyarrow")
FENCE_ENV = "EMBEDFORGE_GPU_FENCE"
# Python run first in a fenced child: the path finder, wrapped so the modules named in FENCE_ENV are not
# found at all (``importlib.util.find_spec`` gives None, ``import`` raises ModuleNotFoundError), as when absent.
FENCE = f"""
import importlib.machinery, os, sys
class _Fence:
    names = frozenset(filter(None, os.environ.get({FENCE_ENV!r}, "").split(",")))
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name.partition(".")[0] in cls.names:
            return None
        return importlib.machinery.PathFinder.find_spec(name, path, target)
    @classmethod
    def invalidate_caches(cls):
        importlib.machinery.PathFinder.invalidate_caches()
    @classmethod
    def find_distributions(cls, *args, **kwargs):
        return importlib.machinery.PathFinder.find_distributions(*args, **kwargs)
sys.meta_path[:] = [_Fence if f is importlib.machinery.PathFinder else f for f in sys.meta_path]
"""


def canonical(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def bundle_requirements() -> list[str]:
    """The pinned requirement lines of ``requirements/gpu-bundle.txt`` (comments dropped)."""
    lines = BUNDLE_REQUIREMENTS.read_text(encoding="utf-8").splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def image_distributions() -> set[str]:
    """The image's roots and everything they require (no extras), by this environment's metadata."""
    seen: set[str] = set()
    todo = list(IMAGE_ROOTS)
    while todo:
        name = canonical(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = md.distribution(name).requires or []
        except md.PackageNotFoundError:
            continue  # e.g. peft, not installed here: nothing of it can be imported either
        for line in requires:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen


def fenced_modules() -> list[str]:
    """Top-level modules of installed distributions that are neither on the image nor in the bundle."""
    allowed = image_distributions() | {canonical(Requirement(r).name) for r in bundle_requirements()}
    allowed.add("embedforge")
    fenced = set()
    for module, dists in md.packages_distributions().items():
        if module.startswith("_") or not module.isidentifier():
            continue
        if not any(canonical(d) in allowed for d in dists):
            fenced.add(module)
    return sorted(fenced)


def main() -> None:
    import logging

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    log = logging.getLogger("gpu_image")
    log.info("image: %s", " ".join(sorted(image_distributions())))
    log.info("bundle: %s", " ".join(bundle_requirements()))
    log.info("fenced: %s", " ".join(fenced_modules()))


if __name__ == "__main__":
    main()
