"""The engine choice: ``[engine]``, ``--engine``/``--ray-address``, and no Ray unless it is chosen."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from embedforge.engine import EngineSettings, engine_from_flags
from embedforge.errors import EmbedforgeError
from embedforge.pipeline.config import config_from_dict, to_dict


def test_engine_table_is_validated_and_kept_out_of_the_stage_settings() -> None:
    config = config_from_dict({"engine": {"kind": "ray", "ray_address": "10.0.0.1:6379", "workers": 8}})
    assert config.engine == EngineSettings(kind="ray", ray_address="10.0.0.1:6379", workers=8)
    assert to_dict(config)["engine"]["workers"] == 8
    assert config_from_dict({}).engine.kind == "local"
    with pytest.raises(EmbedforgeError, match=r"\[engine\] kind"):
        config_from_dict({"engine": {"kind": "spark"}})
    with pytest.raises(EmbedforgeError, match=r"\[engine\]: unknown setting 'nodes'"):
        config_from_dict({"engine": {"nodes": 3}})
    with pytest.raises(EmbedforgeError, match=r"workers"):
        EngineSettings(workers=0)


def test_flags_override_the_configuration_and_an_address_implies_ray() -> None:
    base = EngineSettings(kind="ray", workers=4)
    assert engine_from_flags(None, None, base) == base
    assert engine_from_flags("local", None, base).kind == "local"
    chosen = engine_from_flags(None, "auto")
    assert chosen.kind == "ray" and chosen.ray_address == "auto"
    with pytest.raises(EmbedforgeError, match="--engine"):
        engine_from_flags("dask", None)


def test_the_local_engine_never_imports_ray(tmp_path: Path) -> None:
    from embedforge.corpus import ChunkSettings, ParseLimits, chunk_documents

    assert "ray" not in sys.modules, "another test imported ray in this process"
    doc = tmp_path / "doc.md"
    doc.write_text("# Title\n\n" + "Plain words about rivers and gardens that make a chunk. " * 8, encoding="utf-8")
    settings = ChunkSettings(embedder="bundled-minilm", limits=ParseLimits(isolate=False))
    summary = chunk_documents([doc], tmp_path / "out", settings, engine=EngineSettings(kind="local"))
    assert summary.chunks_kept == 1
    assert "ray" not in sys.modules


def test_a_bad_engine_flag_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from embedforge.commands.main import main

    doc = tmp_path / "doc.md"
    doc.write_text("# Title\n\nSome words.\n", encoding="utf-8")
    assert main(["chunk", str(doc), "--out", str(tmp_path / "out"), "--engine", "dask"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--engine kind" in err and "local or ray" in err, err
    assert not (tmp_path / "out" / "chunks.jsonl").exists()
