"""What the answering parts read of the library besides the fact store: its documents, provinces and
agencies, and the passage searcher.

One view is shared by the Answerer's parts (sources, agency lookup, passage and fact answers) and
refreshed in place by `Answerer.reload` after an upload or a reindex; the parts only read it. A refresh
builds each value first and then swaps it in, so a reader in another thread sees a whole value.
"""

from __future__ import annotations

import threading
from typing import Any

from bot.answering.agency_lookup import loose
from knowledge.store import FactStore


class LibraryView:
    def __init__(self) -> None:
        self.searcher: Any = None  # index.search.Searcher, or None while there is no index
        self.docs: dict[str, dict[str, Any]] = {}  # doc_id → its stored row
        self.unplaced_docs: list[str] = []  # documents that name no province
        self.provinces: list[str] = []
        self.agencies: list[dict[str, Any]] = []  # stored agencies, each with its `loose` key
        self._lock = threading.Lock()

    def refresh(self, store: FactStore, searcher: Any) -> None:
        """Read the documents, provinces and agencies again and take `searcher` as the current one."""
        with self._lock:
            self.searcher = searcher
            self.docs = {d["doc_id"]: d for d in store.documents()}
            self.unplaced_docs = [d for d, row in self.docs.items() if not row.get("province")]
            self.provinces = store.provinces()
            agencies = store.agencies()
            for a in agencies:
                a["loose"] = loose(a["key"])
            self.agencies = agencies
