"""Manifest: secrets scrubbed, token counts kept, versions and input hashes recorded."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from embedforge.corpus.sources import source_hashes
from embedforge.dataset.manifest import SCRUBBED, build_manifest, scrub
from embedforge.generators import GenerationSettings


@dataclass
class _Backend:
    api_key: str = "sk-live-123"
    hf_token: str = "hf_abc"
    max_tokens: int = 64
    chunk_tokens: int = 200


def test_secrets_are_scrubbed_counts_are_not() -> None:
    out = scrub({"llm": _Backend(), "nested": [{"client_secret": "s", "password": "p", "tokens_in": 5}]})
    assert out["llm"] == {"api_key": SCRUBBED, "hf_token": SCRUBBED, "max_tokens": 64, "chunk_tokens": 200}
    assert out["nested"] == [{"client_secret": SCRUBBED, "password": SCRUBBED, "tokens_in": 5}]
    assert "sk-live" not in str(out)


def test_manifest_records_configuration_versions_and_hashes(tmp_path: Path) -> None:
    doc = tmp_path / "docs" / "a.html"
    doc.parent.mkdir()
    doc.write_text("<p>ALS</p>", encoding="utf-8")
    manifest = build_manifest(
        kind="build",
        configuration={"generate": GenerationSettings(llm="openai:gpt-4o-mini")},
        inputs={"sources": source_hashes([doc.parent])},
        counts={"llm_calls": 3},
        created_at="2026-01-01T00:00:00+00:00",
    )
    assert manifest["configuration"]["generate"]["llm"] == "openai:gpt-4o-mini"
    assert manifest["inputs"]["sources"] == {"docs/a.html": hashlib.sha256(doc.read_bytes()).hexdigest()}
    assert {"embedforge", "sentence-transformers", "transformers", "torch"} <= set(manifest["versions"])
    assert manifest["counts"] == {"llm_calls": 3}
