"""Build the passage index for a set of documents and publish it atomically.

Everything is written into a fresh partial build directory; only when the vector index, the
lexical index and the passages are all on disk does the pointer swap (see index.store). If
anything raises, the partial directory is removed and the previous index keeps serving.
Embeddings come from a persistent cache beside the index, so a rebuild embeds only new text.
Adding documents writes a small delta segment beside the serving base (see index.segments).
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterable, Iterator
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
    PASSAGES_FILE,
    iter_live_passages,
    iter_passages,
    link_base,
    read_build_manifest,
)
from index.store import index_exists as index_exists  # re-exported: callers check before building
from index.vector_index import VectorIndex
from knowledge.database import Target
from knowledge.model import Document

CACHE_DIR = "embedding_cache"
CACHE_FILE = "vectors.sqlite"
EMBED_CHUNK = 128  # passages embedded between cache commits: an interrupted build loses little
STREAM_BLOCK = 5_000  # passages written and embedded (or read from the cache) together
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


def embed_with_cache(texts: list[str], embedder: Embedder, cache: EmbeddingCache) -> tuple[np.ndarray, int]:
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
    """doc_id → content hash the build was published with, or None (built without one).

    Raises index.segments.ManifestError when the manifest is unreadable: an unreadable manifest is
    not "no delta", and guessing would un-mask the old passages of changed documents.
    """
    return _documents_of(read_build_manifest(build))


def _documents_and_base(data: dict | None) -> tuple[dict[str, str], dict[str, str], set[str]] | None:
    """(documents, base documents, masked) of a manifest this passage format can reuse."""
    documents = _documents_of(data)
    if data is None or documents is None or data.get("passage_format") != PASSAGE_FORMAT:
        return None
    return documents, data.get("base", documents), set(data.get("masked", []))


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
    kept = ([p for p in iter_passages(build / DELTA_DIR) if p.doc_id in current]
            if (build / DELTA_DIR).exists() else [])
    return DeltaPlan(build, base, VectorIndex.read_meta(build).count, masked, kept,
                     delta_docs - {p.doc_id for p in kept})


def _write_manifest(build: Path, documents: dict[str, str] | None, base: dict[str, str] | None,
                    masked: set[str]) -> None:
    if documents is None:
        return
    data = {"passage_format": PASSAGE_FORMAT, "documents": documents, "base": base, "masked": sorted(masked)}
    (build / MANIFEST_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _blocks(items: Iterable[Passage], size: int) -> Iterator[list[Passage]]:
    it = iter(items)
    while block := list(itertools.islice(it, size)):
        yield block


def _write_segment(
    directory: Path, passages: Iterable[Passage], embedder: Embedder, cache: Target, vector_kind: str | None,
    approx_threshold: int, base: Path | None = None,
) -> tuple[int, int, str]:
    """Embed (cache first) and write one segment's files; returns (passages, newly embedded, vector kind).

    Passages stream through: each block is written to passages.jsonl and embedded, then dropped;
    BM25 and the accent counts re-read the file. Only one structure over all passages is in memory
    at a time (≈ 0.6–0.8 GB at 360k passages, where holding the passages alone took 1.4 GB).
    With `base`, the segment is a delta beside that base: BM25 uses IDF over both, and the accent
    counts leave the built-in phrases to the base.
    """
    parts: list[np.ndarray] = []
    count = embedded = 0
    with EmbeddingCache(cache) as vectors_of, open(directory / PASSAGES_FILE, "w", encoding="utf-8") as fh:
        for block in _blocks(passages, STREAM_BLOCK):
            vectors, new = embed_with_cache([p.text for p in block], embedder, vectors_of)
            parts.append(vectors)
            embedded += new
            count += len(block)
            fh.writelines(json.dumps(p.to_json(), ensure_ascii=False) + "\n" for p in block)
    vindex = VectorIndex.build_from_parts(parts, embedder.name, approx_threshold, vector_kind, dim=embedder.dim)
    vindex.save_index(directory)
    meta = vindex.meta
    del vindex
    lexical = LexicalIndex.build(lexical_text(p) for p in iter_passages(directory))
    if base is not None:
        lexical.rescale_to(LexicalIndex.load(base))
    lexical.save(directory)
    del lexical
    AccentRestorer.build((p.text for p in iter_passages(directory)), seeded=base is None).save(directory)
    VectorIndex.save_meta(directory, meta)  # last: meta.json marks the segment complete
    return count, embedded, meta.kind


def build_passages(
    passages: Iterable[Passage], index_dir: Path, embedder: Embedder, approx_threshold: int,
    manifest: dict[str, str] | None = None, cache: Target | None = None,
) -> BuildReport:
    """Index ready-made passages as one base segment (the benchmark feeds generated ones); see build_index.

    `cache`: where embeddings are kept (a SQLite file or a PostgreSQL URL); beside the index by default."""
    started = time.perf_counter()
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    partial = store.new_partial(index_dir)
    try:
        _write_manifest(partial, manifest, manifest, set())
        count, embedded, kind = _write_segment(partial, passages, embedder, cache or cache_path(index_dir), None,
                                               approx_threshold)
        final = store.publish(index_dir, partial)
    except BaseException:
        store.discard(partial)
        raise
    store.collect_garbage(index_dir)
    return BuildReport(
        passages=count, embedded=embedded, reused=count - embedded,
        seconds=time.perf_counter() - started, build_dir=final, kind=kind,
    )


def build_delta(
    plan: DeltaPlan, passages: list[Passage], index_dir: Path, embedder: Embedder, manifest: dict[str, str],
    cache: Target | None = None,
) -> BuildReport:
    """A new build sharing the serving build's base segment, with `passages` as its delta segment."""
    started = time.perf_counter()
    partial = store.new_partial(Path(index_dir))
    embedded, kind = 0, VectorIndex.read_meta(plan.build).kind
    try:
        link_base(plan.build, partial)
        if passages:
            (partial / DELTA_DIR).mkdir()
            _, embedded, delta_kind = _write_segment(partial / DELTA_DIR, passages, embedder,
                                                     cache or cache_path(index_dir), "flat", 0, base=partial)
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
    embedder: Embedder, approx_threshold: int, mode: str = "add", cache: Target | None = None,
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
            return build_delta(plan, passages, index_dir, embedder, hashes, cache)
    stream = _every_passage(index_dir, hashes, cut, fresh, reuse=mode != "recut")
    return build_passages(stream, index_dir, embedder, approx_threshold, manifest=hashes, cache=cache)


