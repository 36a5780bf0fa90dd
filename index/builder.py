"""Build the passage index for a set of documents and publish it atomically.

Everything is written into a fresh partial build directory; only when the vector index, the
lexical index and the passages are all on disk does the pointer swap (see index.store). If
anything raises, the partial directory is removed and the previous index keeps serving.
Embeddings come from a persistent cache beside the index, so a rebuild embeds only new text.
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
from index.store import index_exists as index_exists  # re-exported: callers check before building
from index.vector_index import VectorIndex
from knowledge.model import Document

PASSAGES_FILE = "passages.jsonl"
MANIFEST_FILE = "documents.json"  # passage format + doc_id → content hash of the documents built from
CACHE_DIR = "embedding_cache"
CACHE_FILE = "vectors.sqlite"
EMBED_CHUNK = 128  # passages embedded between cache commits: an interrupted build loses little


@dataclass
class BuildReport:
    passages: int
    embedded: int  # newly computed embeddings
    reused: int  # passages whose embedding came from the cache
    seconds: float
    build_dir: Path
    kind: str  # vector index kind: flat | ivf


def cache_path(index_dir: Path) -> Path:
    return Path(index_dir).parent / CACHE_DIR / CACHE_FILE


def embed_with_cache(
    texts: list[str], embedder: Embedder, cache: EmbeddingCache,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, int]:
    """Vectors for `texts` in order, embedding only texts the cache lacks; returns (vectors, embedded)."""
    keys = [cache_key(embedder.name, t) for t in texts]
    known = cache.get_many(keys, embedder.dim)
    missing = list(dict.fromkeys(k for k in keys if k not in known))
    text_of = dict(zip(keys, texts, strict=True))
    for i in range(0, len(missing), EMBED_CHUNK):
        chunk = missing[i:i + EMBED_CHUNK]
        vecs = embedder.embed_passages([text_of[k] for k in chunk])
        if vecs.shape != (len(chunk), embedder.dim):
            raise ValueError(f"embedder {embedder.name!r} returned shape {vecs.shape}, "
                             f"expected {(len(chunk), embedder.dim)}")
        pairs = list(zip(chunk, vecs, strict=True))
        cache.put_many(pairs)
        known.update(pairs)
        if progress:
            progress(min(i + EMBED_CHUNK, len(missing)), len(missing))
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for row, k in enumerate(keys):
        out[row] = known[k]
    return out, len(missing)


def lexical_text(p: Passage) -> str:
    """What BM25 indexes: the passage text preceded by its document label."""
    return f"{p.doc_label}. {p.text}" if p.doc_label else p.text


def write_passages(directory: Path, passages: list[Passage]) -> None:
    with open(directory / PASSAGES_FILE, "w", encoding="utf-8") as fh:
        for p in passages:
            fh.write(json.dumps(p.to_json(), ensure_ascii=False) + "\n")


def read_passages(directory: Path) -> list[Passage]:
    with open(directory / PASSAGES_FILE, encoding="utf-8") as fh:
        return [Passage.from_json(json.loads(line)) for line in fh if line.strip()]


def _manifest_file(build: Path) -> dict | None:
    try:
        data = json.loads((Path(build) / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _documents_of(data: dict | None) -> dict[str, str] | None:
    """The doc_id → hash part of a manifest (older builds wrote that mapping alone)."""
    if data is None:
        return None
    documents = data.get("documents", data) if "passage_format" in data else data
    return documents if isinstance(documents, dict) else None


def read_manifest(build: Path) -> dict[str, str] | None:
    """doc_id → content hash the build was published with, or None (built without one, or unreadable)."""
    return _documents_of(_manifest_file(build))


def reusable_passages(index_dir: Path, hashes: dict[str, str]) -> dict[str, list[Passage]]:
    """Passages of the serving build for documents whose content is unchanged (doc_id → passages).

    Re-cutting means re-parsing every stored document, which dominates an incremental rebuild once
    there are thousands; a build of another passage format gives nothing, so it is cut afresh.
    """
    build = store.current_build(Path(index_dir))
    data = _manifest_file(build) if build else None
    if build is None or data is None or data.get("passage_format") != PASSAGE_FORMAT:
        return {}
    keep = {d for d, h in (_documents_of(data) or {}).items() if hashes.get(d) == h}
    out: dict[str, list[Passage]] = {}
    for p in read_passages(build):
        if p.doc_id in keep:
            out.setdefault(p.doc_id, []).append(p)
    return out


def build_passages(
    passages: list[Passage], index_dir: Path, embedder: Embedder, approx_threshold: int,
    progress: Callable[[int, int], None] | None = None, manifest: dict[str, str] | None = None,
) -> BuildReport:
    """Index ready-made passages (the benchmark feeds generated ones); see build_index."""
    started = time.perf_counter()
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    partial = store.new_partial(index_dir)
    try:
        texts = [p.text for p in passages]
        with EmbeddingCache(cache_path(index_dir)) as cache:
            vectors, embedded = embed_with_cache(texts, embedder, cache, progress)
        write_passages(partial, passages)
        if manifest is not None:
            (partial / MANIFEST_FILE).write_text(
                json.dumps({"passage_format": PASSAGE_FORMAT, "documents": manifest}, ensure_ascii=False),
                encoding="utf-8")
        LexicalIndex.build([lexical_text(p) for p in passages]).save(partial)
        AccentRestorer.build(texts).save(partial)
        vindex = VectorIndex.build(vectors, embedder.name, approx_threshold)
        vindex.save(partial)  # writes meta.json last: it marks the build complete
        final = store.publish(index_dir, partial)
    except BaseException:
        store.discard(partial)
        raise
    store.collect_garbage(index_dir)
    return BuildReport(
        passages=len(passages), embedded=embedded, reused=len(passages) - embedded,
        seconds=time.perf_counter() - started, build_dir=final, kind=vindex.meta.kind,
    )


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
