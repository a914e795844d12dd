"""The LLM calls of the question stage as a Ray Data stage (``--engine ray``).

Same contract as :func:`embedforge.generators.runner.run_jobs`: the cache is read on the
driver first, so only uncached calls go to the cluster; the rest become rows of a Ray Data
``map_batches`` run by a pool of actors, and every answer is written to the cache on the
driver as its block arrives, so a killed driver loses only the calls in flight (at most one
block per actor, and the blocks Ray Data had finished but not yet handed over).

Actors by spec: an in-process GGUF model (``bundled``, ``llamacpp:``) is loaded once per
actor and answers one call at a time (one row per block); an HTTP backend (``openai:``,
``openai-compatible:``) keeps ``llm_concurrency`` async calls in flight per actor; ``vllm:MODEL``
runs vLLM engines on GPU workers through ``ray.data.llm`` (:mod:`.ray_vllm`).

Why the one SQLite file stays on the driver: the workers only compute; one writer means no
lock contention and no network file system under SQLite (whose locking is unsafe on NFS), the
cache file needs no shared storage, and "what is done" is exactly "what the driver committed".
Answers are small (a few hundred bytes), so shipping them to the driver costs nothing next to
the call. A store that survives many writers (Postgres, Redis) would only pay off if the driver's
single commit per answer became the bottleneck, at thousands of answers per second.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
from collections.abc import Callable
from typing import Any

from embedforge.counts import Counts
from embedforge.engine import EngineSettings, connect
from embedforge.errors import EmbedforgeError
from embedforge.generators.backends import Backend, LlmSpec
from embedforge.generators.cache import GenerationCache
from embedforge.generators.retry import CallFailed, call_with_retries
from embedforge.generators.runner import CallRunner, Job, Outcome, RunOptions
from embedforge.redact import remove_secrets

log = logging.getLogger(__name__)


class LlmActor:
    """A Ray Data actor: one backend (one loaded model, or one HTTP client), kept for the actor's life."""

    def __init__(self, spec: LlmSpec, timeout: float, completions: bool, options: RunOptions, concurrency: int) -> None:
        self.backend = spec.backend(timeout=timeout, completions=completions)
        self.options = options
        self.concurrency = concurrency if self.backend.remote else 1

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        requests = [pickle.loads(blob) for blob in batch["request"]]
        answers = asyncio.run(self._all(requests))
        columns: dict[str, list[Any]] = {name: [] for name in ("key", "raw", "tokens_in", "tokens_out", "calls",
                                                                "reason", "fatal")}
        for key, answer in zip(batch["key"], answers, strict=True):
            columns["key"].append(str(key))
            for name in ("raw", "tokens_in", "tokens_out", "calls", "reason", "fatal"):
                columns[name].append(answer[name])
        return columns

    async def _all(self, requests: list[Any]) -> list[dict[str, Any]]:
        limit = asyncio.Semaphore(self.concurrency)
        return list(await asyncio.gather(*(self._one(request, limit) for request in requests)))

    async def _one(self, request: Any, limit: asyncio.Semaphore) -> dict[str, Any]:
        answer: dict[str, Any] = {"raw": "", "tokens_in": 0, "tokens_out": 0, "calls": 0, "reason": "", "fatal": ""}
        backend = self.backend

        async def attempt():  # type: ignore[no-untyped-def]
            answer["calls"] += 1
            return await backend.complete(request)

        async with limit:
            try:
                completion = await call_with_retries(
                    attempt, max_retries=self.options.max_retries, backoff=self.options.backoff,
                    timeout=self.options.timeout if backend.remote else None, where=backend.spec.raw,
                    secrets=backend.secrets, known=backend.spec.verdict)
            except CallFailed as exc:
                answer["reason"] = exc.reason
                return answer
            except EmbedforgeError as exc:  # the whole run cannot succeed: the driver raises it
                answer["fatal"] = str(exc)
                return answer
        answer.update(raw=remove_secrets(completion.text, backend.secrets), tokens_in=completion.tokens_in,
                      tokens_out=completion.tokens_out)
        return answer


async def run_jobs_on_ray(jobs: list[Job], backend: Backend, cache: GenerationCache, options: RunOptions,
                          count_filtered: Callable[[Job, str], list[str]], engine: EngineSettings,
                          completions: bool = False) -> tuple[dict[str, Outcome], Counts]:
    """Run ``jobs`` on Ray; outcomes by key and the stats, as :func:`~embedforge.generators.runner.run_jobs`.

    Raises:
        EmbedforgeError: Ray missing or unreachable, or the backend cannot work at all (bad key, model, URL).
    """
    runner = CallRunner(backend, cache, options, count_filtered, total=len(jobs))
    by_key = {job.key: job for job in jobs}
    try:
        # The cache first, on the driver: only uncached calls go to the cluster.
        todo = [job for job in jobs if not runner.serve_cached(job)]
        if todo:
            with connect(engine) as ray:
                for row in _answers(ray, todo, backend, options, engine, completions):
                    _record(row, by_key[str(row["key"])], runner)
    finally:
        runner.bar.close()
    return runner.outcomes, runner.stats


def _answers(ray: Any, todo: list[Job], backend: Backend, options: RunOptions, engine: EngineSettings,
             completions: bool) -> Any:
    """The rows of answers, as Ray Data hands them over (any order)."""
    own = backend.ray_answers(ray, todo, engine)  # a kind with its own Ray stage (vllm:)
    if own is not None:
        return own
    per_actor = (engine.llm_concurrency or options.concurrency) if backend.remote else 1
    workers = engine.llm_workers or (1 if backend.remote else max(1, int(ray.cluster_resources().get("CPU", 1)) // 2))
    rows = [{"key": job.key, "request": pickle.dumps(job.request, protocol=pickle.HIGHEST_PROTOCOL)} for job in todo]
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = False
    dataset = ray.data.from_items(rows, override_num_blocks=max(1, -(-len(rows) // per_actor))).map_batches(
        LlmActor, fn_constructor_args=(backend.spec, options.timeout, completions, options, per_actor),
        batch_size=per_actor, compute=ray.data.ActorPoolStrategy(size=min(workers, len(rows))),
        num_cpus=0 if backend.remote else 1)
    return dataset.iter_rows()


def _record(row: dict[str, Any], job: Job, runner: CallRunner) -> None:
    """One answer from the cluster: committed to the cache at once, or counted as failed."""
    if row["fatal"]:
        raise EmbedforgeError(str(row["fatal"]))
    runner.stats.llm_calls += int(row["calls"])
    if row["reason"]:
        runner.fail(job, str(row["reason"]))
    else:
        runner.commit(job, str(row["raw"]), int(row["tokens_in"]), int(row["tokens_out"]))
