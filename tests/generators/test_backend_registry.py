"""One class per kind of ``--llm`` spec, one registry: a toy kind added with one file's worth of code and one
``register`` shows everywhere a kind does (help, the dry run, ``prompt show``, preflight, a generation), no code
outside ``generators/backends/`` asks which kind a spec is, and the parsed spec changed no fingerprint.
"""

from __future__ import annotations

import ast
import dataclasses
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from embedforge.commands.main import main
from embedforge.corpus.record import Chunk
from embedforge.dataset.dryrun import plan_chunks
from embedforge.errors import EmbedforgeError
from embedforge.fingerprint import object_hash
from embedforge.generators import GenerationSettings, generate_questions, parse_spec
from embedforge.generators.backends import Backend, Completion, LlmSpec, Request, make_backend, register, registry
from embedforge.generators.preflight import check_generation
from embedforge.generators.retry import Verdict
from embedforge.generators.tokens import TokenCounter
from embedforge.redact import SECRET_MARK

SRC = Path(__file__).resolve().parents[2] / "src" / "embedforge"
CHUNK = Chunk.create("In 1995 the FDA approved riluzole, the first drug for amyotrophic lateral sclerosis (ALS).",
                     source="als.html", title="ALS")
TOY_KEY = "toy-key-0123456789abcdef"


class ToyBusy(Exception):
    """The toy client's own 'try again later'."""


class ToySpec(LlmSpec):
    """``toy:MODEL``: a chat model that answers from a script, with its own key, tokenizer, price and errors."""

    kind = "toy"
    usage = "toy:MODEL"
    note = "a test's own"
    chat = True
    secret_env = ("TOY_API_KEY",)

    def preflight(self, need_key: bool) -> None:
        import os

        if need_key and not os.environ.get("TOY_API_KEY"):
            raise EmbedforgeError(f"--llm {self.raw}: TOY_API_KEY is not set; export the toy key")

    def token_counter(self) -> TokenCounter:
        return TokenCounter("toy words", True, lambda text: len(text.split()))

    def price(self) -> tuple[float, float] | None:
        return (1.0, 2.0)

    def verdict(self, exc: BaseException) -> Verdict | None:
        return Verdict("toy_busy", retry=True) if isinstance(exc, ToyBusy) else None

    def backend(self, *, timeout: float = 120.0, completions: bool = False) -> Backend:
        return ToyBackend(self, completions)


class ToyBackend(Backend):
    """Busy once, then a question that echoes the key (which the runner must remove)."""

    def __init__(self, spec: LlmSpec, completions: bool) -> None:
        super().__init__(spec, completions)
        self.busy = True

    async def complete(self, request: Request) -> Completion:
        if self.busy:
            self.busy = False
            raise ToyBusy("busy")
        return Completion(f"Which drug for ALS did the FDA approve in 1995? {TOY_KEY}", 10, 12)


@pytest.fixture()
def toy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(registry, "_KINDS", dict(registry._KINDS))  # undone after the test
    register(ToySpec)  # the one registry line
    yield


