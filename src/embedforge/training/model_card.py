"""The saved model's card: sentence-transformers' own, plus what embedforge knows.

sentence-transformers writes ``README.md`` (architecture, loss, hyper-parameters,
training logs, and samples of the training text); ``hub_card`` replaces it with a Hub card
(its body kept only when asked). Its "embedforge training" section says the base
model SPEC, the dataset folder and its size, the losses and dims, the query prompt,
every setting, which split chose what, and the per-dim dev metrics of the saved model.
``selection.json`` beside it says the same for programs (``compare`` puts it in its report).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embedforge.files import atomic_write_text, write_json
from embedforge.training.interpolation import AlphaChoice
from embedforge.training.publish import CARD_FILE

SELECTION_FILE = "selection.json"

METRICS = ("ndcg@10", "mrr@10", "map@100", "accuracy@1", "recall@10")


@dataclass
class CardFacts:
    """What the card section reports."""

    base_model: str
    dataset_dir: str
    dataset_fingerprint: str
    train_rows: int
    dev_queries: int
    corpus_chunks: int
    loss: str
    dims: tuple[int, ...]
    query_prompt: str
    settings: dict[str, Any]
    best_epoch: float | None
    metrics: dict[int, dict[str, float]]
    alpha: AlphaChoice
    dev_label: str = ""  # which set chose (dataset/natural.py), e.g. "dev (generated)"


def selection(facts: CardFacts) -> dict[str, Any]:
    """Which split chose what: the checkpoint and the interpolation weight (never the eval split)."""
    return {
        "checkpoint": {"epoch": facts.best_epoch, "chosen_by": _checkpoint_chooser(facts)},
        "alpha": {"value": facts.alpha.alpha, "chosen_by": facts.alpha.chosen_by,
                  "dev_scores": {str(a): round(v, 6) for a, v in facts.alpha.scores.items()}},
        "dev_queries": facts.dev_queries,
        "chosen_on": f"{facts.dev_queries} {facts.dev_label} questions" if facts.dev_queries else "nothing",
        "rule": facts.settings.get("choose_on", "natural"),
        "eval_split_used": False,
    }


def _checkpoint_chooser(facts: CardFacts) -> str:
    if facts.settings.get("epochs") == 1:
        return "nothing (one epoch trained)"
    return "dev" if facts.dev_queries else "rule (last epoch, no dev split)"


def _selection_lines(facts: CardFacts) -> list[str]:
    chooser = _checkpoint_chooser(facts)
    chose = f"the {facts.dev_queries} {facts.dev_label or 'dev'} questions"
    point = (f"chosen on {chose} by mean ndcg@10 over the dims"
             if chooser == "dev" else f"chosen by {chooser}")
    alpha = facts.alpha
    how = {"dev": f"chosen on {chose} from {', '.join(f'{a:g}' for a in alpha.scores)}",
           "setting": "set by the `alpha` setting", "rule": "set by rule (no dev split)"}[alpha.chosen_by]
    return [
        f"- **Checkpoint:** epoch {facts.best_epoch}, {point}",
        f"- **Interpolation toward the base (WiSE-FT):** alpha {alpha.alpha:g}, {how}",
        "- **Eval split:** not read by training; it is scored once, by `embedforge compare`",
    ]


def card_section(facts: CardFacts) -> str:
    """The markdown section for ``facts``."""
    inner = "MultipleNegativesRankingLoss"
    if facts.loss == "cached-mnrl":
        inner = "Cached" + inner
    lines = [
        "## embedforge training",
        "",
        f"- **Base model:** `{facts.base_model}`",
        f"- **Dataset:** `{facts.dataset_dir}` (fingerprint `{facts.dataset_fingerprint}`): "
        f"{facts.train_rows} train rows, {facts.dev_queries} dev questions, "
        f"retrieval over all {facts.corpus_chunks} chunks",
        f"- **Loss:** MatryoshkaLoss over {inner}, dims {', '.join(map(str, facts.dims))}; "
        "no-duplicates batch sampler",
        f"- **Query prompt:** {repr(facts.query_prompt) if facts.query_prompt else 'none'}",
        *_selection_lines(facts),
        "",
        "### Dev metrics of this model, by dimension",
        "",
        "| dim | " + " | ".join(METRICS) + " |",
        "|---:|" + "---:|" * len(METRICS),
    ]
    for dim, values in facts.metrics.items():
        lines.append(f"| {dim} | " + " | ".join(_fmt(values.get(m)) for m in METRICS) + " |")
    lines += ["", "### Settings", ""]
    lines += [f"- `{key}`: `{value!r}`" for key, value in sorted(facts.settings.items())]
    lines += ["", "Load it with `SentenceTransformer(path)`; pass `truncate_dim=` any dim above.", ""]
    return "\n".join(lines)


def append_card_section(model_dir: Path, facts: CardFacts, card_examples: bool = False) -> None:
    """Rewrite ``model_dir/README.md`` as a Hub card (``hub_card``) with this section; write ``selection.json``.

    sentence-transformers' own card (it quotes the training documents) is kept only with ``card_examples``.
    """
    from embedforge.training.hub_card import render_model_card

    readme = model_dir / CARD_FILE
    existing = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    card = render_model_card(facts, Path(facts.dataset_dir), card_section(facts), existing, card_examples)
    atomic_write_text(readme, card)
    write_json(model_dir / SELECTION_FILE, selection(facts))


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"
