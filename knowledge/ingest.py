"""Ingest pipeline: file bytes → document → facts (fact store) and passages (search index).

Writes are serialised by a lock file in BOT_DATA_DIR so the bot and the CLI never ingest at the
same time. A file is fully read and parsed before anything is written; the store write is one
transaction; the new index build is written next to the serving one and swapped atomically
(embeddings are cached, so only new passages are embedded; new documents go to a small delta
segment, so the large base is not rebuilt per upload). Each index build records which stored
documents it was made from, so a crash between the two writes is noticed and repaired by the next
ingest.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge.config import Settings
from knowledge.extract import extract
from knowledge.model import Document
from knowledge.reader import RawDocument, RejectedFile, read_bytes, read_path
from knowledge.review import ReviewItem, review_items
from knowledge.store import FactStore
from knowledge.structure import parse_document

if TYPE_CHECKING:
    from index.passages import Passage

__all__ = ["IngestReport", "RejectedFile", "compact", "ingest_bytes", "ingest_paths", "reindex", "stored_documents"]


@dataclass
class IngestReport:
    doc_id: str
    type: str | None
    number: str | None
    issued_date: date | None
    issuer: str | None
    title: str | None
    deadlines: int
    targets: int
    results: int
    changed: bool
    review: list[ReviewItem] = field(default_factory=list)

    def summary(self) -> str:
        """One line for operators: id, type, date, counts."""
        when = self.issued_date.isoformat() if self.issued_date else "date unknown"
        flag = "" if self.changed else " (unchanged)"
        return (f"{self.doc_id}: {self.type or 'unknown type'} {self.number or ''} {when}; "
                f"{self.deadlines} deadlines, {self.targets} targets, {self.results} results{flag}").replace("  ", " ")

    def review_lines(self) -> list[str]:
        """What an operator should check, one line per item (English, for the CLI)."""
        words = {"no_agency": "no agency found", "year_inferred": "year inferred",
                 "relative": "limit relative to an event (no reminder)"}
        return [f"  review: {words[i.kind]}: «{i.quote}»" for i in self.review]


@contextmanager
def write_lock(settings: Settings) -> Iterator[None]:
    """Exclusive lock over store and index writes, across processes."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.data_dir / ".write.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_MAX_COPY_STEM_BYTES = 200  # file systems allow 255 bytes per name


def _safe_copy_name(raw: RawDocument) -> str:
    """Word characters only, and short enough for the file system (a cut name keeps a hash of the id)."""
    stem = re.sub(r"[^\w.-]+", "_", raw.doc_id, flags=re.UNICODE).strip("._") or "document"
    if len(stem.encode("utf-8")) > _MAX_COPY_STEM_BYTES:
        head = stem.encode("utf-8")[:_MAX_COPY_STEM_BYTES - 9].decode("utf-8", errors="ignore")
        stem = f"{head}-{hashlib.sha1(raw.doc_id.encode('utf-8')).hexdigest()[:8]}"
    return f"{stem}.{raw.format}"


def _keep_copy(settings: Settings, raw: RawDocument) -> None:
    """Store the original file inside BOT_DATA_DIR/files (never outside it), atomically."""
    files = settings.files_dir
    files.mkdir(parents=True, exist_ok=True)
    target = (files / _safe_copy_name(raw)).resolve()
    if files.resolve() not in target.parents:
        raise RejectedFile(raw.name, "unsafe file name", "bad_name")
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_bytes(raw.data)
    os.replace(tmp, target)


def stored_documents(store: FactStore, only: set[str] | None = None) -> list[Document]:
    """Re-parse the stored documents (all, or those in `only`); parsing is deterministic."""
    return [parse_document(r["doc_id"], r["text"], r["source_name"] or r["doc_id"], r["format"] or "txt")
            for r in store.document_texts(only)]


