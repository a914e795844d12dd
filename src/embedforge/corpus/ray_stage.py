"""The corpus stage's parse-and-chunk map on Ray Data (``--engine ray``).

Documents in, chunked documents out: a Ray Data ``map_batches`` over (index, path, kind,
label) rows, run by a pool of actors, each holding one :class:`IsolatedParser` — the same
bounded worker, with the same time and memory limits, as the local path, so a hostile file
fails the same way on a cluster as on a laptop. The worker parses, chunks and fingerprints
each chunk for the filter (its MinHash signature: the filter's per-chunk cost), and the actor
relays the pickled result unopened. Keeping or dropping chunks as duplicates needs every chunk
seen before, so :func:`embedforge.corpus.stage.chunk_documents` applies :class:`ChunkFilter` on
the driver, globally, over the results in document order (``preserve_order``): only set and
bucket look-ups, and the output does not depend on how the documents were partitioned, and
equals the local run byte for byte.

Every node must see the documents at the paths the driver gives (a shared file system or
the same copy everywhere) and have the embedder's files: the tokenizer comes from the driver,
pickled, but the worker reads the model's ``sentence_bert_config.json`` (its length limit) itself.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from embedforge.corpus.isolation import ChunkedDocument, IsolatedParser
from embedforge.corpus.settings import ChunkSettings
from embedforge.corpus.sources import SourceDocument
from embedforge.engine import EngineSettings, connect
from embedforge.environment import for_workers
from embedforge.errors import EmbedforgeError

log = logging.getLogger(__name__)
BATCH = 4  # documents per actor call: small, so results stream back and one slow file holds up few others


class ParseActor:
    """A Ray Data actor: one bounded parsing worker, kept for the actor's life.

    ``tokenizer``: the driver's, pickled, passed to the worker unopened; ``env``: the driver's Hub
    settings, for the worker only (with a Ray ``runtime_env`` the actors' constructors ran 0.4-0.8 s
    later: Ray starts their processes apart; BENCHMARKS.md §9).
    """

    def __init__(self, settings: ChunkSettings, tokenizer: bytes, env: dict[str, str]) -> None:
        self.parser = IsolatedParser(settings.limits, settings, tokenizer=tokenizer, env=env)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {"index": [], "error": [], "document": []}
        for index, path, kind, label in zip(batch["index"], batch["path"], batch["kind"], batch["label"],
                                            strict=True):
            out["index"].append(int(index))
            try:
                document = self.parser.chunk_pickled(Path(path), kind or None, label)  # relayed unopened
                out["error"].append("")
                out["document"].append(document)
            except EmbedforgeError as exc:
                out["error"].append(str(exc))
                out["document"].append(b"")
        return out

    def __del__(self) -> None:
        self.parser.close()


def chunk_on_ray(items: Sequence[SourceDocument], settings: ChunkSettings, engine: EngineSettings,
                 tokenizer: Any) -> Iterator[ChunkedDocument | EmbedforgeError]:
    """Each item's chunked document (or its one-line error), in the order of ``items``.

    ``tokenizer``: the embedder's, as the driver loaded it; every worker gets it pickled.

    Raises:
        EmbedforgeError: Ray missing or unreachable.
    """
    if not items:
        return
    with connect(engine) as ray:
        workers = engine.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        rows = [{"index": i, "path": str(item.path), "kind": item.kind or "", "label": item.label}
                for i, item in enumerate(items)]
        blocks = max(1, min(len(rows), workers * 8, -(-len(rows) // BATCH)))
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True
        dataset = ray.data.from_items(rows, override_num_blocks=blocks).map_batches(
            ParseActor, batch_size=BATCH,
            fn_constructor_args=(settings, pickle.dumps(tokenizer, protocol=pickle.HIGHEST_PROTOCOL), _worker_env()),
            compute=ray.data.ActorPoolStrategy(size=min(workers, len(rows))), num_cpus=1,
        )
        for expected, row in enumerate(dataset.iter_rows()):
            if int(row["index"]) != expected:  # preserve_order guarantees it; the filter depends on it
                raise RuntimeError(f"ray corpus stage: got document {row['index']}, expected {expected}")
            error = str(row["error"])
            yield EmbedforgeError(error) if error else pickle.loads(row["document"])


def _worker_env() -> dict[str, str]:
    """The driver's Hub, tokenizer and embedforge settings, so parse workers resolve the embedder offline as here."""
    names = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HOME", "TOKENIZERS_PARALLELISM")
    return {**{name: os.environ[name] for name in names if name in os.environ}, **for_workers()}
