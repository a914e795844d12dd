"""``compare``: is the fine-tuned model better than the base, at which dim, and can that be trusted?

Reads a dataset folder, encodes its whole corpus and the eval questions (plus any
hand-written ones) once per model, scores every Matryoshka dim from truncated
embeddings, adds BM25 on request, bootstraps the ndcg@10 differences from the first
model, and writes ``metrics.json``, ``report.md``, ``per_query.csv`` and
``ndcg_by_dim.png`` to the report folder.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from embedforge import progress
from embedforge.dataset.layout import load_dataset_dir
from embedforge.embedder import resolve_model
from embedforge.errors import EmbedforgeError
from embedforge.evaluation.card_fusion import record_fusion_in_cards
from embedforge.evaluation.choosing import choosing_queries
from embedforge.evaluation.encode import EncodedModel, encode_model
from embedforge.evaluation.hybrid import Fusion
from embedforge.evaluation.metrics import RelevancePairs
from embedforge.evaluation.per_query import write_per_query
from embedforge.evaluation.plot import plot_ndcg_by_dim
from embedforge.evaluation.queries import EvalQueries, load_handwritten, split_queries
from embedforge.evaluation.recommend import recommend
from embedforge.evaluation.report import markdown_report
from embedforge.evaluation.report_files import METRICS_FILE, PER_QUERY_FILE, PLOT_FILE, REPORT_FILE
from embedforge.evaluation.result import CompareResult, ModelInfo
from embedforge.evaluation.section import SectionResult, add_intervals, evaluate_queries, evaluate_scores
from embedforge.evaluation.settings import BM25_NAME, CompareSettings, check_model_names, dims_for
from embedforge.files import atomic_write_text, write_json

log = logging.getLogger(__name__)


def compare(
    dataset_dir: str | os.PathLike[str],
    models: dict[str, str],
    out_dir: str | os.PathLike[str],
    settings: CompareSettings | None = None,
) -> CompareResult:
    """Compare embedding models (and optionally BM25) on a dataset's eval questions, dim by dim.

    Args:
        dataset_dir: a folder from ``dataset build`` / ``dataset import``.
        models: ordered ``{name: spec}``; the first is the baseline (SPEC: ``bundled``, a folder, a hub id).
        out_dir: the report folder (created; its four files are replaced).
        settings: dims, BM25, bootstrap, split, hand-written questions...

    Raises:
        EmbedforgeError: a bad dataset folder, an empty split, a missing or corrupt model, a bad name.
    """
    settings = settings or CompareSettings()
    settings.validate()
    check_model_names(models, settings.bm25)
    started = time.perf_counter()
    for spec in models.values():
        resolve_model(spec)  # a missing folder fails now, before any model is encoded
    dataset = load_dataset_dir(dataset_dir)
    sections = [SectionResult("eval", split_queries(dataset, settings.split, dataset_dir))]
    if settings.handwritten:
        sections.append(SectionResult("handwritten", load_handwritten(settings.handwritten, dataset)))
    choosing = choosing_queries(dataset, dataset_dir) if settings.bm25 else None
    infos, fusion = _score_all(dataset.corpus, models, sections, settings, choosing)
    result = CompareResult(out_dir=Path(out_dir), dataset_dir=Path(dataset_dir), corpus_size=len(dataset.corpus),
                           models=infos, sections=sections, settings=settings, fusion=fusion)
    result.recommendation = recommend(sections, settings, fusion)
    _write_outputs(result)
    record_fusion_in_cards(result)
    result.seconds = time.perf_counter() - started
    log.info("compare: %d models, %d questions, %.1fs; report in %s",
             len(result.models), len(sections[0].queries), result.seconds, result.out_dir)
    return result


def _score_all(corpus: dict[str, dict[str, Any]], models: dict[str, str], sections: list[SectionResult],
               settings: CompareSettings, choosing: tuple[EvalQueries, str] | None,
               ) -> tuple[list[ModelInfo], Fusion | None]:
    """Every model (BM25, the fused rows) scored on every section, then the bootstrap intervals of each section.

    The choosing questions (``choosing``) are encoded with the others but scored in no section: they
    only choose each hybrid row's fusion weight.
    """
    corpus_ids = list(corpus)
    corpus_texts = [str(corpus[cid].get("text", "")) for cid in corpus_ids]
    pairs = [RelevancePairs(corpus_ids, s.queries.relevant) for s in sections]
    started = time.perf_counter()
    fusion = Fusion.build(corpus_texts, corpus_ids, sections, pairs, choosing) if settings.bm25 else None
    bm25_seconds = time.perf_counter() - started
    question_texts = [text for s in sections for text in s.queries.texts] + (fusion.extra_texts if fusion else [])
    infos, fused = [], []
    for name, spec in progress.bar(models.items(), desc="models", show=len(models) > 1):
        info, encoded = _score_model(name, spec, corpus_texts, question_texts, sections, pairs, settings)
        infos.append(info)
        fused += fusion.add_model(encoded, info) if fusion else []
    if fusion is not None:
        dims = sorted({d for i in infos for d in i.dims})
        infos.append(_score_bm25(fusion, dims, bm25_seconds))
        fusion.rows_last()
    for section in sections:
        add_intervals(section, settings.bootstrap_samples, settings.seed)
    return infos + fused, fusion


def _score_model(
    name: str,
    spec: str,
    corpus_texts: list[str],
    question_texts: list[str],
    sections: list[SectionResult],
    pairs: list[RelevancePairs],
    settings: CompareSettings,
) -> tuple[ModelInfo, EncodedModel]:
    encoded = encode_model(
        name,
        spec,
        corpus_texts,
        question_texts,
        batch_size=settings.batch_size,
        device=settings.device,
        trust_remote_code=settings.trust_remote_code,
        query_prompt=settings.query_prompt,
        pool_min_chunks=settings.pool_min_chunks,
    )
    dims = dims_for(encoded.full_dim, settings.dims)
    skipped = sorted(set(settings.dims or ()) - set(dims))
    if skipped:
        log.warning("%s: outputs %d dims, so dims %s are skipped for it", name, encoded.full_dim, skipped)
    start = 0
    for section, section_pairs in zip(sections, pairs, strict=True):
        rows = slice(start, start + len(section.queries))
        evaluate_queries(
            section, name, encoded.queries[rows], encoded.corpus, encoded.similarity, dims, section_pairs
        )
        start = rows.stop
    return ModelInfo(
        name=name,
        spec=spec,
        full_dim=encoded.full_dim,
        dims=dims,
        similarity=encoded.similarity,
        query_prompt=encoded.query_prompt,
        document_prompt=encoded.document_prompt,
        encode_seconds=encoded.seconds,
        selection=read_selection(spec),
    ), encoded


def read_selection(spec: str) -> dict[str, Any] | None:
    """The ``selection.json`` that ``embedforge train`` wrote in a model folder, or None."""
    path = Path(spec).expanduser() / "selection.json"
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("%s: unreadable (%s); the report will not say what chose this model", path, exc)
        return None
    return value if isinstance(value, dict) else None


def _score_bm25(fusion: Fusion, dims: list[int], seconds: float) -> ModelInfo:
    """The BM25 row of every section, from the scores :class:`Fusion` computed once."""
    for section, section_pairs, scores in zip(fusion.sections, fusion.pairs, fusion.bm25, strict=True):
        evaluate_scores(section, BM25_NAME, scores.astype("float32"), dims, section_pairs)
    return ModelInfo(
        name=BM25_NAME,
        spec="bm25s",
        full_dim=0,
        dims=tuple(sorted(dims, reverse=True)),
        similarity="bm25",
        encode_seconds=seconds,
    )


def _write_outputs(result: CompareResult) -> None:
    out = result.out_dir
    if out.exists() and not out.is_dir():
        raise EmbedforgeError(f"{out}: exists and is not a folder; choose another --out")
    settings = result.settings
    payload = result.eval.to_json(settings.bootstrap_samples, settings.seed)
    payload["dataset"] = {
        "path": str(result.dataset_dir),
        "split": settings.split,
        "corpus": result.corpus_size,
    }
    payload["runs"] = {
        i.name: {
            "spec": i.spec,
            "full_dim": i.full_dim,
            "dims": list(i.dims),
            "similarity": i.similarity,
            "query_prompt": i.query_prompt,
            "document_prompt": i.document_prompt,
            "encode_seconds": round(i.encode_seconds, 3),
        }
        for i in result.models
    }
    if result.handwritten is not None:
        payload["handwritten"] = result.handwritten.to_json(settings.bootstrap_samples, settings.seed)
    if result.fusion is not None:
        payload["fusion"] = result.fusion.to_json()
    if result.recommendation is not None:
        payload["recommendation"] = result.recommendation.to_dict()
    files = {name: out / name for name in (METRICS_FILE, REPORT_FILE, PER_QUERY_FILE, PLOT_FILE)}
    write_json(files[METRICS_FILE], payload)
    atomic_write_text(files[REPORT_FILE], markdown_report(result))
    write_per_query(files[PER_QUERY_FILE], result.sections)
    plot_ndcg_by_dim(result.sections, files[PLOT_FILE])
    result.files = list(files.values())
