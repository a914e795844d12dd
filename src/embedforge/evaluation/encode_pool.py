"""When compare spreads the corpus pass over several processes, and the pool that does it.

A large corpus is the one slow part of ``compare``. sentence-transformers encodes with
one process per device through ``start_multi_process_pool``; a pool pays a start-up
(each process imports torch and receives the model) that a small corpus never earns
back, so the pool is used only from ``pool_min_chunks`` chunks on (the crossover
measured in BENCHMARKS.md §10), and by default only on a machine with several GPUs (on
CPU cores a pool gains ~5% per chunk over one process's threads: not worth a default).
``device = "cuda:0,cuda:1"`` (or ``"cpu,cpu"``) asks for a pool explicitly.

CPU workers are started with one thread each, so two workers on two cores do not run
four threads between them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)

# The corpus size from which a pool beats one process: ~27,000 chunks measured on 2 CPU cores
# (BENCHMARKS.md §10: the pool's start-up is ~13 s). Not yet measured on GPUs.
DEFAULT_POOL_MIN_CHUNKS = 25_000


def pool_devices(device: str | None, n_chunks: int, min_chunks: int) -> list[str] | None:
    """The devices of a pool for a corpus of ``n_chunks``, or None to encode in this process.

    Args:
        device: the ``compare.device`` setting: None (automatic), one device, or a comma-separated list.
        n_chunks: the corpus size.
        min_chunks: the automatic pool's threshold; 0 turns the automatic pool off.

    A list of two or more devices is always a pool (the user asked for it). With no device,
    every GPU gets a process when there are two or more and the corpus has ``min_chunks``.

    >>> pool_devices("cpu,cpu", 10, 20_000)
    ['cpu', 'cpu']
    >>> pool_devices("cuda", 10**6, 20_000) is None
    True
    """
    if device is not None:
        devices = [part.strip() for part in device.split(",") if part.strip()]
        return devices if len(devices) > 1 else None
    if min_chunks <= 0 or n_chunks < min_chunks:
        return None
    import torch

    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    return [f"cuda:{i}" for i in range(count)] if count > 1 else None


def single_device(device: str | None) -> str | None:
    """The device to load the model on: the setting itself, or the CPU when it names a pool."""
    return "cpu" if device is not None and "," in device else device


@contextmanager
def encode_pool(model: Any, devices: list[str] | None) -> Iterator[Any]:
    """A started sentence-transformers pool on ``devices`` (None: no pool), stopped on exit."""
    if devices is None:
        yield None
        return
    log.info("encoding with a pool of %d processes on %s", len(devices), ", ".join(devices))
    saved = os.environ.get("OMP_NUM_THREADS")
    if all(d == "cpu" for d in devices):
        # Read by each spawned worker as torch starts; restored at once, so this process keeps its threads.
        os.environ["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // len(devices)))
    try:
        pool = model.start_multi_process_pool(target_devices=devices)
    finally:
        if saved is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = saved
    try:
        yield pool
    finally:
        model.stop_multi_process_pool(pool)
