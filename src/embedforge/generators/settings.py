"""Settings of the question-generation stage.

One dataclass the CLI, ``config.py`` and the tests fill in. Every field that
changes what the LLM writes (llm, prompt, questions per chunk, temperature,
max tokens, seed, completions) is part of the cache key; the others
(concurrency, timeout, retries, filter bounds, cache file) are not, so
changing them re-uses cached generations.

``llm`` stays the string the user wrote (it is what the fingerprint and the cache keys
hold); :attr:`GenerationSettings.spec` is it parsed, once per settings object, and every
step after takes that.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from embedforge.environment import llm_cache_file
from embedforge.errors import EmbedforgeError
from embedforge.generators.backends.base import LlmSpec
from embedforge.generators.backends.registry import parse_spec
from embedforge.settings import Settings, setting


def default_cache_path() -> Path:
    """``$EMBEDFORGE_CACHE``, else ``~/.cache/embedforge/llm.sqlite`` (XDG_CACHE_HOME honoured)."""
    return llm_cache_file()


@dataclass
class GenerationSettings(Settings):
    """How questions are generated.

    Attributes:
        llm: an LLM spec, e.g. ``bundled`` or ``openai:MODEL``; ``backends/registry.py`` holds every kind
            (``--llm``'s help lists them all), and :attr:`spec` is it parsed.
        prompt: packaged prompt name or a TOML file path; None = ``default`` (or ``multi`` when
            ``questions_per_chunk`` > 1).
        questions_per_chunk: questions asked of each chunk (sampled at ``temperature``); the default
            recipe asks 5 and adds the greedy ``default`` question (``greedy_prompt``).
        concurrency: LLM calls in flight (the in-process model serialises anyway).
        timeout: seconds per LLM call.
        max_retries: retries after the first try, on timeouts, dropped connections, 429 and 5xx.
        backoff: first retry delay in seconds, doubled each retry (Retry-After wins when given).
        temperature, max_tokens, seed: sampling; temperature 0 is greedy (0.8 draws distinct questions).
        resample: extra calls for a chunk none of whose questions was kept (not for failed calls),
            sampled with ``resample_temperature`` and seed+1, seed+2...: small models often recover.
        examples: a file of the user's own example questions (``generators/examples.py``): few-shot
            examples in every prompt, and natural dev questions where they name their answer; None: none.
        greedy_prompt: each chunk is also asked one question with this prompt at temperature 0,
            beside the sampled ones (done by the dataset stage); None or "" turns it off.
        completions: use the completions API (base models) with ``openai-compatible``.
        cache: SQLite cache file; None = :func:`default_cache_path`.
        min_words, max_words: bounds of a kept question.
        min_topic_share: share of a question's content words that must occur in its chunk, else it is
            dropped as ``off_topic``; people's own questions share about a quarter (BENCHMARKS.md §8).
        progress: show a tqdm bar.
    """

    llm: str = "bundled"
    prompt: str | None = None
    questions_per_chunk: int = 5
    concurrency: int = setting(4, output=False)
    timeout: float = setting(120.0, output=False)
    max_retries: int = setting(4, output=False)
    backoff: float = setting(1.0, output=False)
    temperature: float = 0.8
    max_tokens: int = 64
    seed: int = 0
    completions: bool = False
    greedy_prompt: str | None = "default"
    examples: str | None = None
    resample: int = 2
    resample_temperature: float = 0.8
    cache: str | None = setting(None, output=False)
    min_words: int = 4
    max_words: int = 40
    min_topic_share: float = 0.5
    progress: bool = setting(True, output=False)

    def __post_init__(self) -> None:
        if self.greedy_prompt == "":  # TOML has no None: an empty string turns the greedy pass off
            self.greedy_prompt = None
        super().__post_init__()

    def check(self) -> None:
        checks = [
            (self.questions_per_chunk >= 1, "questions_per_chunk", "use 1 or more"),
            (self.concurrency >= 1, "concurrency", "use 1 or more"),
            (self.timeout > 0, "timeout", "use a positive number of seconds"),
            (self.max_retries >= 0, "max_retries", "use 0 or more"),
            (self.resample >= 0, "resample", "use 0 or more"),
            (self.backoff >= 0, "backoff", "use 0 or more seconds"),
            (0 <= self.temperature <= 2, "temperature", "use a value in [0, 2]"),
            (self.max_tokens >= 8, "max_tokens", "use 8 or more"),
            (0.0 <= self.min_topic_share <= 1.0, "min_topic_share", "use a share in [0, 1]"),
            (
                1 <= self.min_words <= self.max_words,
                "min_words/max_words",
                "need 1 <= min_words <= max_words",
            ),
        ]
        for ok, name, fix in checks:
            if not ok:
                value = f"{self.min_words}/{self.max_words}" if "/" in name else repr(getattr(self, name))
                raise EmbedforgeError(f"{name} {value}: invalid; {fix}")

    @functools.cached_property
    def spec(self) -> LlmSpec:
        """``llm`` parsed into its kind's spec, on first use (so a bad one fails where it did: preflight).

        Not a field: the fingerprint and everything written hold ``llm`` as written.

        Raises:
            EmbedforgeError: a malformed spec, or a .gguf file that does not exist.
        """
        return parse_spec(self.llm)

    def cache_path(self) -> Path:
        return Path(self.cache).expanduser() if self.cache else default_cache_path()

    def prompt_name(self) -> str:
        if self.prompt:
            return self.prompt
        return "default" if self.questions_per_chunk == 1 else "multi"
