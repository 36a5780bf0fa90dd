"""Build the passage index for a set of documents and publish it atomically.

Everything is written into a fresh partial build directory; only when the vector index, the
lexical index and the passages are all on disk does the pointer swap (see index.store). If
anything raises, the partial directory is removed and the previous index keeps serving.
Embeddings come from a persistent cache beside the index, so a rebuild embeds only new text.
Adding documents writes a small delta segment beside the serving base (see index.segments).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import store
from index.accents import AccentRestorer
from index.cache import EmbeddingCache, cache_key
from index.embeddings import Embedder
from index.lexical import LexicalIndex
from index.passages import PASSAGE_FORMAT, Passage, passages_for
from index.segments import (
    DELTA_DIR,
    MANIFEST_FILE,
    link_base,
    live_passages,
    read_build_manifest,
    read_passages,
    write_passages,
)
from index.store import index_exists as index_exists  # re-exported: callers check before building
from index.vector_index import VectorIndex
from knowledge.model import Document

CACHE_DIR = "embedding_cache"
CACHE_FILE = "vectors.sqlite"
EMBED_CHUNK = 128  # passages embedded between cache commits: an interrupted build loses little
LOOKUP_CHUNK = 20_000  # cached vectors read per query
# A delta segment is searched exactly (flat FAISS) and rebuilt on every add, so it stays small: at
# most this many passages (≈140 directives), and never more than the base. Past that, a full build.
DELTA_MAX_PASSAGES = 5_000


@dataclass
class BuildReport:
    passages: int
    embedded: int  # newly computed embeddings
    reused: int  # passages whose embedding came from the cache
    seconds: float
    build_dir: Path
    kind: str  # vector index kind: flat | ivf, "+flat" when a delta segment was written
    delta: int = 0  # passages in the delta segment (0: a full build)


@dataclass
class DeltaPlan:
    """How the serving build can absorb the current documents without touching its base segment."""

    build: Path
    base: dict[str, str]  # doc_id → hash of the documents in the base segment
    base_passages: int
    masked: set[str]  # base documents changed or removed since: their base passages are hidden
    kept: list[Passage]  # passages of the serving delta still current
    cut: set[str]  # documents whose passages must be cut afresh


def cache_path(index_dir: Path) -> Path:
    return Path(index_dir).parent / CACHE_DIR / CACHE_FILE


def embed_with_cache(
    texts: list[str], embedder: Embedder, cache: EmbeddingCache,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, int]:
    """Vectors for `texts` in order, embedding only texts the cache lacks; returns (vectors, embedded).

    Cached vectors are read in chunks straight into the result matrix: holding them all as
    separate arrays first would double the memory of a 360k-passage build.
    """
    rows_of: dict[str, list[int]] = {}
    for row, text in enumerate(texts):
        rows_of.setdefault(cache_key(embedder.name, text), []).append(row)
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    unique = list(rows_of)
    missing: list[str] = []
    for i in range(0, len(unique), LOOKUP_CHUNK):
        chunk = unique[i:i + LOOKUP_CHUNK]
        found = cache.get_many(chunk, embedder.dim)
        for key in chunk:
            if key in found:
                out[rows_of[key]] = found[key]
            else:
                missing.append(key)
    for i in range(0, len(missing), EMBED_CHUNK):
        chunk = missing[i:i + EMBED_CHUNK]
        vecs = embedder.embed_passages([texts[rows_of[k][0]] for k in chunk])
        if vecs.shape != (len(chunk), embedder.dim):
            raise ValueError(f"embedder {embedder.name!r} returned shape {vecs.shape}, "
                             f"expected {(len(chunk), embedder.dim)}")
        cache.put_many(zip(chunk, vecs, strict=True))
        for key, vec in zip(chunk, vecs, strict=True):
            out[rows_of[key]] = vec
        if progress:
            progress(min(i + EMBED_CHUNK, len(missing)), len(missing))
    return out, len(missing)


def lexical_text(p: Passage) -> str:
    """What BM25 indexes: the passage text preceded by its document label."""
    return f"{p.doc_label}. {p.text}" if p.doc_label else p.text


def _documents_of(data: dict | None) -> dict[str, str] | None:
    """The doc_id → hash part of a manifest (older builds wrote that mapping alone)."""
    if data is None:
        return None
    documents = data.get("documents", data) if "passage_format" in data else data
    return documents if isinstance(documents, dict) else None


def read_manifest(build: Path) -> dict[str, str] | None:
    """doc_id → content hash the build was published with, or None (built without one, or unreadable)."""
    return _documents_of(read_build_manifest(build))


def _documents_and_base(data: dict | None) -> tuple[dict[str, str], dict[str, str], set[str]] | None:
    """(documents, base documents, masked) of a manifest this passage format can reuse."""
    documents = _documents_of(data)
    if data is None or documents is None or data.get("passage_format") != PASSAGE_FORMAT:
        return None
    return documents, data.get("base", documents), set(data.get("masked", []))


def reusable_passages(index_dir: Path, hashes: dict[str, str]) -> dict[str, list[Passage]]:
    """Passages of the serving build for documents whose content is unchanged (doc_id → passages).

    Re-cutting means re-parsing every stored document, which dominates a rebuild once there are
    thousands; a build of another passage format gives nothing, so it is cut afresh.
    """
    build = store.current_build(Path(index_dir))
    known = _documents_and_base(read_build_manifest(build)) if build else None
    if build is None or known is None:
        return {}
    current = {d for d, h in known[0].items() if hashes.get(d) == h}
    out: dict[str, list[Passage]] = {}
    for p in live_passages(build):
        if p.doc_id in current:
            out.setdefault(p.doc_id, []).append(p)
    return out


def delta_plan(index_dir: Path, hashes: dict[str, str]) -> DeltaPlan | None:
    """None when only a full build will do (no serving build, or one of another passage format)."""
    build = store.current_build(Path(index_dir))
    known = _documents_and_base(read_build_manifest(build)) if build else None
    if build is None or known is None:
        return None
    documents, base, masked = known
    masked |= {d for d, h in base.items() if hashes.get(d) != h}
    delta_docs = {d for d in hashes if d not in base or d in masked}
    current = {d for d in delta_docs if documents.get(d) == hashes[d]}
    kept = ([p for p in read_passages(build / DELTA_DIR) if p.doc_id in current]
            if (build / DELTA_DIR).exists() else [])
    return DeltaPlan(build, base, VectorIndex.read_meta(build).count, masked, kept,
                     delta_docs - {p.doc_id for p in kept})


def _write_manifest(build: Path, documents: dict[str, str] | None, base: dict[str, str] | None,
                    masked: set[str]) -> None:
    if documents is None:
        return
    data = {"passage_format": PASSAGE_FORMAT, "documents": documents, "base": base, "masked": sorted(masked)}
    (build / MANIFEST_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _write_segment(
    directory: Path, passages: list[Passage], embedder: Embedder, cache_file: Path, vector_kind: str | None,
    approx_threshold: int, base: Path | None = None, progress: Callable[[int, int], None] | None = None,
) -> tuple[int, str]:
    """Embed (cache first) and write one segment's files; returns (newly embedded, vector index kind).

    With `base`, the segment is a delta beside that base: BM25 uses IDF over both, and the accent
    counts leave the built-in phrases to the base.
    """
    texts = [p.text for p in passages]
    with EmbeddingCache(cache_file) as cache:
        vectors, embedded = embed_with_cache(texts, embedder, cache, progress)
    # One structure at a time, each dropped once written, so the peak is the largest, not their sum.
    vindex = VectorIndex.build(vectors, embedder.name, approx_threshold, vector_kind)
    del vectors
    vindex.save_index(directory)
    meta = vindex.meta
    del vindex
    write_passages(directory, passages)
    lexical = LexicalIndex.build([lexical_text(p) for p in passages])
    if base is not None:
        lexical.rescale_to(LexicalIndex.load(base))
    lexical.save(directory)
    del lexical
    AccentRestorer.build(texts, seeded=base is None).save(directory)
    VectorIndex.save_meta(directory, meta)  # last: meta.json marks the segment complete
    return embedded, meta.kind


def build_passages(
    passages: list[Passage], index_dir: Path, embedder: Embedder, approx_threshold: int,
    progress: Callable[[int, int], None] | None = None, manifest: dict[str, str] | None = None,
) -> BuildReport:
    """Index ready-made passages as one base segment (the benchmark feeds generated ones); see build_index."""
    started = time.perf_counter()
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    partial = store.new_partial(index_dir)
    try:
        _write_manifest(partial, manifest, manifest, set())
        embedded, kind = _write_segment(partial, passages, embedder, cache_path(index_dir), None,
                                        approx_threshold, progress=progress)
        final = store.publish(index_dir, partial)
    except BaseException:
        store.discard(partial)
        raise
    store.collect_garbage(index_dir)
    return BuildReport(
        passages=len(passages), embedded=embedded, reused=len(passages) - embedded,
        seconds=time.perf_counter() - started, build_dir=final, kind=kind,
    )


def build_delta(
    plan: DeltaPlan, passages: list[Passage], index_dir: Path, embedder: Embedder, manifest: dict[str, str],
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """A new build sharing the serving build's base segment, with `passages` as its delta segment."""
    started = time.perf_counter()
    partial = store.new_partial(Path(index_dir))
    embedded, kind = 0, VectorIndex.read_meta(plan.build).kind
    try:
        link_base(plan.build, partial)
        if passages:
            (partial / DELTA_DIR).mkdir()
            embedded, delta_kind = _write_segment(partial / DELTA_DIR, passages, embedder, cache_path(index_dir),
                                                  "flat", 0, base=partial, progress=progress)
            kind = f"{kind}+{delta_kind}"
        _write_manifest(partial, manifest, plan.base, plan.masked)
        final = store.publish(Path(index_dir), partial)
    except BaseException:
        store.discard(partial)
        raise
    store.collect_garbage(Path(index_dir))
    return BuildReport(
        passages=plan.base_passages + len(passages), embedded=embedded, reused=len(passages) - embedded,
        seconds=time.perf_counter() - started, build_dir=final, kind=kind, delta=len(passages),
    )


