"""The fine-tuned model's card learns its BM25 fusion weight and which questions chose it.

``compare`` chooses the weight of a model's ``hybrid(bm25+NAME)`` row, and a user deploying the
model as a hybrid retriever needs it beside the model, not only in a report folder. So for a
compared model that is a local folder trained by embedforge (it holds ``selection.json``), the
card (``README.md``) gets a "BM25 fusion" section, between two HTML comments so that the next
comparison replaces it rather than adding another. Only the body below the YAML front matter
changes, so the folder stays Hub-loadable; ``README.md`` is a record of the train stage, so the
run's content hashes do not move.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from embedforge.evaluation.hybrid import hybrid_name
from embedforge.files import atomic_write_text

if TYPE_CHECKING:
    from embedforge.evaluation.result import CompareResult, ModelInfo

log = logging.getLogger(__name__)

BEGIN = "<!-- embedforge fusion: written by `embedforge compare` -->"
END = "<!-- /embedforge fusion -->"


def fusion_section(result: CompareResult, info: ModelInfo) -> str | None:
    """The card section for ``info``'s hybrid row, or None when the comparison fused nothing for it."""
    fusion = result.fusion
    weights = fusion.weights.get(hybrid_name(info.name), {}) if fusion else {}
    if not weights:
        return None
    first = next(iter(weights.values()))
    lines = [BEGIN, "## BM25 fusion (hybrid retrieval)", "",
             f"Fused with BM25 as w·dense + (1−w)·BM25 over per-question min-max-normalised scores, w chosen by "
             f"mean ndcg@10 on {first.questions} {first.chosen_by} questions of `{result.dataset_dir}` "
             "(0.0 to 1.0 in steps of 0.1; ties go to the larger w). The eval split never chose it.", "",
             "| dim | w (dense) | dev ndcg@10 at w |", "|---:|---:|---:|"]
    lines += [f"| {d} | {c.weight:.1f} | {c.scores[c.weight]:.4f} |" for d, c in sorted(weights.items(), reverse=True)]
    rec = result.recommendation
    if rec is not None:
        lines += ["", f"Recommendation of that comparison: {rec.sentence}"]
    return "\n".join([*lines, END])


def replace_section(card: str, section: str) -> str:
    """``card`` with its fusion section replaced by ``section`` (appended when it has none)."""
    start, stop = card.find(BEGIN), card.find(END)
    if start >= 0 and stop > start:
        return card[:start] + section + card[stop + len(END):]
    return card.rstrip("\n") + "\n\n" + section + "\n"


def record_fusion_in_cards(result: CompareResult) -> None:
    """Write the fusion section into the card of every compared model that embedforge trained."""
    for info in result.models:
        if info.selection is None:
            continue
        section = fusion_section(result, info)
        readme = Path(info.spec).expanduser() / "README.md"
        if section is None or not readme.is_file():
            continue
        try:
            atomic_write_text(readme, replace_section(readme.read_text(encoding="utf-8"), section))
        except OSError as exc:  # a read-only model folder: the report still holds the weight
            log.warning("%s: could not record the fusion weight in the card (%s); it is in the report", readme, exc)
            continue
        log.info("%s: recorded the BM25 fusion weights", readme)
