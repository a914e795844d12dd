"""Untrusted inputs: manifests, URLs and their redirects, model folders, checkpoints.

Extends ``tests/corpus/test_corpus_manifest.py`` (``..``, absolute paths, a symlinked
folder, http behind a flag, size cap, checksum) with: a symlinked file, loopback /
private / link-local addresses refused, every redirect re-checked, pickled weights
refused, model code never run unless asked, and resume refused from a checkpoint
folder embedforge did not write.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from embedforge.corpus import fetch_manifest, load_manifest
from embedforge.errors import EmbedforgeError

BODY = b"<html><body><main><p>Served locally for the redirect test.</p></main></body></html>"
LOCAL = ("127.0.0.1",)


def _manifest(folder: Path, url: str, path: str = "docs/page.html") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "m.toml"
    manifest.write_text(f'[[documents]]\nname = "page"\nurl = "{url}"\ntype = "html"\n'
                        f'sha256 = "{hashlib.sha256(BODY).hexdigest()}"\npath = "{path}"\n', encoding="utf-8")
    return manifest


@pytest.fixture
def server() -> Iterator[str]:
    """A local server: /page.html, and /go?to=URL answering 302 to URL; /loop redirects to itself."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/page.html":
                self.send_response(200)
                self.send_header("Content-Length", str(len(BODY)))
                self.end_headers()
                self.wfile.write(BODY)
                return
            self.send_response(302)
            target = "/loop" if self.path == "/loop" else self.path.split("?to=", 1)[-1]
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "10.1.2.3", "192.168.0.10",
                                  "172.16.5.4", "169.254.169.254", "0.0.0.0", "[fe80::1]"])
def test_loopback_private_and_link_local_refused(tmp_path: Path, host: str) -> None:
    manifest = _manifest(tmp_path / "corpus", f"http://{host}:9/page.html")
    with pytest.raises(EmbedforgeError, match="loopback, private or link-local") as info:
        fetch_manifest(manifest, allow_http=True, timeout_s=2)
    assert "\n" not in str(info.value)
    with pytest.raises(EmbedforgeError, match="loopback, private or link-local"):  # https changes nothing
        fetch_manifest(_manifest(tmp_path / "c2", f"https://{host}/page.html"), timeout_s=2)
    assert not list((tmp_path / "corpus").rglob("*.html"))


def test_redirects_are_followed_when_allowed(tmp_path: Path, server: str) -> None:
    manifest = _manifest(tmp_path / "corpus", f"{server}/go?to={server}/page.html")
    [path] = fetch_manifest(manifest, allow_http=True, allow_hosts=LOCAL)
    assert path.read_bytes() == BODY


@pytest.mark.parametrize(("target", "reason"), [
    ("http://localhost:{port}/page.html", "loopback, private or link-local"),
    ("http://169.254.169.254/latest/meta-data/", "loopback, private or link-local"),
    ("http://10.0.0.1/page.html", "loopback, private or link-local"),
    ("ftp://example.org/page.html", "only https"),
    ("file:///etc/passwd", "only https"),
])
def test_every_redirect_is_rechecked(tmp_path: Path, server: str, target: str, reason: str) -> None:
    target = target.format(port=server.rsplit(":", 1)[1])
    manifest = _manifest(tmp_path / "corpus", f"{server}/go?to={target}")
    with pytest.raises(EmbedforgeError, match=reason):
        fetch_manifest(manifest, allow_http=True, allow_hosts=LOCAL, timeout_s=5)
    assert not (tmp_path / "corpus" / "docs").exists()


def test_https_only_also_after_a_redirect(tmp_path: Path, server: str) -> None:
    from embedforge.corpus.downloads import check_url

    with pytest.raises(EmbedforgeError, match=r"only https.*--allow-http"):
        check_url("http://example.org/x", allow_hosts=("example.org",))
    # the redirect loop runs the same check on every hop: http allowed for the first, refused after
    manifest = _manifest(tmp_path / "corpus", f"{server}/go?to=http://example.org/page.html")
    with pytest.raises(EmbedforgeError, match=r"only https|loopback|resolve"):
        fetch_manifest(manifest, allow_http=False, allow_hosts=LOCAL, timeout_s=5)


def test_redirect_loop_ends(tmp_path: Path, server: str) -> None:
    with pytest.raises(EmbedforgeError, match="more than 5 redirects"):
        fetch_manifest(_manifest(tmp_path / "corpus", f"{server}/loop"), allow_http=True, allow_hosts=LOCAL)


def test_symlinked_file_out_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.html"
    outside.write_bytes(b"precious")
    (tmp_path / "corpus" / "docs").mkdir(parents=True)
    (tmp_path / "corpus" / "docs" / "page.html").symlink_to(outside)
    with pytest.raises(EmbedforgeError, match="leads outside"):
        load_manifest(_manifest(tmp_path / "corpus", "https://example.org/page.html"))
    assert outside.read_bytes() == b"precious"


# --- models and checkpoints ------------------------------------------------------------------------

def _model_copy(folder: Path) -> Path:
    from embedforge.embedder import bundled_model_path

    shutil.copytree(bundled_model_path("bundled-minilm"), folder)
    return folder


def test_pickled_weights_are_not_loaded(tmp_path: Path) -> None:
    import torch
    from safetensors.torch import load_file

    from embedforge.embedder import load_embedder

    folder = _model_copy(tmp_path / "model")
    weights = next(folder.rglob("model.safetensors"))
    torch.save(load_file(str(weights)), weights.with_name("pytorch_model.bin"))
    weights.unlink()
    with pytest.raises(EmbedforgeError) as info:
        load_embedder(str(folder), device="cpu")
    assert "\n" not in str(info.value) and str(folder) in str(info.value)


def test_model_code_runs_only_when_asked(tmp_path: Path) -> None:
    import json

    from embedforge.embedder import load_embedder

    folder = _model_copy(tmp_path / "model")
    ran = tmp_path / "remote-code-ran"
    config_path = next(folder.rglob("config.json"))
    config = json.loads(config_path.read_text())
    config["auto_map"] = {"AutoConfig": "evil.EvilConfig", "AutoModel": "evil.EvilModel"}
    config_path.write_text(json.dumps(config))
    (config_path.parent / "evil.py").write_text(
        f"open({str(ran)!r}, 'w').write('ran')\n"
        "from transformers import BertConfig, BertModel\n"
        "class EvilConfig(BertConfig):\n    pass\n"
        "class EvilModel(BertModel):\n    config_class = EvilConfig\n")
    with contextlib.suppress(EmbedforgeError):  # refusing the folder is as good as ignoring its code
        load_embedder(str(folder), device="cpu")
    assert not ran.exists()


def test_defaults_never_trust_remote_code() -> None:
    from embedforge.evaluation import CompareSettings
    from embedforge.training import TrainSettings

    assert TrainSettings().trust_remote_code is False and CompareSettings().trust_remote_code is False


def test_resume_only_from_checkpoints_embedforge_wrote(tmp_path: Path) -> None:
    from embedforge.training.checkpoints import resume_checkpoint

    foreign = tmp_path / "checkpoints" / "checkpoint-4"
    foreign.mkdir(parents=True)
    (foreign / "optimizer.pt").write_bytes(b"not ours: torch.load would unpickle this")
    with pytest.raises(EmbedforgeError, match="resumes only from checkpoints it wrote"):
        resume_checkpoint(tmp_path / "checkpoints", "config-hash")
