"""The settings -> training-arguments mapping, and the precision picked per device."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from sentence_transformers.base.sampler import BatchSamplers

from embedforge.errors import EmbedforgeError
from embedforge.training import TrainSettings
from embedforge.training.arguments import pick_device, precision, training_arguments


def test_mapping_on_cpu(tmp_path: Path) -> None:
    settings = TrainSettings(batch_size=7, epochs=3, learning_rate=2e-5, warmup_ratio=0.1, seed=5)
    args = training_arguments(settings, tmp_path, "eval_dim_384_cosine_ndcg@10", {"anchor": "q: "}, "cpu")
    assert args.per_device_train_batch_size == 7 and args.num_train_epochs == 3 and args.learning_rate == 2e-5
    assert args.seed == 5 and args.data_seed == 5 and args.full_determinism and args.use_cpu
    assert args.batch_sampler == BatchSamplers.NO_DUPLICATES
    assert args.load_best_model_at_end and args.metric_for_best_model == "eval_dim_384_cosine_ndcg@10"
    assert args.eval_strategy == "epoch" and args.save_strategy == "epoch"
    assert args.prompts == {"anchor": "q: "} and args.warmup_steps == pytest.approx(0.1)
    assert not args.bf16 and not args.fp16


def test_precision_bf16_on_cuda_cards_that_have_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # No GPU here: only the choice is checked; the lead's GPU run exercises the real path.
    assert precision("cpu") == (False, False)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert precision("cuda") == (True, False)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    assert precision("cuda:0") == (False, True)


def test_cuda_requested_without_a_gpu() -> None:
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    assert pick_device(None) == "cpu"
    with pytest.raises(EmbedforgeError, match="no CUDA GPU"):
        pick_device("cuda")


def test_precision_asked_for(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert precision("cpu", "bf16") == (True, False) and precision("cpu", "fp32") == (False, False)
    with pytest.raises(EmbedforgeError, match=r"--precision fp16: needs a CUDA GPU"):
        precision("cpu", "fp16")
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert precision("cuda", "fp32") == (False, False) and precision("cuda", "fp16") == (False, True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    with pytest.raises(EmbedforgeError, match=r"--precision bf16: this CUDA card has no bf16"):
        precision("cuda", "bf16")
    args = training_arguments(TrainSettings(precision="bf16"), tmp_path, None, {}, "cpu")
    assert args.bf16 and not args.fp16 and args.use_cpu
    with pytest.raises(EmbedforgeError, match=r"precision .fp8.: unknown precision; use auto, bf16, fp16, fp32"):
        TrainSettings(precision="fp8")
