"""Write the ALS test dataset through embedforge's own dataset writer, with real document titles.

The evaluation fixtures write a ``RetrievalDataset`` whose corpus titles are already empty; a folder
from ``dataset build`` holds chunks with their documents' titles. This writes such a folder (chunks
titled like the ALS documents, the hand-written questions, their split), so that a reader that embeds
``title + text`` (BEIR, MTEB) would see what it sees on a real dataset.
"""

from __future__ import annotations

from pathlib import Path

from embedforge.corpus.record import Chunk
from embedforge.counts import Counts
from embedforge.dataset.assemble import assemble
from embedforge.dataset.layout import RetrievalDataset
from embedforge.dataset.writer import summarize, write_folder
from embedforge.generators.records import QuestionRecord

TITLES = {"ninds-als-overview.html": "Amyotrophic Lateral Sclerosis (ALS) | NINDS",
          "family-caregivers-self-care.pdf": "Family Caregivers: Taking Care of Yourself"}


def write_titled_folder(dataset: RetrievalDataset, out: Path) -> Path:
    """Write ``dataset`` (the hand-written ALS one) as ``dataset build`` would; return ``out``."""
    chunks = [Chunk.create(str(row["text"]), source=str(row["source"]), title=TITLES.get(str(row["source"]), ""))
              for row in dataset.corpus.values()]
    split = {cid: name for name, table in dataset.qrels.items() for rel in table.values() for cid in rel}
    records = [
        QuestionRecord(chunk_id=str(row["chunk_id"]), slot=0, question=str(row["text"]), status="kept", reason=None,
                       prompt_name="hand-written", prompt_hash="", llm="person", raw=str(row["text"]),
                       candidate=str(row["text"]), created_at="2026-12-01T00:00:00Z", cached=False)
        for row in dataset.queries.values()
    ]
    built = assemble(chunks, records, split)
    summary = summarize(out, built, Counts())
    write_folder(out, built, chunks, split, summary, kind="build", configuration={}, inputs={},
                 card_settings={"license": "cc-by-4.0", "language": "en"})
    return out