def test_a_toy_kind_shows_in_help_dry_run_prompt_show_and_preflight(toy: None, capsys: Any,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert registry.llm_help().endswith(" | toy:MODEL (a test's own)")
    with pytest.raises(EmbedforgeError, match=r"use bundled, .*, vllm:MODEL or toy:MODEL$"):
        parse_spec("toy:")
    settings = GenerationSettings(llm="toy:m1", questions_per_chunk=1, greedy_prompt=None, resample=0)
    assert settings.spec == ToySpec("m1", None, "toy:m1")
    plan = plan_chunks([CHUNK], settings)
    assert (plan.llm, plan.calls, plan.tokenizer, plan.tokens_exact) == ("toy:m1", 1, "toy words", True)
    assert plan.cost_usd == round((plan.tokens_in * 1.0 + plan.max_tokens_out * 2.0) / 1e6, 6)
    assert "dry run (toy:m1)" in plan.format()
    assert main(["prompt", "show", "default", "--llm", "toy:m1"]) == 0
    shown = capsys.readouterr()
    assert " for toy:m1: chat;" in shown.err and shown.out.startswith("[system]\n")
    with pytest.raises(EmbedforgeError, match="TOY_API_KEY is not set"):
        check_generation(settings)
    check_generation(settings, need_key=False)
    monkeypatch.setenv("TOY_API_KEY", TOY_KEY)
    assert check_generation(settings) == settings.spec


def test_a_toy_kind_generates_through_its_own_errors_and_secrets(toy: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOY_API_KEY", TOY_KEY)
    settings = GenerationSettings(llm="toy:m1", questions_per_chunk=1, greedy_prompt=None, resample=0,
                                  backoff=0.0, progress=False)
    result = generate_questions([CHUNK], settings)
    assert (result.counts.llm_calls, result.counts.generated) == (2, 1)  # busy once: retried, as its verdict says
    [record] = result.records
    assert TOY_KEY not in record.raw and SECRET_MARK in record.raw
    assert result.counts.cost_usd == round((10 * 1.0 + 12 * 2.0) / 1e6, 6)


def test_the_cli_help_lists_exactly_the_registered_kinds() -> None:
    # Typer builds the help when the command module is imported, and importing the registry there would make
    # every `embedforge` command pay for importing the generators; so the help is a literal, held to the registry.
    from embedforge.commands.dataset import Llm

    assert Llm.__metadata__[0].help == f"{registry.llm_help()}. [default: bundled]"


def test_a_kind_is_registered_once() -> None:
    with pytest.raises(ValueError, match="taken"):
        register(type("Other", (LlmSpec,), {"kind": "openai", "usage": "openai:X"}))
    with pytest.raises(ValueError, match="set its kind and usage"):
        register(type("Nameless", (LlmSpec,), {}))
    with pytest.raises(EmbedforgeError, match="'bundled:x': not an LLM spec"):
        parse_spec("bundled:x")


def _kind_literals(node: ast.AST, kinds: set[str]) -> list[str]:
    """String constants (alone or in a tuple, list or set) that are a kind (``"openai"``) or start one (``"vllm:"``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        name, colon, _ = node.value.partition(":")
        return [node.value] if name in kinds and (colon or node.value == name) else []
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [value for element in node.elts for value in _kind_literals(element, kinds)]
    return []


def test_no_code_outside_the_backends_asks_which_kind_a_spec_is() -> None:
    kinds = {kind.kind for kind in registry.registered()}
    found = []
    for path in sorted(SRC.rglob("*.py")):
        where = path.relative_to(SRC).as_posix()
        if where.startswith("generators/backends/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):  # x == "openai", x in ("openai", "vllm")
                sides = [node.left, *node.comparators]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("startswith", "endswith", "removeprefix"):  # x.startswith("llamacpp:")
                sides = list(node.args)
            elif isinstance(node, ast.Assign):  # PREFIX = "llamacpp:", then x.startswith(PREFIX)
                sides = [node.value] if ":" in str(getattr(node.value, "value", "")) else []
            else:
                continue
            found += [f"{where}:{node.lineno} {value!r}" for side in sides for value in _kind_literals(side, kinds)]
    assert found == [], "ask the spec (LlmSpec in generators/backends/base.py) instead: " + ", ".join(found)


# object_hash of fingerprint() and of asdict() (what configurations record) before specs were parsed once.
FINGERPRINTS = [
    ({}, "a79da5a70459e989", "86c3abb4d0c29f1b"),
    ({"llm": "openai:gpt-4o-mini", "temperature": 0.3, "questions_per_chunk": 1}, "f4f49c84be040702",
     "b2356a840e457ce7"),
    ({"llm": "openai-compatible:qwen@http://127.0.0.1:8000/v1", "completions": True, "seed": 7},
     "98ed0add72f53ac6", "4d44787d6c0539bc"),
    ({"llm": "vllm:google/gemma-3-270m", "prompt": "multi", "greedy_prompt": ""}, "6d87cc260cd7287f",
     "4121378d96e3f59e"),
]


@pytest.mark.parametrize(("fields", "fingerprint", "recorded"), FINGERPRINTS)
def test_the_parsed_spec_changes_no_fingerprint(fields: dict[str, Any], fingerprint: str, recorded: str) -> None:
    settings = GenerationSettings(**fields)
    spec = settings.spec  # parsed, and kept on the object
    assert settings.spec is spec and spec.raw == settings.llm
    assert object_hash(settings.fingerprint()) == fingerprint
    assert object_hash(dataclasses.asdict(settings)) == recorded
    assert "spec" not in settings.fingerprint() and dataclasses.replace(settings, seed=1).spec == spec


def test_a_parsed_spec_pickles_for_ray_actors(bundled_gguf: str) -> None:
    for text in ("bundled", f"llamacpp:{bundled_gguf}", "openai:gpt-4o-mini", "vllm:google/gemma-3-270m",
                 "openai-compatible:m@http://127.0.0.1:9/v1"):
        spec = parse_spec(text)
        assert pickle.loads(pickle.dumps(spec)) == spec and spec.raw == text


def test_a_backend_redacts_the_secrets_its_kind_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0123456789")
    assert make_backend("openai:gpt-4o-mini").secrets == ("sk-test-0123456789",)
    assert make_backend("vllm:m").secrets == ()
