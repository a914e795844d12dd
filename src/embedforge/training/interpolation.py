"""Weight interpolation between the base and the fine-tuned model (WiSE-FT), weight chosen on dev.

A model fine-tuned on a few hundred generated questions learns the small LLM's habits
as well as the domain. Moving its weights part of the way back toward the base model,
``θ = θ_base + α (θ_tuned - θ_base)``, keeps most of what was learned and restores some
of the base model's generality (Wortsman et al., "Robust fine-tuning of zero-shot
models", 2022).

α is chosen from ``ALPHA_GRID`` by mean ndcg@10 over the Matryoshka dims (every dim counts,
not only the largest) on the choosing questions (``dataset.natural.choosing_questions``). The
grid runs from 0, the base model itself: when fine-tuning on generated questions does not help
on questions worded as people ask, the choice falls back to the base instead of doing harm
(BENCHMARKS.md §8: on the ALS documents, natural questions chose α = 0.2). Without choosing
questions α is ``RULE_ALPHA``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

ALPHA_GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
RULE_ALPHA = 0.7


@dataclass
class AlphaChoice:
    """The interpolation weight used and how it was chosen.

    Attributes:
        alpha: weight of the fine-tuned model (1.0: the fine-tuned model as trained).
        chosen_by: ``dev`` (best mean ndcg@10 on the dev split), ``setting`` or ``rule`` (no dev split).
        scores: alpha -> mean dev ndcg@10 over the dims, for each weight tried.
        metrics: every dev metric of the chosen weight (empty unless chosen on dev).
    """

    alpha: float
    chosen_by: str
    scores: dict[float, float] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)


def snapshot(model: Any) -> dict[str, Any]:
    """A detached copy of every floating-point tensor of ``model``'s weights."""
    return {k: v.detach().clone() for k, v in model.state_dict().items() if v.is_floating_point()}


def apply_alpha(model: Any, base: dict[str, Any], tuned: dict[str, Any], alpha: float) -> None:
    """Set ``model``'s weights to ``base + alpha * (tuned - base)`` in place.

    Raises:
        ValueError: ``alpha`` is outside [0, 1], or the snapshots do not match the model.
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha {alpha!r}: must be in [0, 1]")
    import torch

    state = model.state_dict()
    if base.keys() != tuned.keys() or not base.keys() <= state.keys():
        raise ValueError("the base and fine-tuned snapshots do not hold the same weights as the model")
    with torch.no_grad():
        for name, start in base.items():
            state[name].copy_(torch.lerp(start, tuned[name], alpha))


def choose_alpha(
    model: Any, base: dict[str, Any], tuned: dict[str, Any], evaluate: Callable[[Any], dict[str, float]] | None,
    fixed: float | None, grid: tuple[float, ...] = ALPHA_GRID, key: str = "dims_mean_ndcg@10",
) -> AlphaChoice:
    """Pick α and leave ``model`` interpolated with it.

    Args:
        model: the fine-tuned model (its weights are overwritten).
        base, tuned: :func:`snapshot` of the weights before and after fine-tuning.
        evaluate: model -> dev metrics (``key`` among them); None when there is no dev split.
        fixed: α from the settings (skips the search), or None to choose.
        grid: the weights tried on dev.
        key: the metric α is chosen by: mean ndcg@10 over the dims.

    Returns:
        The :class:`AlphaChoice`.
    """
    if fixed is not None:
        choice = AlphaChoice(fixed, "setting")
    elif evaluate is None:
        choice = AlphaChoice(RULE_ALPHA, "rule")
    else:
        measured = {}
        for alpha in grid:
            apply_alpha(model, base, tuned, alpha)
            measured[alpha] = evaluate(model)
            log.info("interpolation alpha %.2f: dev mean ndcg@10 %.4f", alpha, measured[alpha][key])
        scores = {alpha: float(m[key]) for alpha, m in measured.items()}
        # Ties go to the larger weight: no reason to give up fine-tuning for nothing.
        best = max(grid, key=lambda a: (round(scores[a], 6), a))
        choice = AlphaChoice(best, "dev", scores, measured[best])
    apply_alpha(model, base, tuned, choice.alpha)
    return choice
