"""Questions of one chunk are never each other's in-batch negatives.

The recipe asks several questions per chunk; with MultipleNegativesRankingLoss every other pair's chunk in
a batch is a negative, so two questions of the same chunk in one batch would each have their own answer
as a "negative". The Trainer embedforge builds uses sentence-transformers' no-duplicates batch sampler;
this checks the batches it really draws.
"""

from __future__ import annotations

from pathlib import Path

from embedforge.training import TrainSettings
from embedforge.training.data import load_training_data
from embedforge.training.trainer import _make_trainer


def test_questions_of_one_chunk_never_share_a_batch(small_dataset: Path, bundled_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = TrainSettings(base_model="bundled-minilm", batch_size=5, epochs=1, device="cpu")
    data = load_training_data(small_dataset, settings.batch_size)
    rows = data.pairs_dataset()
    per_chunk = len(rows) / len(set(rows["positive"]))
    assert per_chunk >= 2  # the fixture has two questions per chunk: the property is not vacuous
    trainer = _make_trainer(bundled_embedder, settings, data, rows, ((384, 64), "cosine"), {}, "cpu",
                            tmp_path / "out", "hash")
    loader = trainer.get_train_dataloader()
    seen = 0
    for batch in loader.batch_sampler:
        positives = [rows[i]["positive"] for i in batch]
        assert len(positives) == len(set(positives)), "two questions of one chunk in one batch"
        seen += len(batch)
    assert seen >= len(rows) - settings.batch_size  # every pair is drawn (a last partial batch may drop)
