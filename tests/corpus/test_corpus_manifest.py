"""Manifests: validation, safe paths, https only, size cap, checksum, offline errors, locating documents."""

from __future__ import annotations

import hashlib
import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from embedforge.corpus import fetch_manifest, load_manifest, locate_documents
from embedforge.errors import EmbedforgeError

REPO = Path(__file__).resolve().parents[2]
BODY = b"<html><body><main><p>Served locally for the fetch test.</p></main></body></html>"


def _manifest(folder: Path, url: str, path: str = "docs/page.html", sha: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    sha = sha or hashlib.sha256(BODY).hexdigest()
    manifest = folder / "m.toml"
    manifest.write_text(f'[[documents]]\nname = "page"\nurl = "{url}"\ntype = "html"\nsha256 = "{sha}"\n'
                        f'path = "{path}"\n', encoding="utf-8")
    return manifest


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A real local HTTP server serving BODY at /page.html and 2 MiB at /big."""
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "page.html").write_bytes(BODY)
    (tmp_path / "www" / "big").write_bytes(b"x" * (2 * 2**20))

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            super().__init__(*args, directory=str(tmp_path / "www"), **kwargs)

        def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_als_manifest_is_valid() -> None:
    manifest = load_manifest(REPO / "corpus" / "als.toml")
    assert [d.path for d in manifest.documents] == ["als/ninds-als-overview.html",
                                                    "als/family-caregivers-self-care.pdf"]
    assert all(d.url.startswith("https://") for d in manifest.documents)


def test_locate_in_a_given_folder_checks_sha(als_corpus: Path, tmp_path: Path) -> None:
    paths = locate_documents(REPO / "corpus" / "als.toml", folder=als_corpus, fetch=False)
    assert [p.name for p in paths] == ["ninds-als-overview.html", "family-caregivers-self-care.pdf"]
    (tmp_path / "ninds-als-overview.html").write_bytes(b"changed")
    with pytest.raises(EmbedforgeError, match="sha256 does not match"):
        locate_documents(REPO / "corpus" / "als.toml", folder=tmp_path, fetch=False)


@pytest.mark.parametrize("path", ["../escape.html", "/etc/passwd", "docs/../../x.html"])
def test_paths_outside_the_folder_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(EmbedforgeError, match="inside the corpus folder"):
        load_manifest(_manifest(tmp_path, "https://example.org/x", path=path))


def test_symlink_out_refused(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "docs").symlink_to(tmp_path / "outside")
    with pytest.raises(EmbedforgeError, match="symlink"):
        load_manifest(_manifest(tmp_path / "corpus", "https://example.org/x"))


def test_fetch_over_http_needs_the_flag(tmp_path: Path, server: str) -> None:
    manifest = _manifest(tmp_path / "corpus", f"{server}/page.html")
    with pytest.raises(EmbedforgeError, match="only https"):
        fetch_manifest(manifest)
    [path] = fetch_manifest(manifest, allow_http=True, allow_hosts=("127.0.0.1",))
    assert path == tmp_path / "corpus" / "docs" / "page.html" and path.read_bytes() == BODY


def test_checksum_mismatch_writes_nothing(tmp_path: Path, server: str) -> None:
    manifest = _manifest(tmp_path / "corpus", f"{server}/page.html", sha="0" * 64)
    with pytest.raises(EmbedforgeError, match="does not match"):
        fetch_manifest(manifest, allow_http=True, allow_hosts=("127.0.0.1",))
    assert not (tmp_path / "corpus" / "docs" / "page.html").exists()


def test_size_cap(tmp_path: Path, server: str) -> None:
    manifest = _manifest(tmp_path / "corpus", f"{server}/big")
    with pytest.raises(EmbedforgeError, match="larger than 1 MiB"):
        fetch_manifest(manifest, allow_http=True, max_mb=1, allow_hosts=("127.0.0.1",))


def test_offline_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    manifest = _manifest(tmp_path / "corpus", f"http://127.0.0.1:{port}/page.html")
    with pytest.raises(EmbedforgeError, match="cannot download") as info:
        fetch_manifest(manifest, allow_http=True, timeout_s=5, allow_hosts=("127.0.0.1",))
    assert "\n" not in str(info.value) and "check the network" in str(info.value)
