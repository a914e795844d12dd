"""The full comparison: base vs a fine-tuned model vs BM25, with hand-written questions; its four files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sentence_transformers import SentenceTransformer

from embedforge.evaluation import METRIC_NAMES, CompareSettings, compare


def test_four_files_written(compare_run) -> None:  # type: ignore[no-untyped-def]
    names = sorted(p.name for p in compare_run.out_dir.iterdir() if not p.name.startswith("."))
    assert names == ["metrics.json", "ndcg_by_dim.png", "per_query.csv", "report.md"]
    png = (compare_run.out_dir / "ndcg_by_dim.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000


def test_metrics_json_shape(compare_run) -> None:  # type: ignore[no-untyped-def]
    data = json.loads((compare_run.out_dir / "metrics.json").read_text())
    assert set(data["models"]) == {"base", "tuned", "bm25"}  # sorted keys; the order is kept in "order"
    assert data["order"] == ["base", "tuned", "bm25"] and data["bootstrap"]["baseline"] == "base"
    for name in ("base", "tuned", "bm25"):
        assert sorted(data["models"][name], key=int) == ["64", "128", "256", "384"]
        for values in data["models"][name].values():
            assert sorted(values) == sorted(METRIC_NAMES)
            assert all(0.0 <= v <= 1.0 for v in values.values())
    intervals = data["bootstrap"]["intervals"]
    assert set(intervals) == {"tuned", "bm25"} and set(intervals["tuned"]) == {"64", "128", "256", "384"}
    one = intervals["tuned"]["384"]
    assert one["low"] <= one["diff"] <= one["high"] and one["spans_zero"] == (one["low"] <= 0 <= one["high"])
    assert data["handwritten"]["queries"] == 5 and set(data["handwritten"]["models"]) == {
        "base",
        "tuned",
        "bm25",
    }


def test_bm25_is_one_row_for_every_dim(compare_run) -> None:  # type: ignore[no-untyped-def]
    bm25 = compare_run.metrics()["bm25"]
    assert len({json.dumps(v, sort_keys=True) for v in bm25.values()}) == 1


def test_tuned_model_differs_from_base(compare_run) -> None:  # type: ignore[no-untyped-def]
    base, tuned = compare_run.eval.ranks["base"], compare_run.eval.ranks["tuned"]
    assert any((base[d] != tuned[d]).any() for d in base)


def test_per_query_csv_has_rank_per_model_and_dim(compare_run) -> None:  # type: ignore[no-untyped-def]
    with (compare_run.out_dir / "per_query.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    eval_rows = [r for r in rows if r["section"] == "eval"]
    assert len(eval_rows) == 20 * 3 * 4 and len(rows) == (20 + 5) * 3 * 4
    ranks = {(r["query_id"], r["model"], int(r["dim"])): int(r["rank"]) for r in eval_rows}
    section = compare_run.eval
    for q, qid in enumerate(section.queries.ids):
        assert ranks[(qid, "tuned", 128)] == int(section.ranks["tuned"][128][q, 0])
        # a rank of 1 means full reciprocal rank, and the other way round
        row = next(
            r for r in eval_rows if r["query_id"] == qid and r["model"] == "base" and r["dim"] == "384"
        )
        assert (int(row["rank"]) == 1) == (float(row["mrr@10"]) == 1.0)


def test_report_answers_the_question(compare_run) -> None:  # type: ignore[no-untyped-def]
    report = (compare_run.out_dir / "report.md").read_text()
    for text in (
        "ndcg@10 by dimension",
        "Can the difference be trusted?",
        "Metrics at dim 64",
        "Metrics at dim 384",
        "Questions that moved most",
        "Hand-written questions",
        "| **ndcg@10** |",
    ):
        assert text in report
    spanning = [i for i in compare_run.eval.intervals if i.spans_zero]
    assert ("intervals span 0" in report) == bool(spanning)
    table = compare_run.format_table()
    assert "ndcg@10" in table and "tuned" in table and "bm25" in table and len(table.splitlines()) <= 12


def test_encodes_once_per_model_never_per_dim(
    dataset_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = SentenceTransformer.encode

    def counting(self, inputs, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(inputs))
        return original(self, inputs, *args, **kwargs)

    monkeypatch.setattr(SentenceTransformer, "encode", counting)
    result = compare(
        dataset_dir,
        {"base": "bundled-minilm"},
        tmp_path / "out",
        CompareSettings(dims=(256, 128, 64, 32), bootstrap_samples=0, device="cpu"),
    )
    assert sorted(result.metrics()["base"]) == [32, 64, 128, 256, 384]
    assert calls == [result.corpus_size, 20]  # the corpus once, the questions once


def test_picture_shows_every_question_set_and_bands_mean_their_label(compare_run) -> None:  # type: ignore[no-untyped-def]
    from matplotlib.pyplot import close

    from embedforge.evaluation.plot import ndcg_figure

    fig = ndcg_figure(compare_run.sections)
    try:
        top_eval, top_hand, delta_eval, _ = fig.axes  # row by row: the ndcg panels, then the Δ panels
        assert "eval split (20 questions)" in top_eval.get_title()
        assert "hand-written questions (5 questions)" in top_hand.get_title()
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        for top in (top_eval, top_hand):
            assert all("interval" not in t.get_text() for t in top.get_legend().get_texts())  # no band up here
            box = top.get_window_extent(renderer)
            for label in top.texts:  # every value label drawn inside its axis, none clipped at the edge
                extent = label.get_window_extent(renderer)
                assert box.y0 <= extent.y0 and extent.y1 <= box.y1, label.get_text()
        labels = [t.get_text() for t in delta_eval.get_legend().get_texts()]
        assert "95% paired-bootstrap interval of tuned − base" in labels
    finally:
        close(fig)


def test_report_tables_fold_recall_into_accuracy(compare_run) -> None:  # type: ignore[no-untyped-def]
    report = (compare_run.out_dir / "report.md").read_text()
    assert "| accuracy@1 = recall@1 |" in report and "| recall@1 |" not in report
