"""The dry run: the LLM calls a generation would make, what the cache answers, tokens and cost, no call made.

:func:`plan_generation` walks exactly the jobs :func:`generate.agenerate_questions`
would run (same rendering, same cache keys), asks the cache for each, and counts the
input tokens of the rest with the backend's tokenizer (``tokens.py``). A cached answer
is judged as the real run judges it, so a cached chunk that the run would resample is
followed into its next round; an uncached chunk might be resampled too (if every
question it gets is filtered), which no dry run can know: ``resample_max`` is the most
such calls. The cache file is only read, and not created when absent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from embedforge.corpus.record import Chunk
from embedforge.generators.backends.base import Backend, Completion, LlmSpec, Request
from embedforge.generators.cache import GenerationCache
from embedforge.generators.examples import prompt_for
from embedforge.generators.generate import _jobs, _needs_resample
from embedforge.generators.pricing import estimate_cost
from embedforge.generators.runner import Outcome
from embedforge.generators.settings import GenerationSettings
from embedforge.generators.tokens import TokenCounter


@dataclass
class CallPlan:
    """What a run would do. ``calls`` and ``tokens_in`` compare with the manifest's ``llm_calls``/``tokens_in``."""

    llm: str
    calls: int = 0
    cached: int = 0
    tokens_in: int = 0
    max_tokens_out: int = 0
    resample_max: int = 0
    resample_tokens_max: int = 0
    resample_tokens_out_max: int = 0
    tokenizer: str = ""
    tokens_exact: bool = True
    cost_usd: float | None = None

    def add(self, other: CallPlan) -> None:
        """Add another pass (the greedy pass of a dataset) into this plan."""
        for name in ("calls", "cached", "tokens_in", "max_tokens_out", "resample_max", "resample_tokens_max",
                     "resample_tokens_out_max"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.tokens_exact = self.tokens_exact and other.tokens_exact
        if self.cost_usd is not None and other.cost_usd is not None:
            self.cost_usd = round(self.cost_usd + other.cost_usd, 6)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def format(self) -> str:
        """A few lines for the CLI."""
        tokens = "tokens" if self.tokens_exact else "tokens (estimated)"
        lines = [f"dry run ({self.llm}): {self.calls} LLM calls to make, {self.cached} answered by the cache",
                 f"input: {self.tokens_in} {tokens}, counted with {self.tokenizer}; "
                 f"output: at most {self.max_tokens_out} tokens"]
        if self.resample_max:
            lines.append(f"up to {self.resample_max} more calls ({self.resample_tokens_max} input tokens) if some "
                         "chunks' questions are all filtered (resampling: the same text again, another seed)")
        if self.cost_usd is not None:
            more = f", the {self.resample_max} resampling calls included" if self.resample_max else ""
            lines.append(f"cost: at most ${self.cost_usd:.4f} (input at its price, output at most max tokens{more})")
        return "\n".join(lines)


class _DryBackend(Backend):
    """Renders and keys calls as the real backend of ``spec`` would; never calls anything."""

    def __init__(self, spec: LlmSpec, completions: bool) -> None:
        super().__init__(spec, completions)

    async def complete(self, request: Request) -> Completion:  # pragma: no cover - never called
        raise RuntimeError("a dry run makes no LLM call")


def plan_generation(
    chunks: Sequence[Chunk], settings: GenerationSettings, counter: TokenCounter | None = None
) -> CallPlan:
    """The calls :func:`generate_questions` would make for ``chunks`` with ``settings``, without making them.

    ``counter`` re-uses a loaded tokenizer across passes (default: the spec's, ``LlmSpec.token_counter``).

    Raises:
        EmbedforgeError: a bad spec, prompt or cache file.
    """
    spec = settings.spec
    counter = counter or spec.token_counter()
    backend = _DryBackend(spec, settings.completions)
    prompt = prompt_for(settings.prompt_name(), settings.examples, chunks)
    plan = CallPlan(spec.raw, tokenizer=counter.name, tokens_exact=counter.exact)
    pending = list({chunk.id: chunk for chunk in chunks}.values())
    path = settings.cache_path()
    cache = GenerationCache(path) if Path(path).is_file() else None
    try:
        for round_ in range(settings.resample + 1):
            jobs = _jobs(pending, prompt, backend, settings, round_)
            resample = []
            for chunk in pending:
                job = jobs[chunk.id]
                hit = cache.get(job.key) if cache is not None else None
                if hit is None:
                    tokens = counter.count(backend.render(job.request))
                    plan.calls += 1
                    plan.tokens_in += tokens
                    plan.max_tokens_out += job.request.max_tokens
                    plan.resample_max += settings.resample - round_
                    plan.resample_tokens_max += tokens * (settings.resample - round_)
                    plan.resample_tokens_out_max += job.request.max_tokens * (settings.resample - round_)
                    continue
                plan.cached += 1
                if _needs_resample(chunk, Outcome(hit, cached=True), settings):
                    resample.append(chunk)
            pending = resample
            if not pending:
                break
    finally:
        if cache is not None:
            cache.close()
    # The ceiling: every call that may be made (resampling included), each output at its most.
    plan.cost_usd = estimate_cost(spec, plan.tokens_in + plan.resample_tokens_max,
                                  plan.max_tokens_out + plan.resample_tokens_out_max)
    return plan
