"""The GPU check cannot rot: its smoke run passes on the CPU, and ``make gpu-bundle`` fits the GPU machine's carry.

No GPU here: ``benchmarks/gpu_check.py --smoke`` runs the same steps on the CPU at toy sizes,
behind the fence that shuts out every package neither the GPU image nor the bundle has
(so a new import of llama_cpp, langchain or Ray on the train or compare path fails here).
``make gpu-bundle`` downloads its wheels from PyPI; pip's downloads are cached under pytest's
temporary root, so a rerun downloads nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # trains and encodes with a (tiny, random) model

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO / "benchmarks"
MAX_MIB = 60


def test_smoke_run_passes_every_check(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(BENCHMARKS / "gpu_check.py"), "--smoke", "--out", str(tmp_path),
                             "--work", str(tmp_path)], capture_output=True, text=True, timeout=900, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((tmp_path / "gpu_check_smoke.json").read_text(encoding="utf-8"))
    assert report["checks"] and all(check["ok"] for check in report["checks"]), report["checks"]
    assert {"llama_cpp", "langchain_core", "ray", "trafilatura"} <= set(report["fence"]["fenced"])
    assert "llama_cpp" not in report["fence"]["loaded_before"]
    training = report["training"]
    assert training["bf16"]["epochs"] == training["fp32"]["epochs"] == 1
    assert report["resume"]["epochs"] == [1.0, 2.0] and report["resume"]["dims"] == [128, 64]
    assert report["compare"]["big"]["chunks_per_s"] > 0 and report["compare"]["slice-cpu"]["chunks_per_s"] > 0
    assert "verdict" in result.stdout and "FAILED" not in result.stdout


def test_make_gpu_bundle_fits_the_carry(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    bundle = tmp_path / "gpu-bundle"
    pip_cache = tmp_path_factory.getbasetemp().parent / "gpu-bundle-pip-cache"
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    # -o: take the virtualenv as up to date (the suite runs inside it); never rebuild it from a test.
    result = subprocess.run(["make", "-C", str(REPO), "-o", ".venv/.installed", "gpu-bundle",
                             f"GPU_BUNDLE={bundle}", f"GPU_BUNDLE_PIP_CACHE={pip_cache}"],
                            capture_output=True, text=True, timeout=900, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    total = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file()) / 2**20
    assert total <= MAX_MIB and manifest["total_mib"] <= MAX_MIB, total
    wheels = sorted(p.name for p in (bundle / "wheels").glob("*.whl"))
    assert any(name.startswith("embedforge-") for name in wheels)
    assert not any(name.startswith(("llama_cpp", "torch-", "langchain")) for name in wheels), wheels
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from gpu_image import bundle_requirements, canonical
    finally:
        sys.path.remove(str(BENCHMARKS))
    shipped = {canonical(name.split("-")[0]) for name in wheels}
    assert {canonical(r.split("==")[0]) for r in bundle_requirements()} <= shipped, wheels
    config = json.loads((bundle / "model" / "config.json").read_text(encoding="utf-8"))
    assert (config["num_hidden_layers"], config["hidden_size"]) == (24, 128)  # arctic-embed-l's depth, reduced width
    assert (bundle / "model" / "model.safetensors").is_file() and os.access(bundle / "check.sh", os.X_OK)
    python312 = _python312()
    if python312:  # install.sh works for the image's Python: every wheel installs with --no-index
        target = tmp_path / "target"
        install = subprocess.run(["bash", str(bundle / "install.sh"), str(target)], capture_output=True, text=True,
                                 timeout=600, env={**env, "PYTHON": python312})
        assert install.returncode == 0, install.stderr[-3000:]
        # Only packages that need nothing from the image import here (this Python has no typing_extensions).
        probe = subprocess.run([python312, "-c", "import embedforge, click"],
                               capture_output=True, text=True, env={**env, "PYTHONPATH": str(target)})
        assert probe.returncode == 0, probe.stderr[-3000:]
        assert (target / "embedforge" / "commands" / "main.py").is_file()
        assert list(target.glob("pydantic_core/*cpython-312*.so"))


def _python312() -> str | None:
    """A working CPython 3.12 (the GPU image's version) on this machine, if there is one."""
    found = [shutil.which("python3.12"), *map(str, sorted(Path.home().glob(".pyenv/versions/3.12*/bin/python3.12")))]
    for candidate in filter(None, found):
        if subprocess.run([candidate, "-c", "pass"], capture_output=True).returncode == 0:
            return candidate
    return None
