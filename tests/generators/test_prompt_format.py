"""One prompt format for every backend: each field reaches completion and chat models; the hash is what is sent."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from embedforge.commands.main import main
from embedforge.corpus.record import Chunk
from embedforge.errors import EmbedforgeError
from embedforge.generators import load_prompt, plan_generation
from embedforge.generators.backends import Backend, Request, make_backend
from embedforge.generators.preflight import check_generation
from embedforge.generators.settings import GenerationSettings

DEFAULT = (resources.files("embedforge.generators") / "prompts" / "default.toml").read_text(encoding="utf-8")
CHUNK = Chunk.create("Riluzole was the first drug approved to treat ALS; it reduces glutamate levels.",
                     source="als.html", title="ALS", section="Treatment")
EDITS = {  # field -> (old, new) in default.toml
    "instruction": ("that a reader could type into a search engine", "that a patient's relative would type"),
    "example question": ("how do bees tell each other where the flowers are?",
                         "My bees dance on the comb: where is the food?"),
    "example context": ("Recruits then fly out and search that area.", "Recruits then fly out."),
    "template": ('Passage: """{context}"""', 'Text: """{context}"""'),
}


def backends(bundled_gguf: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Backend]:
    """One real backend object of every kind (none is called: rendering needs no model)."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-used")
    url = "openai-compatible:m@http://127.0.0.1:9/v1"
    return {"bundled": make_backend("bundled"), "llamacpp": make_backend(f"llamacpp:{bundled_gguf}"),
            "server --completions": make_backend(url, completions=True), "server chat": make_backend(url),
            "openai": make_backend("openai:gpt-4o-mini")}


def rendered(backend: Backend, path: Path) -> str:
    """What ``backend`` sends for CHUNK with the prompt file ``path``, as text (messages under their roles)."""
    return backend.render(Request(load_prompt(str(path)), CHUNK, 1, 0.0, 64, 0)).show()


@pytest.mark.parametrize("field", list(EDITS))
def test_each_field_edit_reaches_every_backend(field: str, tmp_path: Path, bundled_gguf: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = EDITS[field]
    assert old in DEFAULT
    (tmp_path / "a.toml").write_text(DEFAULT, encoding="utf-8")
    (tmp_path / "b.toml").write_text(DEFAULT.replace(old, new, 1), encoding="utf-8")
    kinds = backends(bundled_gguf, monkeypatch)
    assert {b.mode for b in kinds.values()} == {"completion", "chat"}
    for kind, backend in kinds.items():
        before, after = rendered(backend, tmp_path / "a.toml"), rendered(backend, tmp_path / "b.toml")
        assert before != after, f"editing the {field} did not change what {kind} receives"
        assert new.split("{")[0] in after and new.split("{")[0] not in before


def test_completion_text_holds_the_instruction() -> None:
    prompt = load_prompt("multi")
    text = prompt.completion_text(CHUNK.text, CHUNK.title, "", 3)
    assert text.startswith(prompt.instruction_text(3)) and "followed by 3 different questions" in text


def test_files_that_render_alike_have_one_hash(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(DEFAULT, encoding="utf-8")
    renamed = re.sub(r"(?m)^#.*\n", "", DEFAULT).replace('name = "default"', 'name = "mine"  # a copy', 1)
    (tmp_path / "b.toml").write_text(renamed, encoding="utf-8")
    a, b = load_prompt(str(tmp_path / "a.toml")), load_prompt(str(tmp_path / "b.toml"))
    assert a.name != b.name and a.hash == b.hash == load_prompt("default").hash


@pytest.mark.parametrize(("text", "field"), [
    ('instructions = "typo"\n', "instructions"),
    ('header = "Questions:"\n', "header"),
])
def test_a_field_no_backend_uses_is_an_error_naming_it(text: str, field: str, tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(text + DEFAULT, encoding="utf-8")
    with pytest.raises(EmbedforgeError, match=rf"p\.toml: {field}: "):
        load_prompt(str(path))
    path.write_text(DEFAULT.replace("[[examples]]\n", '[[examples]]\ntitel = "x"\n', 1), encoding="utf-8")
    with pytest.raises(EmbedforgeError, match=r"examples\[0\]\.titel: unknown"):
        load_prompt(str(path))
    # A title the template does not show would reach no backend.
    path.write_text(DEFAULT.replace("[[examples]]\n", '[[examples]]\ntitle = "Bees"\n', 1), encoding="utf-8")
    with pytest.raises(EmbedforgeError, match=r"examples\[0\]\.title: the template does not use \{title\}"):
        load_prompt(str(path))
    shown = DEFAULT.replace("[[examples]]\n", '[[examples]]\ntitle = "Bees"\n', 1).replace(
        "Passage: \"\"\"{context}", "Passage from {title}: \"\"\"{context}", 1)
    path.write_text(shown, encoding="utf-8")
    assert "Passage from Bees:" in load_prompt(str(path)).completion_text("Some text.", "Doc")


def test_more_stops_than_openai_takes_is_an_error_for_openai_only(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.toml"
    path.write_text(DEFAULT.replace('stop = ["\\n", \'"""\']', 'stop = ["\\n", "a", "b", "c", "d"]', 1),
                    encoding="utf-8")
    assert len(load_prompt(str(path)).stop) == 5
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-used")
    check_generation(GenerationSettings(prompt=str(path), greedy_prompt=None))
    with pytest.raises(EmbedforgeError, match="stop: 5 stop sequences"):
        check_generation(GenerationSettings(llm="openai:gpt-4o-mini", prompt=str(path), greedy_prompt=None))


def test_prompt_show_prints_what_each_backend_receives(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chunk = tmp_path / "chunk.txt"
    chunk.write_text("Riluzole was the first drug approved to treat ALS.", encoding="utf-8")
    instruction = load_prompt("default").instruction_text(1)
    assert main(["prompt", "show", "default", "--chunk", str(chunk)]) == 0
    completion = capsys.readouterr().out
    assert instruction in completion and completion.rstrip().endswith('treat ALS."""\nQuestion:')
    assert main(["prompt", "show", "default", "--llm", "openai:gpt-4o-mini", "--chunk", str(chunk)]) == 0
    chat = capsys.readouterr().out
    assert chat.startswith(f"[system]\n{instruction}") and chat.count("[assistant]") == 4


def test_prompt_show_and_the_dry_run_render_in_the_mode_the_backend_sends(bundled_gguf: str,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    kinds = {**backends(bundled_gguf, monkeypatch), "vllm": make_backend("vllm:Qwen/Qwen2.5-0.5B-Instruct")}
    for kind, backend in kinds.items():
        completions = kind == "server --completions"
        assert backend.spec.mode(completions) == backend.mode, kind
    settings = GenerationSettings(llm="vllm:Qwen/Qwen2.5-0.5B-Instruct", greedy_prompt=None, resample=0)
    plan = plan_generation([CHUNK], settings)  # the dry run keys and counts what vLLM is sent: a completion text
    backend = kinds["vllm"]
    sent = backend.render(Request(load_prompt(settings.prompt_name()), CHUNK, settings.questions_per_chunk,
                                  settings.temperature, settings.max_tokens, settings.seed))
    assert sent.mode == "completion" and plan.tokens_in == backend.spec.token_counter().count(sent)
