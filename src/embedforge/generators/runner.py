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
from embedforge.counts import FAILED, FILTERED, Counts
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
    count_filtered: Callable[[Job, str], list[str]],
) -> tuple[dict[str, Outcome], Counts]:
    """Run ``jobs``; return outcomes by key and the stats.

    ``count_filtered(job, raw)`` gives the reasons the filters drop a generation's slots
    (for the progress bar). The stats count calls: ``failed`` is failed calls by reason.

    Raises:
        EmbedforgeError: the backend cannot work at all (bad key, model, URL); pending calls are cancelled.
    """
    runner = CallRunner(backend, cache, options, count_filtered, total=len(jobs))
    try:
        todo = [job for job in jobs if not runner.serve_cached(job)]
        await runner.call_all(todo)
    finally:
        runner.bar.close()
    return runner.outcomes, runner.stats


class CallRunner:
    """The state of one round of calls: outcomes, stats and the bar, changed only by its methods.

    :func:`run_jobs` drives it with asyncio in this process; the Ray engine
    (``ray_generate.py``) with answers coming back from the cluster.
    """

    def __init__(self, backend: Backend, cache: GenerationCache, options: RunOptions,
                 count_filtered: Callable[[Job, str], list[str]], *, total: int) -> None:
        self.backend, self.cache, self.options, self.count_filtered = backend, cache, options, count_filtered
        self.bar = progress.bar(total=total, desc="questions", unit="call", show=options.progress, auto=True)
        self.stats = Counts()
        self.outcomes: dict[str, Outcome] = {}
        self.limit = asyncio.Semaphore(options.concurrency if backend.remote else 1)

    def finish(self, job: Job, outcome: Outcome) -> None:
        self.outcomes[job.key] = outcome
        if outcome.generation is not None:
            for reason in self.count_filtered(job, outcome.generation.raw):
                self.stats.add(FILTERED, reason)
        self.bar.update(1)
        self.bar.set_postfix(cached=self.stats.cached, generated=self.stats.generated,
                             filtered=self.stats.n_filtered, failed=self.stats.n_failed, refresh=False)

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
                    where=self.backend.spec.raw, secrets=self.backend.secrets, known=self.backend.spec.verdict)
            except CallFailed as exc:
                self.fail(job, exc.reason)
                return
        self.commit(job, completion.text, completion.tokens_in, completion.tokens_out)

    def fail(self, job: Job, reason: str) -> None:
        log.warning("chunk %s: LLM call failed: %s", job.request.chunk.id, reason)
        self.stats.add(FAILED, reason)
        self.finish(job, Outcome(None, reason=reason))

    def commit(self, job: Job, raw: str, tokens_in: int, tokens_out: int) -> None:
        """A new answer: into the cache at once (a kill loses nothing finished), then counted."""
        generation = self.cache.put(
            job.key, chunk_text=job.request.chunk.text, prompt_hash=job.request.prompt.hash,
            llm=self.backend.spec.raw, params=job.params,
            raw=remove_secrets(raw, self.backend.secrets),  # a server may echo the key it was sent
            tokens_in=tokens_in, tokens_out=tokens_out)
        self.stats.generated += 1
        self.stats.tokens_in += tokens_in
        self.stats.tokens_out += tokens_out
        self.finish(job, Outcome(generation))

    async def _attempt(self, job: Job) -> Any:
        self.stats.llm_calls += 1
        return await self.backend.complete(job.request)
