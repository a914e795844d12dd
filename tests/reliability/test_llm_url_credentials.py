"""A key in an ``openai-compatible:`` URL (``?api-key=``, ``user:pass@``) is refused before anything is written.

The spec is recorded in queries.jsonl, the dataset card, manifest.json and the cache, and a
query string was also glued into the request path (``/v1/?api-key=...chat/completions``).
So a URL with a query string, fragment or credentials is one line, exit 2, that does not
echo it, before chunking, any call or any file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_llm import embedforge_cli

from embedforge.errors import EmbedforgeError
from embedforge.generators import parse_spec

KEY = "sk-inurl-0123456789abcdefSECRET"


@pytest.mark.parametrize("url", [f"http://127.0.0.1:9/v1?api-key={KEY}", f"http://127.0.0.1:9/v1/?key={KEY}&x=1",
                                 f"http://127.0.0.1:9/v1#{KEY}", f"http://user:{KEY}@127.0.0.1:9/v1"])
def test_a_url_carrying_a_key_is_refused_without_echoing_it(url: str) -> None:
    with pytest.raises(EmbedforgeError, match="--llm") as info:
        parse_spec(f"openai-compatible:m@{url}")
    assert KEY not in str(info.value)


def test_a_plain_url_still_parses() -> None:
    assert parse_spec("openai-compatible:m@http://127.0.0.1:9/v1/").base_url == "http://127.0.0.1:9/v1"


def test_the_cli_refuses_a_query_string_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("Respite care gives family caregivers a planned break.", "utf-8")
    done = embedforge_cli("dataset", "build", "docs", "--out", "out", "--embedder", "bundled-minilm",
                          "--llm", f"openai-compatible:m@http://127.0.0.1:9/v1?api-key={KEY}", cwd=tmp_path)
    assert done.returncode == 2, done.stderr[-2000:]
    assert len(done.stderr.strip().splitlines()) == 1 and "query string" in done.stderr
    assert KEY not in done.stderr + done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs"]  # no dataset, chunks or cache
