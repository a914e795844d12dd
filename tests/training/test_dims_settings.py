"""Dims and settings: bad values are one-line errors before anything loads; defaults fit the model."""

from __future__ import annotations

import pytest

from embedforge.embedder import bundled_model_path
from embedforge.errors import EmbedforgeError
from embedforge.training import DEFAULT_DIMS, TrainSettings, check_dims
from embedforge.training.dims import output_dim_from_files, resolve_dims


@pytest.mark.parametrize(
    ("dims", "words"),
    [((), "empty"), ((256, 384), "descending"), ((384, 384), "descending"), ((384, 0), "positive"),
     ((384, -64), "positive"), ((384, "x"), "integers"), ((384.0, 64), "integers"), ((True, 1), "integers")],
)
def test_bad_dims_are_one_line_errors(dims: tuple[object, ...], words: str) -> None:
    with pytest.raises(EmbedforgeError) as caught:
        check_dims(dims)
    assert words in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(EmbedforgeError):
        TrainSettings(dims=dims)  # type: ignore[arg-type]


def test_good_dims_pass_and_become_a_tuple() -> None:
    assert check_dims([384, 256, 64]) == (384, 256, 64)
    assert TrainSettings(dims=[128, 64]).dims == (128, 64)  # type: ignore[arg-type]


def test_default_dims_fit_a_smaller_model(caplog: pytest.LogCaptureFixture) -> None:
    assert resolve_dims(None, 1024, "big") == DEFAULT_DIMS
    assert resolve_dims(None, 768, "base") == DEFAULT_DIMS
    with caplog.at_level("INFO"):
        assert resolve_dims(None, 384, "bundled") == (384, 256, 128, 64)
    assert any("384,256,128,64" in r.getMessage() for r in caplog.records)
    assert resolve_dims(None, 300, "odd") == (300, 256, 128, 64)


def test_explicit_dims_the_model_cannot_serve() -> None:
    assert resolve_dims((384, 64), 384, "bundled") == (384, 64)
    with pytest.raises(EmbedforgeError, match="outputs 384 dims"):
        resolve_dims((768, 384), 384, "bundled")


def test_output_dim_read_from_the_bundled_folder_without_loading() -> None:
    assert output_dim_from_files(bundled_model_path("bundled-minilm")) == 384


@pytest.mark.parametrize(
    "kwargs",
    [{"batch_size": 0}, {"epochs": 0}, {"learning_rate": 0.0}, {"warmup_ratio": 1.0}, {"warmup_ratio": -0.1},
     {"loss": "triplet"}, {"hard_negatives": -1}, {"device": "tpu"}, {"mini_batch_size": 0}],
)
def test_bad_settings_are_one_line_errors(kwargs: dict[str, object]) -> None:
    with pytest.raises(EmbedforgeError) as caught:
        TrainSettings(**kwargs)  # type: ignore[arg-type]
    assert "\n" not in str(caught.value)


def test_defaults_are_the_reference_run() -> None:
    s = TrainSettings()
    assert (s.batch_size, s.epochs, s.learning_rate, s.warmup_ratio, s.seed) == (10, 10, 5e-5, 0.1, 42)
    assert s.base_model == "bundled" and s.loss == "mnrl" and not s.trust_remote_code
