"""A LangChain ``BaseRetriever`` over :class:`~embedforge.evaluation.retriever.Retriever`.

So a dataset and a model drop into a LangChain RAG chain (``retriever | format_docs | prompt | llm``)
with nothing but ``langchain-core``. Imported only by ``Retriever.as_langchain``, so neither
``import embedforge`` nor a plain search loads LangChain.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever


class EmbedforgeRetriever(BaseRetriever):
    """``invoke(question)`` -> the ``k`` best chunks as ``Document``s (text, and the chunk's metadata).

    Attributes:
        retriever: the embedforge ``Retriever`` that searches.
        k: how many chunks each question gets.
    """

    retriever: Any
    k: int = 5

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [Document(page_content=hit.text, metadata=dict(hit.metadata), id=hit.chunk_id)
                for hit in self.retriever.search(query, self.k)]