def _every_passage(
    index_dir: Path, hashes: dict[str, str], cut: Callable[[set[str]], dict[str, list[Passage]]],
    fresh: dict[str, list[Passage]], reuse: bool,
) -> Iterator[Passage]:
    """The passages of every document, streamed: the serving build's where reusable, `fresh` ones, then
    the rest cut one document at a time (a full build never holds every passage at once)."""
    done = set(fresh)
    for passages in fresh.values():
        yield from passages
    build = store.current_build(Path(index_dir))
    known = _documents_and_base(read_build_manifest(build)) if build and reuse else None
    if build is not None and known is not None:
        current = {d for d, h in known[0].items() if hashes.get(d) == h} - done
        for p in iter_live_passages(build):
            if p.doc_id in current:
                done.add(p.doc_id)
                yield p
    for doc_id in sorted(set(hashes) - done):
        yield from cut({doc_id}).get(doc_id, [])


def build_index(
    documents: list[Document], index_dir: Path, embedder: Embedder, approx_threshold: int,
    manifest: dict[str, str] | None = None,
) -> BuildReport:
    """Index every passage of `documents` into a new build of `index_dir` and make it current.

    `manifest` (doc_id → content hash) is stored in the build so callers can later tell whether
    the index still matches their documents (see read_manifest).
    Raises whatever the embedder or the disk raises; the index that was serving stays in place.
    """
    passages = (p for doc in documents for p in passages_for(doc))
    return build_passages(passages, index_dir, embedder, approx_threshold, manifest)
