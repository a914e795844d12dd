"""The async runner: each distinct LLM call once, from the cache or the backend.

Calls run concurrently up to ``concurrency`` (the in-process model takes one at a
time anyway), each through the one retry layer, and every finished generation is
committed to the cache at once, so killing the process loses nothing finished. Known
secret values (the API key) are removed from every answer before it is cached. A
tqdm bar shows cached, generated, filtered and failed counts as calls finish.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from embedforge import progress
from embedforge.generators.backends.base import Backend, Request
from embedforge.generators.cache import CachedGeneration, GenerationCache
from embedforge.generators.retry import CallFailed, call_with_retries
from embedforge.redact import remove_secrets

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """One distinct LLM call, identified by its cache ``key``."""

    key: str
    request: Request
    params: dict[str, object]


@dataclass(frozen=True)
class Outcome:
    """A job's end: a generation (``cached`` or new), or a failure ``reason``."""

    generation: CachedGeneration | None
    cached: bool = False
    reason: str | None = None


@dataclass
class RunStats:
    llm_calls: int = 0
    cached: int = 0
    generated: int = 0
    filtered: int = 0
    failed: int = 0
    tokens_in: int = 0
    tokens_out: int = 0

    def merge(self, other: RunStats) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class RunOptions:
    concurrency: int
    timeout: float
    max_retries: int
    backoff: float
    progress: bool


async def run_jobs(
    jobs: list[Job],
    backend: Backend,
    cache: GenerationCache,
    options: RunOptions,
    count_filtered: Callable[[Job, str], int],
) -> tuple[dict[str, Outcome], RunStats]:
    """Run ``jobs``; return outcomes by key and the stats.

    ``count_filtered(job, raw)`` says how many of a generation's slots the filters
    drop (for the progress bar only).

    Raises:
        EmbedforgeError: the backend cannot work at all (bad key, model, URL); pending calls are cancelled.
    """
    runner = _Runner(backend, cache, options, count_filtered,
                     progress.bar(total=len(jobs), desc="questions", unit="call", show=options.progress, auto=True))
    try:
        todo = [job for job in jobs if not runner.serve_cached(job)]
        await runner.call_all(todo)
    finally:
        runner.bar.close()
    return runner.outcomes, runner.stats


class _Runner:
    """The state of one :func:`run_jobs`: outcomes, stats and the bar, changed only by its methods."""

    def __init__(self, backend: Backend, cache: GenerationCache, options: RunOptions,
                 count_filtered: Callable[[Job, str], int], bar: Any) -> None:
        self.backend, self.cache, self.options, self.count_filtered, self.bar = \
            backend, cache, options, count_filtered, bar
        self.stats = RunStats()
        self.outcomes: dict[str, Outcome] = {}
        self.limit = asyncio.Semaphore(options.concurrency if backend.remote else 1)

    def finish(self, job: Job, outcome: Outcome) -> None:
        self.outcomes[job.key] = outcome
        if outcome.generation is not None:
            self.stats.filtered += self.count_filtered(job, outcome.generation.raw)
        self.bar.update(1)
        self.bar.set_postfix(cached=self.stats.cached, generated=self.stats.generated,
                             filtered=self.stats.filtered, failed=self.stats.failed, refresh=False)

    def serve_cached(self, job: Job) -> bool:
        """Finish ``job`` from the cache if it holds the answer; True when it did."""
        hit = self.cache.get(job.key)
        if hit is None:
            return False
        # Scrubbed again: a cache written before secrets were removed may hold one.
        self.stats.cached += 1
        self.finish(job, Outcome(dataclasses.replace(hit, raw=remove_secrets(hit.raw, self.backend.secrets)),
                                 cached=True))
        return True

    async def call_all(self, todo: list[Job]) -> None:
        tasks = [asyncio.ensure_future(self.call(job)) for job in todo]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def call(self, job: Job) -> None:
        """One job through the retry layer; its answer is committed to the cache as soon as it arrives."""
        async with self.limit:
            try:
                completion = await call_with_retries(
                    lambda: self._attempt(job), max_retries=self.options.max_retries,
                    backoff=self.options.backoff, timeout=self.options.timeout if self.backend.remote else None,
                    where=self.backend.spec.raw, secrets=self.backend.secrets)
            except CallFailed as exc:
                log.warning("chunk %s: LLM call failed: %s", job.request.chunk.id, exc)
                self.stats.failed += 1
                self.finish(job, Outcome(None, reason=exc.reason))
                return
        generation = self.cache.put(
            job.key, chunk_text=job.request.chunk.text, prompt_hash=job.request.prompt.hash,
            llm=self.backend.spec.raw, params=job.params,
            raw=remove_secrets(completion.text, self.backend.secrets),  # a server may echo the key it was sent
            tokens_in=completion.tokens_in, tokens_out=completion.tokens_out)
        self.stats.generated += 1
        self.stats.tokens_in += completion.tokens_in
        self.stats.tokens_out += completion.tokens_out
        self.finish(job, Outcome(generation))

    async def _attempt(self, job: Job) -> Any:
        self.stats.llm_calls += 1
        return await self.backend.complete(job.request)
