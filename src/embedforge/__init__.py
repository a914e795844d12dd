"""embedforge: turn a pile of documents into a better retriever."""

from __future__ import annotations

__version__ = "0.1.0"