MODES = ("add", "compact", "recut")


def update_index(
    index_dir: Path, hashes: dict[str, str], cut: Callable[[set[str]], dict[str, list[Passage]]],
    embedder: Embedder, approx_threshold: int, mode: str = "add",
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Make the index match the documents `hashes` names, doing as little as `mode` allows.

    `cut(doc_ids)` gives the passages of documents the serving build cannot supply.
    add: documents added or changed since the last full build go to the delta segment while it
    stays small, otherwise as compact. compact: one new base segment from every document, reusing
    the serving build's passages. recut: one new base with every passage cut afresh.
    """
    if mode not in MODES:
        raise ValueError(f"unknown index update mode {mode!r}")
    plan = delta_plan(index_dir, hashes) if mode == "add" else None
    fresh: dict[str, list[Passage]] = {}
    if plan is not None:
        fresh = cut(plan.cut)
        passages = plan.kept + [p for d in sorted(fresh) for p in fresh[d]]
        if len(passages) <= min(DELTA_MAX_PASSAGES, plan.base_passages):
            return build_delta(plan, passages, index_dir, embedder, hashes, progress)
    by_doc = {} if mode == "recut" else reusable_passages(index_dir, hashes)
    by_doc.update(fresh)
    by_doc.update(cut(set(hashes) - set(by_doc)))
    passages = [p for doc_id in sorted(by_doc) for p in by_doc[doc_id]]
    return build_passages(passages, index_dir, embedder, approx_threshold, progress, manifest=hashes)


def build_index(
    documents: list[Document], index_dir: Path, embedder: Embedder, approx_threshold: int,
    progress: Callable[[int, int], None] | None = None, manifest: dict[str, str] | None = None,
) -> BuildReport:
    """Index every passage of `documents` into a new build of `index_dir` and make it current.

    `manifest` (doc_id → content hash) is stored in the build so callers can later tell whether
    the index still matches their documents (see read_manifest).
    Raises whatever the embedder or the disk raises; the index that was serving stays in place.
    """
    passages = [p for doc in documents for p in passages_for(doc)]
    return build_passages(passages, index_dir, embedder, approx_threshold, progress, manifest)
