"""Hybrid passage search: dense (FAISS) and BM25 candidates fused into one ranking with citations.

The Searcher is immutable after load: search() only reads shared structures and allocates its
own arrays, and the embedder serialises model calls, so one Searcher serves concurrent threads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from index import fusion, store
from index.accents import needs_restoring
from index.embeddings import Embedder, load_embedder
from index.passages import Passage
from index.segments import (
    ManifestError,
    Segment,
    SegmentedPassages,
    combined,
    read_build_manifest,
    segment_dirs,
)
from index.vector_index import IndexMismatch, VectorIndex
from knowledge.config import DataSettings, load_data_settings
from knowledge.provinces import provinces_in
from knowledge.text import fold

FUSION = "weighted"  # measured better than RRF on the dev questions (see benchmarks/retrieval.py)
CANDIDATES = 50  # taken from each of the dense and lexical lists before fusion
PREFERRED_DOC_ROWS = 2000  # a preferred document's passages are all scored if it has at most this many
# Multiplier on the fused score (which lies in [0, 1]). A province named in the question is a light
# hint: it reorders close calls but does not bury a clearly better passage from elsewhere. A document
# named in the question is no hint but a restriction (`only_doc_ids`).
PROVINCE_BOOST = 1.2
LOAD_ATTEMPTS = 5  # a reader racing repeated swaps retries on the build that serves now

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Hit(Passage):
    """A passage with its fused score and the components it came from (cosine, BM25)."""

    score: float = 0.0
    dense: float = 0.0
    lexical: float = 0.0


_PASSAGE_FIELDS = tuple(f.name for f in fields(Passage))


def _fields_of(passage: Passage) -> dict[str, object]:
    """A passage's fields for its Hit: all plain values (str, int, None), so no deep copy (asdict's) is needed."""
    return {name: getattr(passage, name) for name in _PASSAGE_FIELDS}


class Searcher:
    def __init__(
        self, segments: list[Segment], embedder: Embedder, fusion_weight: float, fusion_method: str = FUSION,
        masked: set[str] | frozenset[str] = frozenset(),
    ) -> None:
        """`segments`: base first, then the delta (see index.segments); `masked`: documents whose
        base passages are superseded (changed or removed since the base was built)."""
        if fusion_method not in fusion.METHODS:
            raise ValueError(f"unknown fusion method {fusion_method!r}")
        self.segments = segments
        self.passages = SegmentedPassages([seg.passages for seg in segments])
        self.vectors, self.lexical, self.accents = combined(segments)
        self.embedder = embedder
        self.fusion_weight = fusion_weight
        self.fusion_method = fusion_method
        self._live = np.ones(len(self.passages), dtype=bool)
        for doc_id in masked:
            rows = segments[0].doc_rows.get(doc_id)
            if rows is not None:
                self._live[rows] = False
        self._all_live = bool(self._live.all())
        self._doc_rows: dict[str, np.ndarray] = {}
        for seg, offset in zip(segments, self.passages.offsets, strict=False):
            for doc_id, rows in seg.doc_rows.items():
                live = rows[self._live[rows + offset]] + offset
                if len(live):
                    self._doc_rows[doc_id] = live

    @classmethod
    def load(
        cls, index_dir: Path, embedder: Embedder | None = None, settings: DataSettings | None = None,
        fusion_method: str = FUSION, previous: Searcher | None = None,
    ) -> Searcher:
        """Open the serving build of `index_dir`.

        Segments that `previous` (the searcher serving so far) already holds are reused, not read
        again: after adding a directive only the small delta is loaded.
        Raises FileNotFoundError when no index was built yet, and IndexMismatch when it was built
        with another embedding model than the one configured (or given). When the serving build's
        manifest is unreadable (index.segments.ManifestError) the build is not served: `previous` is
        returned (and an error logged) if there is one, else the error is raised.
        """
        settings = settings or load_data_settings()
        for attempt in range(LOAD_ATTEMPTS):
            build = cls._serving(index_dir)
            try:
                return cls._load_build(build, embedder, settings, fusion_method, previous)
            except ManifestError as exc:
                if previous is None:
                    raise
                log.error("Keeping the index already loaded: %s", exc)
                return previous
            except (OSError, RuntimeError):
                # Swaps happened while we read and this build was collected (faiss reports a
                # vanished file as RuntimeError): read the build that serves now.
                if store.current_build(Path(index_dir)) == build or attempt == LOAD_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    @staticmethod
    def _serving(index_dir: Path) -> Path:
        build = store.current_build(Path(index_dir))
        if build is None:
            raise FileNotFoundError(f"No search index in {index_dir}; run `directive-bot reindex` to build it.")
        return build

    @classmethod
    def _load_build(
        cls, build: Path, embedder: Embedder | None, settings: DataSettings, fusion_method: str,
        previous: Searcher | None,
    ) -> Searcher:
        manifest = read_build_manifest(build) or {}  # first: a build whose masks are unknown is not read
        meta = VectorIndex.read_meta(build)
        wanted = embedder.name if embedder else settings.embedding_model
        if meta.model != wanted:
            raise IndexMismatch(
                f"The search index in {build} was built with embedding model {meta.model!r}, but the "
                f"configured model is {wanted!r}. Run `directive-bot reindex` to rebuild the index."
            )
        embedder = embedder or load_embedder(settings.embedding_model)
        held = {seg.ident: seg for seg in (previous.segments if previous else []) if seg.ident}
        segments = []
        for directory in segment_dirs(build):
            ident = VectorIndex.read_meta(directory).segment
            segments.append(held[ident] if ident in held else Segment.load(directory, embedder.name, embedder.dim))
        return cls(segments, embedder, settings.fusion_weight, fusion_method, set(manifest.get("masked", [])))

    def document_passages(self, doc_id: str) -> list[Passage]:
        """The live passages of one document, in their order in it."""
        return [self.passages[int(row)] for row in self._doc_rows.get(doc_id, ())]

    def get(self, pid: str) -> Passage | None:
        """The live passage with this id (ids are "<doc_id>:<section>"), or None."""
        for row in self._doc_rows.get(pid.rpartition(":")[0], ()):
            passage = self.passages[int(row)]
            if passage.pid == pid:
                return passage
        return None

    def search(
        self, query: str, k: int = 5, only_doc_ids: set[str] | None = None,
        prefer_provinces: list[str] | None = None,
    ) -> list[Hit]:
        """Top-k passages for a question, best first; with `only_doc_ids`, passages of those documents only."""
        if not query.strip() or not len(self.passages) or k <= 0:
            return []
        # The embedding model needs diacritics; BM25 folds them away and reads the query as typed.
        dense_query = self.accents.restore(query) if self.accents and needs_restoring(query) else query
        qvec = self.embedder.embed_queries([dense_query])[0]
        lex_all = self.lexical.scores(query)
        if not self._all_live:  # masked passages must not take the lexical candidates' places
            lex_all[~self._live] = 0.0
        pool = self._candidates(qvec, lex_all, only_doc_ids)
        if only_doc_ids:
            pool = pool[[self.passages.doc_id(int(r)) in only_doc_ids for r in pool]]
            if not len(pool):
                return []
        dense = self.vectors.vectors(pool) @ qvec
        lexical = lex_all[pool]
        fused = fusion.fuse(self.fusion_method, dense, lexical, self.fusion_weight)
        fused *= self._boosts(pool, query, prefer_provinces)
        order = np.argsort(-fused, kind="stable")[:k]
        return [
            Hit(**_fields_of(self.passages[int(pool[j])]), score=float(fused[j]), dense=float(dense[j]),
                lexical=float(lexical[j]))
            for j in order
        ]

    def _candidates(self, qvec: np.ndarray, lex_all: np.ndarray, only_doc_ids: set[str] | None) -> np.ndarray:
        """Union of the dense and lexical top lists, plus every passage of small named documents."""
        _, dense_ids = self.vectors.search(qvec, CANDIDATES)
        parts = [dense_ids[dense_ids >= 0]]
        n_lex = min(CANDIDATES, len(lex_all))
        top_lex = np.argpartition(-lex_all, n_lex - 1)[:n_lex]
        parts.append(top_lex[lex_all[top_lex] > 0])
        for doc_id in only_doc_ids or ():
            rows = self._doc_rows.get(doc_id)
            if rows is not None and len(rows) <= PREFERRED_DOC_ROWS:
                parts.append(rows)
        pool = np.unique(np.concatenate(parts).astype(np.int64))
        return pool[self._live[pool]]

    def _boosts(self, pool: np.ndarray, query: str, prefer_provinces: list[str] | None) -> np.ndarray:
        boost = np.ones(len(pool))
        provinces = {fold(p) for p in [*provinces_in(query), *(prefer_provinces or [])]}
        if provinces:
            boost[self.passages.in_provinces(pool, provinces)] *= PROVINCE_BOOST
        return boost
