"""Bad SOURCEs fail alone and by name; links are followed only inside the folder given.

One ``embedforge chunk`` (the installed console script) over a folder holding a good document
and every kind of bad entry: a link to itself, two links to each other, links to a file and a
folder outside the folder, a link to a document inside it (followed), a document at a
4,441-character path (over the system's limit: named, never silently skipped) and a dataset
embedforge wrote (its manifest says so: not read back as documents); plus a manifest nested
1,000 arrays deep as a second SOURCE. Exit 1, one line per bad entry, the good ones chunked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hostile_files import GOOD

SCRIPT = Path(sys.executable).with_name("embedforge")
OTHER = ("A hospice nurse visits the family at home to adjust pain medicine and to teach the caregivers how to "
         "move the person safely between bed and chair.")


def _deep_file(folder: Path, length: int) -> str:
    """A document whose absolute path is ``length`` characters long, made one folder at a time."""
    fd = os.open(folder, os.O_RDONLY)
    path = str(folder)
    try:
        while len(path) + 1 + 200 + 1 + len("deep.txt") < length:
            os.mkdir("d" * 200, dir_fd=fd)
            nxt = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd, path = nxt, f"{path}/{'d' * 200}"
        name = "e" * (length - len(path) - 1 - len("deep.txt")) + "deep.txt"
        handle = os.open(name, os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=fd)
        os.write(handle, OTHER.encode())
        os.close(handle)
        return f"{path}/{name}"
    finally:
        os.close(fd)


def _hostile_folder(tmp_path: Path) -> Path:
    docs, outside = tmp_path / "docs", tmp_path / "outside"
    docs.mkdir()
    outside.mkdir()
    (docs / "good.txt").write_text(GOOD, encoding="utf-8")
    (outside / "secret.txt").write_text("Outside text that must never be chunked from a link.", encoding="utf-8")
    (docs / "self.txt").symlink_to("self.txt")
    (docs / "ping.txt").symlink_to("pong.txt")
    (docs / "pong.txt").symlink_to("ping.txt")
    (docs / "out-file.txt").symlink_to(outside / "secret.txt")
    (docs / "out-folder").symlink_to(outside)
    (docs / "sub").mkdir()
    (docs / "sub" / "other.txt").write_text(OTHER, encoding="utf-8")
    (docs / "alias.txt").symlink_to(docs / "sub" / "other.txt")  # inside: followed, read once
    (docs / "in-folder").symlink_to(docs / "sub")  # inside: its documents are read where they are
    dataset = docs / "my-dataset"  # a dataset written into the sources: skipped by its manifest
    dataset.mkdir()
    (dataset / "manifest.json").write_text(json.dumps({"format_version": 1, "versions": {"embedforge": "0.1"}}),
                                           encoding="utf-8")
    (dataset / "README.md").write_text("# Dataset card\n\n" + OTHER.replace("nurse", "card"), encoding="utf-8")
    (docs / "long").mkdir()
    assert len(_deep_file(docs / "long", 4441)) == 4441
    return docs


def test_bad_sources_fail_alone_and_by_name(tmp_path: Path) -> None:
    docs, out = _hostile_folder(tmp_path), tmp_path / "out"
    manifest = tmp_path / "deep.toml"
    manifest.write_text("documents = " + "[" * 1000 + "]" * 1000 + "\n", encoding="utf-8")
    done = subprocess.run([str(SCRIPT), "chunk", str(docs), str(manifest), "--out", str(out),
                           "--embedder", "bundled-minilm"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    lines = done.stderr.splitlines()
    expected = {
        "docs/self.txt: a symbolic link loop": 1,
        "docs/ping.txt: a symbolic link loop": 1,
        "docs/pong.txt: a symbolic link loop": 1,
        "docs/out-file.txt: a symbolic link to a file outside docs/, not followed": 1,
        "docs/out-folder: a symbolic link to a folder outside docs/, not followed": 1,
        "over this system's limit; move the documents to a shorter path": 1,
        f"{manifest}: not valid TOML (nested too deeply); fix the manifest": 1,
    }
    for says, count in expected.items():
        assert sum(says in line for line in lines) == count, (says, done.stderr[-3000:])
    chunks = [json.loads(line) for line in (out / "chunks.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted({chunk["source"] for chunk in chunks}) == ["docs/alias.txt", "docs/good.txt"]
    text = " ".join(chunk["text"] for chunk in chunks)
    assert "Outside text" not in text and "card" not in text
