"""``generate_questions``: chunks in, one judged question record per (chunk, slot) out.

Steps: load the prompt, build the backend from the spec, make one cache-keyed job
per distinct chunk text, run the jobs (cache first, then the LLM), then parse and
filter every raw output in chunk order, dropping normalized duplicates of earlier
kept questions. Parsing and filtering happen after the calls, from the stored raw
output, so changing them needs no new LLM calls.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine, Sequence
from datetime import datetime, timezone
from typing import Any, TypeVar

from embedforge.corpus.record import Chunk
from embedforge.counts import FAILED, FILTERED, KEPT, Counts
from embedforge.engine import EngineSettings
from embedforge.generators.backends import Backend, Request
from embedforge.generators.cache import GenerationCache, cache_key
from embedforge.generators.examples import prompt_for
from embedforge.generators.filters import normalize, reject_reason
from embedforge.generators.parsing import parse_slots
from embedforge.generators.pricing import estimate_cost
from embedforge.generators.prompt import Prompt
from embedforge.generators.records import GenerationResult, QuestionRecord
from embedforge.generators.runner import Job, Outcome, RunOptions, run_jobs
from embedforge.generators.settings import GenerationSettings

log = logging.getLogger(__name__)
T = TypeVar("T")


def _jobs(
    chunks: Sequence[Chunk], prompt: Prompt, backend: Backend, settings: GenerationSettings, round_: int
) -> dict[str, Job]:
    """One job per chunk id (chunks with the same text share one); round > 0 samples with another seed."""
    n = settings.questions_per_chunk
    temperature = (
        settings.temperature if round_ == 0 else max(settings.temperature, settings.resample_temperature)
    )
    jobs: dict[str, Job] = {}
    for chunk in chunks:
        request = Request(prompt, chunk, n, temperature, settings.max_tokens * n, settings.seed + round_)
        params = backend.cache_params(request)
        key = cache_key(backend.render(request).digest(), backend.spec.raw, params)
        jobs.setdefault(chunk.id, Job(key, request, params))
    return jobs


def _judge(chunk: Chunk, raw: str, settings: GenerationSettings) -> list[tuple[str | None, str | None]]:
    """(candidate, reject reason or None) per slot, before duplicate detection."""
    judged = []
    for slot in parse_slots(raw, settings.questions_per_chunk):
        reason = slot.reason or reject_reason(slot.text, chunk.text, settings.min_words, settings.max_words,
                                              settings.min_topic_share)
        judged.append((slot.text, reason))
    return judged


def _needs_resample(chunk: Chunk, outcome: Outcome, settings: GenerationSettings) -> bool:
    """True when the call worked but no slot passed the filters."""
    if outcome.generation is None:
        return False
    return all(reason is not None for _, reason in _judge(chunk, outcome.generation.raw, settings))


def _records(
    chunks: Sequence[Chunk],
    jobs: dict[str, Job],
    outcomes: dict[str, Outcome],
    prompt: Prompt,
    llm: str,
    settings: GenerationSettings,
) -> list[QuestionRecord]:
    """One record per (chunk, question slot): kept, filtered (with the reason) or failed."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    seen: set[str] = set()  # normalized questions kept so far: a repeat anywhere is a duplicate
    records: list[QuestionRecord] = []
    for chunk in chunks:
        outcome = outcomes[jobs[chunk.id].key]
        base: dict[str, Any] = {"chunk_id": chunk.id, "prompt_name": prompt.name, "prompt_hash": prompt.hash,
                                "llm": llm, "cached": outcome.cached}
        if outcome.generation is None:
            records += [QuestionRecord(slot=i, question=None, status=FAILED, reason=outcome.reason, raw="",
                                       candidate=None, created_at=now, **base)
                        for i in range(settings.questions_per_chunk)]
        else:
            records += _judged_records(chunk, outcome.generation, settings, seen, base)
    return records


