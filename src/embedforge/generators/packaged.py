"""The prompts shipped with embedforge (``generators/prompts/*.toml``): their names, what each asks, their text.

``embedforge prompt list`` shows them and ``embedforge prompt copy NAME FILE`` writes one out
to edit, so a user never needs Python to find a packaged prompt's file.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from embedforge.errors import EmbedforgeError
from embedforge.generators.prompt import Prompt, load_prompt


@dataclass(frozen=True)
class PackagedPrompt:
    """One packaged prompt: its name, its first comment line (what it is for) and its file's text."""

    name: str
    summary: str
    text: str


def asks_several(prompt: Prompt) -> bool:
    """True for a prompt that asks for several questions in one call (its text uses ``{n}``)."""
    return "{n}" in prompt.instruction or "{n}" in prompt.template


def packaged_prompts() -> list[PackagedPrompt]:
    """Every packaged prompt, by name."""
    folder = resources.files("embedforge.generators") / "prompts"
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            text = entry.read_text(encoding="utf-8")
            comment = next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#")), "")
            found.append(PackagedPrompt(entry.name.removesuffix(".toml"), comment, text))
    return found


def packaged_prompt(name: str) -> PackagedPrompt:
    """The packaged prompt ``name``.

    Raises:
        EmbedforgeError: no packaged prompt has that name.
    """
    prompts = {p.name: p for p in packaged_prompts()}
    if name not in prompts:
        raise EmbedforgeError(f"prompt copy {name}: no such packaged prompt; choose one of {', '.join(prompts)}")
    return prompts[name]


def describe(entry: PackagedPrompt) -> str:
    """One line for ``prompt list``: name, questions a call, what it is for."""
    several = asks_several(load_prompt(entry.name))
    return f"{entry.name:<10} {'several questions a call' if several else 'one question a call':<25} {entry.summary}"
