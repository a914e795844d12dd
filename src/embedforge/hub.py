"""``embedforge push``: upload a dataset folder or a model folder to the Hugging Face Hub.

The folder's kind decides the repo type: a dataset folder (``corpus.jsonl`` + ``qrels``) goes to a
dataset repo, a model folder (``modules.json``, as ``train`` saves it) to a model repo. The upload is
``huggingface_hub``'s own (``create_repo`` + ``upload_folder``, the token of ``hf auth login`` or
``HF_TOKEN``). Offline (``HF_HUB_OFFLINE=1``, no network, no token) is one line naming the repo, not a
traceback: exit code 2 (a user-fixable error, see ``commands/exits.py``).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from embedforge.errors import EmbedforgeError

log = logging.getLogger(__name__)

# Left behind by a run, never part of what is shared
_IGNORE = ["checkpoints/**", ".checkpoints.deleting/**", ".model.tmp/**", "*.tmp", "**/.cache/**",
           ".embedforge-cache/**"]


def folder_kind(folder: Path) -> str:
    """``dataset`` or ``model``.

    Raises:
        EmbedforgeError: the folder is missing, or is neither an embedforge dataset nor a saved model.
    """
    if not folder.is_dir():
        raise EmbedforgeError(f"{folder}: folder not found; give a dataset folder or a model folder")
    if (folder / "corpus.jsonl").is_file() and (folder / "qrels").is_dir():
        return "dataset"
    if (folder / "modules.json").is_file() or (folder / "config_sentence_transformers.json").is_file():
        return "model"
    raise EmbedforgeError(f"{folder}: neither a dataset folder (corpus.jsonl, qrels/) nor a saved model "
                          "(modules.json); push the output of `embedforge dataset build` or `embedforge train`")


def push_folder(folder: str | os.PathLike[str], repo_id: str, private: bool = False) -> str:
    """Upload ``folder`` to the Hub repo ``repo_id`` (created if missing); return the commit URL.

    Raises:
        EmbedforgeError: a bad folder or repo id, offline mode, no network, no token or no permission.
    """
    root = Path(folder)
    kind = folder_kind(root)
    if repo_id.count("/") > 1 or not repo_id.strip("/ "):
        raise EmbedforgeError(f"{repo_id}: not a Hub repo id; use NAME or OWNER/NAME")
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled

    api = HfApi()
    try:
        api.create_repo(repo_id, repo_type=kind, private=private, exist_ok=True)
        info = api.upload_folder(folder_path=str(root), repo_id=repo_id, repo_type=kind,
                                 ignore_patterns=_IGNORE, commit_message=f"embedforge push ({kind})")
    except OfflineModeIsEnabled as exc:
        raise EmbedforgeError(f"{repo_id}: cannot push, the Hugging Face Hub is switched off here "
                              "(HF_HUB_OFFLINE=1); unset it and rerun") from exc
    except HfHubHTTPError as exc:
        status = getattr(exc.response, "status_code", "?")
        raise EmbedforgeError(f"{repo_id}: the Hub refused the upload (HTTP {status}); log in with "
                              "`hf auth login` or set HF_TOKEN, and check the repo name") from exc
    except OSError as exc:  # no network: connection errors derive from OSError
        detail = " ".join(str(exc).split())[:120]
        raise EmbedforgeError(f"{repo_id}: cannot reach the Hugging Face Hub ({detail}); check the network "
                              "and rerun") from exc
    url = str(getattr(info, "commit_url", info))
    log.info("pushed %s %s to %s", kind, root, url)
    return url