def _rebuild_index(settings: Settings, store: FactStore, mode: str = "add") -> dict[str, Any]:
    """Bring the index in line with the stored documents, recording their hashes for _index_in_sync.

    mode "add" puts new or changed documents into the small delta segment, so adding one directive
    parses and embeds only that one and leaves the large base alone; "compact" folds everything
    into a new base (reusing passages); "recut" (`directive-bot reindex`) cuts everything afresh.
    Runs under write_lock, so any partial build on disk was left by a killed process: remove it.
    """
    from index.builder import update_index
    from index.embeddings import load_embedder
    from index.passages import passages_for
    from index.store import discard_partials

    def cut(doc_ids: set[str]) -> dict[str, list[Passage]]:
        return {doc.doc_id: passages_for(doc) for doc in stored_documents(store, doc_ids)} if doc_ids else {}

    discard_partials(settings.index_dir)
    report = update_index(settings.index_dir, store.document_hashes(), cut,
                          load_embedder(settings.embedding_model), settings.approx_index_threshold, mode)
    return {"passages": report.passages, "embedded": report.embedded, "reused": report.reused,
            "delta": report.delta, "seconds": round(report.seconds, 2)}


def _store_raw(settings: Settings, store: FactStore, raw: RawDocument) -> IngestReport:
    sha = hashlib.sha256(raw.data).hexdigest()
    doc = parse_document(raw.doc_id, raw.text, raw.name, raw.format)
    facts = extract(doc)
    changed = store.sha256_of(raw.doc_id) != sha
    if changed:
        _keep_copy(settings, raw)
        store.save(doc, facts, sha)
    return IngestReport(doc.doc_id, doc.type, doc.number, doc.issued_date, doc.issuer, doc.title,
                        len(facts.deadlines), len(facts.targets), len(facts.results), changed,
                        review_items(facts))


def ingest_bytes(settings: Settings, name: str, data: bytes, index: bool = True) -> IngestReport:
    """Validate, store and index one uploaded file; raises RejectedFile and then nothing has changed."""
    raw = read_bytes(name, data, int(settings.max_file_mb * 1024 * 1024))
    with write_lock(settings):
        store = FactStore(settings.db_path)
        report = _store_raw(settings, store, raw)
        if index and not _index_in_sync(settings, store):
            _rebuild_index(settings, store)
    return report


def ingest_paths(settings: Settings, paths: list[Path]) -> tuple[list[IngestReport], list[RejectedFile]]:
    """Ingest files and folders (recursively, supported suffixes only); index once at the end."""
    from knowledge.reader import SUPPORTED_SUFFIXES

    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES)
        else:
            files.append(p)
    reports: list[IngestReport] = []
    errors: list[RejectedFile] = []
    max_bytes = int(settings.max_file_mb * 1024 * 1024)
    with write_lock(settings):
        store = FactStore(settings.db_path)
        for f in files:
            try:
                if not f.exists():
                    raise RejectedFile(f.name, "no such file", "missing")
                reports.append(_store_raw(settings, store, read_path(f, max_bytes)))
            except RejectedFile as exc:
                errors.append(exc)
        if store.document_hashes() and not _index_in_sync(settings, store):
            _rebuild_index(settings, store)
    return reports, errors


def _index_in_sync(settings: Settings, store: FactStore) -> bool:
    """The serving index was built from exactly the stored documents (same ids, same contents).

    False also after a crash between storing documents and publishing their index, so the next
    ingest repairs the index even when every file it is given is unchanged.
    """
    from index.builder import read_manifest
    from index.store import current_build

    build = current_build(settings.index_dir)
    return build is not None and read_manifest(build) == store.document_hashes()


def reindex(settings: Settings, mode: str = "recut") -> dict[str, Any]:
    """Rebuild the whole index from the stored documents; the old index serves until the swap.

    "recut" cuts every passage afresh (after a change to the passage cutter); "compact" reuses the
    serving passages and only folds the delta segment into the base (the nightly job).
    """
    with write_lock(settings):
        store = FactStore(settings.db_path)
        result = _rebuild_index(settings, store, mode)
        result["documents"] = len(store.documents())
    return result


def compact(settings: Settings) -> dict[str, Any] | None:
    """Fold the index's delta segment into its base (the bot's nightly job); None when there is none.

    Uploads stay fast because they only rebuild the delta; this keeps the delta small and its
    flat search cheap. Passages are reused, so it costs index building, not parsing or embedding.
    """
    from index.segments import has_delta
    from index.store import current_build

    with write_lock(settings):
        build = current_build(settings.index_dir)
        if build is None or not has_delta(build):
            return None
    return reindex(settings, mode="compact")
