"""The report folder ``compare`` writes, its files named once.

``metrics.json`` (every number, for programs), ``report.md`` (for people), ``per_query.csv``
(each question's rank per model and dim) and ``ndcg_by_dim.png``. A report may be written over
(no ``--overwrite`` needed); ``metrics.json`` present says a run's comparison is done. Light (no
torch), so the run's stages, its closing lines and ``compare --out``'s check read it for free.
"""

from __future__ import annotations

from embedforge.outdir import Output

METRICS_FILE = "metrics.json"
REPORT_FILE = "report.md"
PER_QUERY_FILE = "per_query.csv"
PLOT_FILE = "ndcg_by_dim.png"
REPORT_OUTPUT = Output("report", frozenset({METRICS_FILE, REPORT_FILE, PER_QUERY_FILE, PLOT_FILE}),
                       complete=METRICS_FILE)
