"""GPU check (issue 37): ``embedforge train`` and ``compare`` on CUDA, in one command shaped for the GPU machine.

    bash gpu-bundle/check.sh                   # on the GPU machine: install the bundle, run this (<= 6 min)
    python benchmarks/gpu_check.py --smoke     # the same code on the CPU at toy sizes (< 2 min), in make test

The GPU machine has no network, no LLM and no documents, and gets the checkout plus the
``gpu-bundle/`` folder (``make gpu-bundle``): the wheels the image lacks and a random-weight
model of snowflake-arctic-embed-l's architecture at reduced width (``gpu_model.py``). Data is
generated (``gpu_data.py``). Every step runs the ``embedforge`` command line (its console
script's entry point, all in this one process so torch is imported once; peak GPU memory per command):

1. Training: one epoch in bf16 and one in fp32 on the same pairs (batch 32, every Matryoshka
   dim of the model): samples/s, peak GPU memory, final training loss. The two losses must agree
   within ``LOSS_TOLERANCE`` (relative). Then two epochs with a dev split and checkpoints kept;
   the run is cut back to its first epoch's checkpoint and ``--resume`` finishes it: the resumed
   second epoch's loss must match the uninterrupted one within ``RESUME_TOLERANCE``, and the dev
   metrics must cover every dim.
2. Compare: the corpus pass (``compare``'s encode seconds) on CUDA over 50,000 chunks and on the
   CPU over a 2,000-chunk slice, in chunks/s; the slice's metrics on CUDA and on the CPU must agree
   to ``METRIC_TOLERANCE``.

It writes ``gpu_check.json`` (``gpu_check_smoke.json`` with ``--smoke``) into ``--out`` and prints
a table; it exits 1 when a check fails. ``--smoke`` trains on the CPU (bf16 by CPU autocast) and runs
every command behind ``gpu_image.FENCE``: only what the GPU image and the bundle hold can be imported.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from gpu_image import FENCE, FENCE_ENV, fenced_modules
from gpu_steps import (
    LOSS_TOLERANCE,
    METRIC_TOLERANCE,
    RESUME_TOLERANCE,
    SIZES,
    compare_step,
    make_data,
    resume_step,
    train_step,
)
from harness import OUT, REPO, machine, print_table

log = logging.getLogger("gpu_check")
QUIET = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
         "EMBEDFORGE_QUIET": "1", "TQDM_DISABLE": "1"}


def embedforge(args: list[str]) -> dict[str, Any]:
    """Run ``embedforge ARGS`` in this process through the console script's entry point.

    One process for every command: the imports (torch, transformers: 10-20 s on a busy CPU) are
    paid once. Returns the command's stdout, wall seconds and peak GPU memory (None on the CPU).

    Raises:
        RuntimeError: the command exited non-zero (its error line is on stderr).
    """
    import torch

    from embedforge.commands.main import main as cli_main

    on_gpu = torch.cuda.is_available() and "cpu" not in args
    if on_gpu:
        gc.collect()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    buffer = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(buffer):
        code = cli_main(args)
    wall = round(time.perf_counter() - started, 2)
    if code != 0:
        raise RuntimeError(f"embedforge {' '.join(args)}: exit {code}")
    log.info("embedforge %s: %.1f s", args[0], wall)
    peak = torch.cuda.max_memory_allocated() if on_gpu else None
    return {"stdout": buffer.getvalue(), "wall_s": wall, "peak_gpu_bytes": peak}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="toy sizes on the CPU, behind the import fence")
    parser.add_argument("--bundle", type=Path, default=REPO / "gpu-bundle", help="the folder `make gpu-bundle` wrote")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for gpu_check.json")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    import torch

    if not args.smoke and not torch.cuda.is_available():
        raise SystemExit("no CUDA GPU visible: this check is for the GPU machine; --smoke runs it on the CPU")
    os.environ.update(QUIET)
    work = Path(tempfile.mkdtemp(prefix="gpu-check-", dir=args.work))
    device, sizes = ("cpu", SIZES["smoke"]) if args.smoke else ("cuda", SIZES["full"])
    model = _model(args, work)
    fence = _fence() if args.smoke else {}
    data = make_data(work, model, sizes)
    checks: list[dict[str, Any]] = []
    training = train_step(embedforge, data, model, device, sizes, checks)
    resume = resume_step(embedforge, data, model, device, sizes, checks)
    compare = compare_step(embedforge, data, training["fp32"]["model_dir"], device, sizes, checks)
    result = {"device": torch.cuda.get_device_name(0) if device == "cuda" else "cpu", "smoke": args.smoke,
              "sizes": sizes.__dict__, "model": str(model), "fence": fence, "training": training,
              "resume": resume, "compare": compare, "checks": checks, "machine": machine(),
              "tolerances": {"loss": LOSS_TOLERANCE, "resume": RESUME_TOLERANCE, "metrics": METRIC_TOLERANCE}}
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / ("gpu_check_smoke.json" if args.smoke else "gpu_check.json")
    path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print_table([[c["check"], c["value"], c["limit"], "ok" if c["ok"] else "FAILED"] for c in checks],
                ["check", "measured", "limit", "verdict"])
    print(f"wrote {path}")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if all(c["ok"] for c in checks) else 1


def _fence() -> dict[str, list[str]]:
    """Shut out, from here on, every module that neither the GPU image nor the bundle has (``gpu_image``).

    Modules imported before (the smoke model's builder reads the MiniLM package) stay loaded; they are listed.
    """
    fenced = fenced_modules()
    os.environ[FENCE_ENV] = ",".join(fenced)
    exec(FENCE, {})
    loaded = sorted({name.partition(".")[0] for name in sys.modules} & set(fenced))
    return {"fenced": fenced, "loaded_before": loaded}


def _model(args: argparse.Namespace, work: Path) -> Path:
    """The bundle's model on the GPU machine; a tiny one of the same architecture, built here, for --smoke."""
    if args.smoke:
        from gpu_model import build_model

        return build_model(work / "model", "tiny")
    model = args.bundle / "model"
    if not (model / "modules.json").is_file():
        raise SystemExit(f"{model}: no model; run `make gpu-bundle` and carry gpu-bundle/ beside the checkout")
    return model.resolve()


if __name__ == "__main__":
    sys.exit(main())
