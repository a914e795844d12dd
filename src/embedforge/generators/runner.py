"""The async runner: each distinct LLM call once, from the cache or the backend.

Calls run concurrently up to ``concurrency`` (the in-process model takes one at a
time anyway), each through the one retry layer, and every finished generation is
committed to the cache at once, so killing the process loses nothing finished. A
tqdm bar shows cached, generated, filtered and failed counts as calls finish.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from tqdm.auto import tqdm

from embedforge.generators.backends.base import Backend, Request
from embedforge.generators.cache import CachedGeneration, GenerationCache
from embedforge.generators.retry import CallFailed, call_with_retries
from embedforge.verbosity import bars_disabled

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
    stats, outcomes = RunStats(), {}
    bar = tqdm(total=len(jobs), desc="questions", unit="call", disable=bars_disabled(not options.progress))

    def finish(job: Job, outcome: Outcome) -> None:
        outcomes[job.key] = outcome
        if outcome.generation is not None:
            stats.filtered += count_filtered(job, outcome.generation.raw)
        bar.update(1)
        bar.set_postfix(
            cached=stats.cached,
            generated=stats.generated,
            filtered=stats.filtered,
            failed=stats.failed,
            refresh=False,
        )

    for job in jobs:
        hit = cache.get(job.key)
        if hit is not None:
            stats.cached += 1
            finish(job, Outcome(hit, cached=True))
    todo = [job for job in jobs if job.key not in outcomes]
    limit = asyncio.Semaphore(options.concurrency if backend.remote else 1)

    async def attempt(job: Job):  # type: ignore[no-untyped-def]
        stats.llm_calls += 1
        return await backend.complete(job.request)

    async def one(job: Job) -> None:
        async with limit:
            try:
                completion = await call_with_retries(
                    lambda: attempt(job),
                    max_retries=options.max_retries,
                    backoff=options.backoff,
                    timeout=options.timeout if backend.remote else None,
                    where=backend.spec.raw,
                    secrets=backend.secrets,
                )
            except CallFailed as exc:
                log.warning("chunk %s: LLM call failed: %s", job.request.chunk.id, exc)
                stats.failed += 1
                finish(job, Outcome(None, reason=exc.reason))
                return
        generation = cache.put(
            job.key,
            chunk_text=job.request.chunk.text,
            prompt_hash=job.request.prompt.hash,
            llm=backend.spec.raw,
            params=job.params,
            raw=completion.text,
            tokens_in=completion.tokens_in,
            tokens_out=completion.tokens_out,
        )
        stats.generated += 1
        stats.tokens_in += completion.tokens_in
        stats.tokens_out += completion.tokens_out
        finish(job, Outcome(generation))

    tasks = [asyncio.ensure_future(one(job)) for job in todo]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        bar.close()
    return outcomes, stats
