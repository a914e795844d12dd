"""The saved model's ``README.md`` as a Hub user expects it: YAML a Hub reads, one paragraph, no leaks.

sentence-transformers' own card names the base model ``bundled`` for a local folder, reports its
evaluator's class name as the task (``_dim``), and copies chunks of the training documents into
its widget and training-sample sections: a leak for a private corpus. This writes instead:
``base_model`` (the bundled models' Hub ids), ``language`` (the dataset card's), ``license``
(inherited from the base model), ``datasets``, ``pipeline_tag``, ``library_name``, and a
``model-index`` with task type ``retrieval`` and one ``ndcg_at_10`` per dim (the dev split),
then a paragraph on what it was trained on and embedforge's own section. sentence-transformers'
card (with document text) is kept below only when ``card_examples`` asks for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# The bundled models and what the Hub knows them as (both are Apache-2.0).
BUNDLED_HUB_IDS = {"bundled": "sentence-transformers/all-mpnet-base-v2",
                   "bundled-minilm": "sentence-transformers/all-MiniLM-L6-v2"}
KNOWN_LICENSES = {"sentence-transformers/all-mpnet-base-v2": "apache-2.0",
                  "sentence-transformers/all-MiniLM-L6-v2": "apache-2.0"}


def front_matter_of(readme: Path) -> dict[str, Any]:
    """The YAML front matter of a card (``{}`` when there is none or it does not parse)."""
    if not readme.is_file():
        return {}
    from huggingface_hub import ModelCard

    try:
        return dict(ModelCard.load(readme).data.to_dict())
    except Exception:  # a hand-written card without YAML, or broken YAML: nothing to inherit
        return {}


def base_identity(spec: str) -> tuple[str | None, str | None]:
    """(Hub id, license) of a base model SPEC: the bundled ids, a Hub id as given, a folder's own card."""
    from embedforge.embedder import is_hub_id

    if spec in BUNDLED_HUB_IDS:
        hub_id = BUNDLED_HUB_IDS[spec]
        return hub_id, KNOWN_LICENSES[hub_id]
    if is_hub_id(spec):
        return spec, KNOWN_LICENSES.get(spec)
    meta = front_matter_of(Path(spec) / "README.md")
    base = meta.get("base_model")
    return (base if isinstance(base, str) else None), meta.get("license")


def hub_metadata(facts: Any, dataset_dir: Path, model_name: str, identity: tuple[str | None, str | None]) -> str:
    """The card's YAML (without the ``---`` lines), made by ``huggingface_hub`` so the Hub parses it.

    ``identity`` is the base model's (Hub id, license), from :func:`base_identity`.
    """
    from huggingface_hub import EvalResult, ModelCardData

    base_id, license_id = identity
    dataset_meta = front_matter_of(dataset_dir / "README.md")
    dataset_id = dataset_dir.resolve().name
    results = [
        EvalResult(task_type="retrieval", task_name="Retrieval", dataset_type=dataset_id, dataset_name=dataset_id,
                   dataset_split="dev", metric_type="ndcg_at_10", metric_value=round(values["ndcg@10"], 4),
                   metric_name=f"ndcg@10 (dim {dim})", metric_config=f"dim_{dim}")
        for dim, values in facts.metrics.items() if "ndcg@10" in values
    ]
    data = ModelCardData(
        base_model=base_id, language=dataset_meta.get("language") or ["en"], license=license_id,
        datasets=[dataset_id], pipeline_tag="sentence-similarity", library_name="sentence-transformers",
        tags=["sentence-transformers", "sentence-similarity", "feature-extraction", "matryoshka", "embedforge"],
        model_name=model_name, eval_results=results or None,
    )
    return data.to_yaml()


def description(facts: Any, base_id: str | None) -> str:
    """One paragraph: what the model is and what it was trained on (counts, never document text)."""
    base = f"[{base_id}](https://huggingface.co/{base_id})" if base_id else f"`{facts.base_model}`"
    return (
        f"This is {base} fine-tuned with embedforge for retrieval over one collection of documents: "
        f"{facts.train_rows} (question, passage) training pairs, the questions written by an LLM for passages "
        f"of the documents, {facts.dev_queries} held-out dev questions (which choose the checkpoint and the "
        f"interpolation weight toward the base), retrieval over all {facts.corpus_chunks} passages. Trained with "
        f"MatryoshkaLoss, so its embeddings can be cut to {', '.join(map(str, facts.dims))} dimensions "
        "(`SentenceTransformer(path, truncate_dim=...)`); the scores below are the dev split's, by dimension."
    )


def split_front_matter(text: str) -> tuple[str, str]:
    """(YAML, body) of a card's text; YAML is ``""`` when there is none."""
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            return text[4:end], text[end + 4:].lstrip("\n")
    return "", text


def render_model_card(facts: Any, dataset_dir: Path, section: str, st_card: str, card_examples: bool) -> str:
    """The whole ``README.md``: YAML, title, paragraph, embedforge's section (and ST's body if asked)."""
    identity = base_identity(facts.base_model)  # once: for a folder it reads that model's card
    name = f"{(identity[0] or facts.base_model).rsplit('/', 1)[-1]} fine-tuned by embedforge"
    parts = ["---\n" + hub_metadata(facts, dataset_dir, name, identity).rstrip("\n") + "\n---\n", f"# {name}", "",
             description(facts, identity[0]), "", section.rstrip("\n")]
    if card_examples:
        parts += ["", "## sentence-transformers card (with examples from the training documents)", "",
                  split_front_matter(st_card)[1].rstrip("\n")]
    return "\n".join(parts) + "\n"