def _judged_records(chunk: Chunk, generation: Any, settings: GenerationSettings, seen: set[str],
                    base: dict[str, Any]) -> list[QuestionRecord]:
    """The records of one generation: each parsed question kept, or filtered with its reason."""
    records = []
    for i, (candidate, reason) in enumerate(_judge(chunk, generation.raw, settings)):
        if reason is None and normalize(candidate or "") in seen:
            reason = "duplicate"
        if reason is None:
            seen.add(normalize(candidate or ""))
        records.append(QuestionRecord(slot=i, question=candidate if reason is None else None,
                                      status=KEPT if reason is None else FILTERED, reason=reason,
                                      raw=generation.raw, candidate=candidate, created_at=generation.created_at,
                                      **base))
    return records


async def _run(jobs: list[Job], backend: Backend, cache: GenerationCache, options: RunOptions,
               count_filtered: Any, settings: GenerationSettings,
               engine: EngineSettings) -> tuple[dict[str, Outcome], Counts]:
    """The calls of one round: in this process, or as a Ray Data stage (``--engine ray``)."""
    if engine.is_ray or backend.spec.ray_only:
        from embedforge.generators.ray_generate import run_jobs_on_ray

        return await run_jobs_on_ray(jobs, backend, cache, options, count_filtered, engine, settings.completions)
    return await run_jobs(jobs, backend, cache, options, count_filtered)


def _run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to the end, also from inside a running loop (a notebook), in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, name="embedforge-generate")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


async def agenerate_questions(
    chunks: Sequence[Chunk], settings: GenerationSettings | None = None, *, engine: EngineSettings | None = None
) -> GenerationResult:
    """Async :func:`generate_questions`."""
    settings = settings or GenerationSettings()
    engine = engine or EngineSettings()
    prompt = prompt_for(settings.prompt_name(), settings.examples, chunks)
    backend = settings.spec.backend(timeout=settings.timeout, completions=settings.completions)
    options = RunOptions(
        settings.concurrency, settings.timeout, settings.max_retries, settings.backoff, settings.progress
    )

    def count_filtered(job: Job, raw: str) -> list[str]:
        return [reason for _, reason in _judge(job.request.chunk, raw, settings) if reason is not None]

    chosen: dict[str, Job] = {}
    outcomes: dict[str, Outcome] = {}
    stats = Counts()  # per call: what the runner did
    pending = list({chunk.id: chunk for chunk in chunks}.values())
    with GenerationCache(settings.cache_path()) as cache:
        for round_ in range(settings.resample + 1):
            jobs = _jobs(pending, prompt, backend, settings, round_)
            done, round_stats = await _run(list(jobs.values()), backend, cache, options, count_filtered, settings,
                                            engine)
            outcomes.update(done)
            stats = stats.merge(round_stats)
            chosen.update(jobs)
            pending = [c for c in pending if _needs_resample(c, done[jobs[c.id].key], settings)]
            if not pending:
                break
            log.info("resampling %d chunks without a kept question (round %d)", len(pending), round_ + 1)
        stats.uncached = cache.unsaved  # answers the cache could not take: kept in the records all the same
    # Per question slot: the records say what was kept, filtered or lost to a failed call.
    counts = stats.calls_only()
    counts.cost_usd = estimate_cost(backend.spec, stats.tokens_in, stats.tokens_out)
    records = _records(chunks, chosen, outcomes, prompt, backend.spec.raw, settings)
    for record in records:
        counts.add(record.status, record.reason)
    result = GenerationResult(records, counts)
    log.info("questions: %s", result.summary())
    return result


def generate_questions(
    chunks: Sequence[Chunk], settings: GenerationSettings | None = None, *, engine: EngineSettings | None = None
) -> GenerationResult:
    """Ask the LLM for questions about each chunk; parse, filter and record every slot.

    Args:
        chunks: the corpus chunks (any order; records follow it).
        settings: see :class:`GenerationSettings`; defaults: bundled LLM, default prompt, one question.
        engine: where the calls run (``local`` when None; ``ray``: docs/scale.md); the cache stays here.

    Returns:
        A :class:`GenerationResult`: ``questions_per_chunk`` records per chunk and the counts.

    Raises:
        EmbedforgeError: bad spec/prompt/cache, or a backend that cannot work (HTTP 400/401/403/404).
    """
    return _run_sync(agenerate_questions(chunks, settings, engine=engine))
