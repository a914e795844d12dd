"""Where the corpus and question stages run: here (``local``) or on a Ray cluster (``ray``).

The engine says *how* work is executed, never *what* is computed: a Ray run writes the same
``chunks.jsonl``, questions and split as a local one. So every field is ``output=False`` and
the ``[engine]`` section is in no stage key: switching engines never re-runs a stage that is up
to date. It is passed explicitly (``chunk_documents(..., engine=)``, ``generate_questions(...,
engine=)``, ``build_dataset(..., engine=)``); the CLI builds it from ``--engine``/``--ray-address``
over the configuration's ``[engine]``. Ray is imported only by :func:`connect`, i.e. only when
``kind = "ray"`` was chosen; the default install does not have it (``pip install embedforge[ray]``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from embedforge.errors import EmbedforgeError
from embedforge.settings import Settings, setting

log = logging.getLogger(__name__)
KINDS = ("local", "ray")


@dataclass(frozen=True)
class EngineSettings(Settings):
    """The ``[engine]`` table / ``--engine`` and ``--ray-address`` flags; no field changes an output.

    Attributes:
        kind: ``local`` (this process and its parsing worker) or ``ray``.
        ray_address: a running cluster (``ray://host:10001``, ``host:6379`` or ``auto``); None starts
            a private one-machine Ray for the run (``ray.init()``) and stops it afterwards.
        workers: corpus-stage parse workers (Ray actors); None = one per CPU of the cluster.
        llm_workers: generation actors (each holds one model or one HTTP client); None = 1 for an
            in-process GGUF model per CPU pair, else 1 (an HTTP client overlaps calls itself).
        llm_concurrency: LLM calls in flight per generation actor over HTTP (the in-process model
            takes one at a time); None = the generation settings' ``concurrency``.
        gpus_per_llm_worker: GPUs per vLLM engine actor (``vllm:MODEL`` specs).
    """

    kind: str = setting("local", output=False)
    ray_address: str | None = setting(None, output=False)
    workers: int | None = setting(None, output=False)
    llm_workers: int | None = setting(None, output=False)
    llm_concurrency: int | None = setting(None, output=False)
    gpus_per_llm_worker: float = setting(1.0, output=False)

    def check(self) -> None:
        if self.kind not in KINDS:
            raise EmbedforgeError(f"kind {self.kind!r}: unknown engine; kind is local or ray")
        for name in ("workers", "llm_workers", "llm_concurrency"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise EmbedforgeError(f"{name} {value!r}: must be a count >= 1 (or left out)")
        if not self.gpus_per_llm_worker > 0:
            raise EmbedforgeError(f"gpus_per_llm_worker {self.gpus_per_llm_worker!r}: must be > 0, e.g. 1")

    @property
    def is_ray(self) -> bool:
        return self.kind == "ray"


def engine_from_flags(engine: str | None, ray_address: str | None,
                      base: EngineSettings | None = None) -> EngineSettings:
    """``--engine`` / ``--ray-address`` over ``base`` (the configuration's ``[engine]``); an address implies ray.

    Raises:
        EmbedforgeError: an unknown engine kind, named after ``--engine``.
    """
    changes: dict[str, Any] = {}
    if engine is not None:
        changes["kind"] = engine
    if ray_address is not None:
        changes["ray_address"] = ray_address
        changes["kind"] = engine or "ray"
    try:
        return dataclasses.replace(base or EngineSettings(), **changes)
    except EmbedforgeError as exc:
        raise EmbedforgeError(f"--engine {exc}") from exc


@contextlib.contextmanager
def connect(settings: EngineSettings) -> Iterator[Any]:
    """The ``ray`` module, connected to the cluster of ``settings``, for the enclosed block.

    Joins ``ray_address`` (or, without one, starts a private one-machine Ray) on first use and
    stays connected until this process exits (Ray shuts itself down then), so the corpus stage and
    the question passes of one command share one connection. Raises EmbedforgeError when Ray is not
    installed or the cluster cannot be reached.
    """
    try:
        import ray
    except ImportError as exc:
        raise EmbedforgeError("--engine ray: Ray is not installed; pip install 'embedforge[ray]'") from exc
    if not ray.is_initialized():
        private: dict[str, Any] = {} if settings.ray_address else {"include_dashboard": False}
        try:
            ray.init(address=settings.ray_address, logging_level=logging.WARNING, log_to_driver=False,
                     configure_logging=False, **private)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise EmbedforgeError(f"--ray-address {settings.ray_address}: cannot connect to Ray ({exc}); "
                                  "start it with `ray start --head` or check the address") from exc
        log.info("ray: connected (%s), resources %s", settings.ray_address or "private", ray.cluster_resources())
    _quiet_data(ray)
    yield ray


def _quiet_data(ray: Any) -> None:
    """Ray Data's progress bars and per-operator logs off: embedforge draws its own bar."""
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    context.verbose_stats_logs = False
