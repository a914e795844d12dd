"""A tiny training dataset, and ``embedforge train`` stopped at an exact moment, for the reliability tests.

:data:`STOPPED` runs the CLI's ``main`` with a Python audit hook (``sys.addaudithook``, a real
interpreter feature, not a stand-in for anything embedforge does) that signals the process
itself when a path containing a given string is renamed (``os.rename``, ``os.replace``): SIGINT
as a user's Ctrl-C, SIGKILL as a crash. The audit event comes before the rename, so the rename
is never done, whatever the machine's load: SIGKILL ends the process there, and the
KeyboardInterrupt of SIGINT is raised as the hook returns, out of the ``os.replace`` call.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from embedforge.dataset.layout import RetrievalDataset, write_dataset_dir
from embedforge.fingerprint import text_hash

SCRIPT = Path(sys.executable).with_name("embedforge")
STOPPED = """
import os, signal, sys
signum, name, args = getattr(signal, sys.argv[1]), sys.argv[2], sys.argv[3:]
# Ctrl-C raises KeyboardInterrupt, as in a terminal: a test run started in the background (nohup, &) would
# hand SIGINT down ignored, and Python then leaves it ignored.
signal.signal(signal.SIGINT, signal.default_int_handler)
def hook(event, arguments):
    if event == "os.rename" and any(name in os.fsdecode(path) for path in arguments[:2]):
        os.kill(os.getpid(), signum)
sys.addaudithook(hook)
from embedforge.commands.main import main
sys.exit(main(args))
"""
TOPICS = ("honey bees", "glaciers", "sourdough", "lighthouses", "volcanoes", "tides", "owls", "comets",
          "coral reefs", "deserts")


def tiny_dataset(folder: Path) -> Path:
    """Ten chunks, one training question each, no dev split: a training of a few seconds."""
    corpus, queries, train = {}, {}, {}
    for topic in TOPICS:
        text = (f"This note is about {topic}. People who study {topic} describe how {topic} form, change "
                f"over the years and affect the places around them.")
        cid, question = text_hash(text), f"What do people who study {topic} describe?"
        corpus[cid] = {"title": "", "text": text, "source": f"{topic}.txt", "section": None, "page": None}
        qid = text_hash(question)
        queries[qid] = {"text": question, "chunk_id": cid, "source": f"{topic}.txt"}
        train[qid] = {cid}
    write_dataset_dir(folder, RetrievalDataset(corpus=corpus, queries=queries, qrels={"train": train}))
    return folder


def train_args(dataset: Path, out: Path, epochs: int) -> list[str]:
    return ["train", str(dataset), "--out", str(out), "--base-model", "bundled-minilm", "--epochs", str(epochs),
            "--batch-size", "5", "--device", "cpu"]


def stopped(signal_name: str, file_name: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``embedforge ARGS``, sending itself ``signal_name`` when a path holding ``file_name`` is renamed."""
    return subprocess.run([sys.executable, "-c", STOPPED, signal_name, file_name, *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def embedforge(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed console script."""
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, cwd=cwd, timeout=600)
