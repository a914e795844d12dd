"""Weight interpolation toward the base (WiSE-FT): the arithmetic, the choice on dev, and a real run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from embedforge.training import TrainSettings, train
from embedforge.training.interpolation import ALPHA_GRID, RULE_ALPHA, apply_alpha, choose_alpha, snapshot


def _trained(step: float) -> tuple[torch.nn.Module, dict, dict]:
    """A small module, its weights as the base, then as "tuned" after each weight moved by ``step``."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.LayerNorm(3))
    base = snapshot(model)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(step)
    return model, base, snapshot(model)


def test_apply_alpha_is_the_linear_path_between_the_snapshots() -> None:
    model, base, tuned = _trained(1.0)
    apply_alpha(model, base, tuned, 0.25)
    for name, value in model.state_dict().items():
        assert torch.allclose(value, base[name] + 0.25 * (tuned[name] - base[name]))
    apply_alpha(model, base, tuned, 1.0)
    assert all(torch.equal(v, tuned[k]) for k, v in model.state_dict().items())
    apply_alpha(model, base, tuned, 0.0)  # the base model itself: the grid's floor
    assert all(torch.equal(v, base[k]) for k, v in model.state_dict().items())
    with pytest.raises(ValueError, match=r"alpha 1.5: must be in \[0, 1\]"):
        apply_alpha(model, base, tuned, 1.5)


def test_choose_alpha_takes_the_best_dev_score_and_leaves_the_model_there() -> None:
    model, base, tuned = _trained(2.0)
    first = next(iter(base))

    def score(m: torch.nn.Module) -> dict[str, float]:  # peaks at alpha 0.7: distance from that point
        target = base[first] + 0.7 * (tuned[first] - base[first])
        return {"dims_mean_ndcg@10": -float((m.state_dict()[first] - target).abs().sum())}

    choice = choose_alpha(model, base, tuned, score, fixed=None)
    assert (choice.alpha, choice.chosen_by) == (0.7, "dev") and set(choice.scores) == set(ALPHA_GRID)
    assert choice.metrics == {"dims_mean_ndcg@10": choice.scores[0.7]}
    assert torch.allclose(model.state_dict()[first], base[first] + 0.7 * (tuned[first] - base[first]))
    assert choose_alpha(model, base, tuned, None, fixed=None).alpha == RULE_ALPHA
    assert choose_alpha(model, base, tuned, score, fixed=0.5).chosen_by == "setting"


def test_training_chooses_alpha_on_dev_and_says_so(small_dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    result = train(small_dataset, out, TrainSettings(base_model="bundled-minilm", batch_size=5, epochs=1,
                                                     device="cpu"))
    selection = json.loads((out / "selection.json").read_text(encoding="utf-8"))
    assert result.alpha_chosen_by == "dev" and result.alpha in ALPHA_GRID
    assert selection["alpha"]["value"] == result.alpha and len(selection["alpha"]["dev_scores"]) == len(ALPHA_GRID)
    best = max(selection["alpha"]["dev_scores"].items(), key=lambda kv: (round(kv[1], 6), float(kv[0])))
    assert float(best[0]) == result.alpha
    # The saved model is the interpolated one: its dev metrics are the chosen alpha's dev score.
    mean = sum(m["ndcg@10"] for m in result.best_metrics.values()) / len(result.best_metrics)
    assert mean == pytest.approx(best[1], abs=1e-4)
    card = (out / "README.md").read_text(encoding="utf-8")
    chose = f"the {selection['dev_queries']} {result_label(small_dataset)} questions"
    assert selection["chosen_on"] == chose[len("the "):] and selection["rule"] == "natural"
    assert f"alpha {result.alpha:g}, chosen on {chose}" in card and "Eval split:** not read" in card


def result_label(dataset_dir: Path) -> str:
    """The label of the set the default rule chooses on in ``dataset_dir`` (dataset/natural.py)."""
    from embedforge.dataset.layout import load_dataset_dir
    from embedforge.dataset.natural import choosing_questions

    chosen = choosing_questions(load_dataset_dir(dataset_dir), dataset_dir)
    assert chosen is not None
    return chosen.label


def test_natural_dev_questions_choose_when_the_dataset_has_them(small_dataset: Path, tmp_path: Path) -> None:
    import shutil

    from embedforge.dataset.layout import load_dataset_dir
    from embedforge.dataset.natural import write_natural_dev
    from embedforge.training.data import load_training_data

    folder = tmp_path / "data"
    shutil.copytree(small_dataset, folder)
    chunk = sorted(load_dataset_dir(folder).corpus)[0]
    write_natural_dev(folder, [("what happens first when this starts?", frozenset({chunk}))])
    data = load_training_data(folder, batch_size=5)
    assert data.dev_source == "natural_dev" and list(data.dev_queries.values()) == [
        "what happens first when this starts?"] and list(data.dev_qrels.values()) == [{chunk}]
    assert load_training_data(folder, batch_size=5, choose_on="dev").dev_source == "dev"
