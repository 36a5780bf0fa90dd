"""The library of directives: add, replace or remove one — fact store and search index together.

The application layer's one place for it: the CLI (`ingest`, `remove`, `reindex`) and the Telegram
app (uploads, confirmation buttons, nightly compaction) both call these functions.

A directive is identified by what it is (knowledge.identity: issuer + number + date, else its
text), never by its file name: the same directive under another name is recognised, a new version
(same number, changed text) replaces the old only when asked (`replace=True`, after the admin's
confirmation), and a different directive under a taken file name gets an id of its own. A file
without the signs of a directive (knowledge.identity.directive_signs) is refused unless forced.

Writes are serialised by a lock file in BOT_DATA_DIR so the bot and the CLI never ingest at the
same time. A file is fully read and parsed before anything is written; the store write is one
transaction; the new index build is written next to the serving one and swapped atomically
(embeddings are cached, so only new passages are embedded; new documents go to a small delta
segment, so the large base is not rebuilt per upload). Each index build records which stored
documents it was made from, so a crash between the two writes is noticed and repaired by the next
ingest.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge.config import DataSettings
from knowledge.extract import extract
from knowledge.identity import TEXT_PREFIX, DirectiveSigns, directive_signs, document_identity, headers_differ
from knowledge.model import Document, Facts
from knowledge.reader import (
    SUPPORTED_SUFFIXES,
    Progress,
    RawDocument,
    RejectedFile,
    check_extraction_size,
    doc_id_for,
    read_bytes,
    read_path,
)
from knowledge.recurrence import describe_due
from knowledge.review import ReviewItem, review_items
from knowledge.store import FactStore
from knowledge.structure import parse_document
from knowledge.text import fold

if TYPE_CHECKING:
    from index.passages import Passage

__all__ = ["IngestReport", "RejectedFile", "compact", "ingest_bytes", "ingest_paths", "reindex", "remove_document",
           "stored_documents"]


# What became of a file: stored as a new directive; the same directive again (nothing written);
# a new version of a stored one (nothing written until replace=True); replaced after confirmation.
ADDED, UNCHANGED, DUPLICATE, NEW_VERSION, REPLACED = "added", "unchanged", "duplicate", "new_version", "replaced"
CHANGES_SHOWN = 5  # deadlines added/removed quoted per side in the operator's summary


@dataclass(frozen=True)
class DeadlineChanges:
    """Deadlines of a new version against the stored one, as `due — task` lines."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


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
    status: str = ADDED
    review: list[ReviewItem] = field(default_factory=list)
    existing: str | None = None  # the stored doc_id this file is (DUPLICATE, NEW_VERSION, REPLACED)
    changes: DeadlineChanges | None = None  # NEW_VERSION and REPLACED
    ocr_confidence: float | None = None  # the text was recognised from images (0-100)
    low_confidence_pages: tuple[int, ...] = ()  # OCR'd pages to check by eye
    legacy_encoding: str | None = None  # converted from TCVN3 / VNI
    file_name: str = ""  # the file this report is about (a skipped one is not `doc_id`)
    year_hint: int | None = None  # the year an undated document is labelled with

    @property
    def changed(self) -> bool:
        """Something was written to the store."""
        return self.status in (ADDED, REPLACED)

    def summary(self) -> str:
        """One line for operators: id, type, date, counts, and what became of the file.

        A stored document (added, replaced or unchanged) is named by its id, the one `remove` takes,
        whichever way it came in; a skipped file by its name, since it is stored as another id."""
        when = self.issued_date.isoformat() if self.issued_date else "date unknown"
        flag = {UNCHANGED: " (unchanged)", DUPLICATE: f" (already stored as {self.existing}; skipped)",
                NEW_VERSION: f" (new version of {self.existing}; not replaced, use --replace)",
                REPLACED: f" (replaced {self.existing})"}.get(self.status, "")
        label = self.doc_id if self.status in (ADDED, REPLACED, UNCHANGED) or not self.file_name else self.file_name
        line = (f"{label}: {self.type or 'unknown type'} {self.number or ''} {when}; "
                f"{self.deadlines} deadlines, {self.targets} targets, {self.results} results{flag}")
        return line.replace("  ", " ")

    def review_lines(self) -> list[str]:
        """What an operator should check, one line per item (English, for the CLI)."""
        words = {"no_agency": "no agency found", "year_inferred": "year inferred",
                 "relative": "limit relative to an event (no reminder)"}
        lines = [f"  review: {words[i.kind]}: «{i.quote}»" for i in self.review]
        if self.ocr_confidence is not None:
            pages = ", ".join(map(str, self.low_confidence_pages)) or "none"
            lines.append(f"  read by OCR: mean confidence {self.ocr_confidence:g}; pages to check: {pages}")
        if self.legacy_encoding:
            lines.append(f"  converted from the {self.legacy_encoding.upper()} font encoding")
        if self.changes is not None:
            lines += [f"  deadline added: {c}" for c in self.changes.added[:CHANGES_SHOWN]]
            lines += [f"  deadline removed: {c}" for c in self.changes.removed[:CHANGES_SHOWN]]
        return lines


@contextmanager
def write_lock(settings: DataSettings) -> Iterator[None]:
    """Exclusive lock over store and index writes, across processes."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.data_dir / ".write.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_MAX_COPY_STEM_BYTES = 200  # file systems allow 255 bytes per name


def _safe_stem(doc_id: str) -> str:
    """Word characters only, and short enough for the file system (a cut name keeps a hash of the id)."""
    stem = re.sub(r"[^\w.-]+", "_", doc_id, flags=re.UNICODE).strip("._") or "document"
    if len(stem.encode("utf-8")) > _MAX_COPY_STEM_BYTES:
        head = stem.encode("utf-8")[:_MAX_COPY_STEM_BYTES - 9].decode("utf-8", errors="ignore")
        stem = f"{head}-{hashlib.sha1(doc_id.encode('utf-8')).hexdigest()[:8]}"
    return stem


def _safe_copy_name(raw: RawDocument) -> str:
    return f"{_safe_stem(raw.doc_id)}.{raw.format}"


def _keep_copy(settings: DataSettings, raw: RawDocument) -> None:
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


def _rebuild_index(settings: DataSettings, store: FactStore, mode: str = "add") -> dict[str, Any]:
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
                          load_embedder(settings.embedding_model), settings.approx_index_threshold, mode,
                          cache=settings.embedding_cache_target)
    return {"passages": report.passages, "embedded": report.embedded, "reused": report.reused,
            "delta": report.delta, "seconds": round(report.seconds, 2)}


def _deadline_lines(rows: Iterable[tuple[Any, str, str]]) -> list[str]:
    return [f"{describe_due(due, relation)} — {' '.join(task.split())[:160]}" for due, relation, task in rows]


def _changes(store: FactStore, doc_id: str, facts: Facts) -> DeadlineChanges:
    """What a new version adds and drops, compared by due time and task wording."""
    def key(due: Any, task: str) -> tuple[str, str]:
        return json.dumps(due, ensure_ascii=False, sort_keys=True), " ".join(fold(task).split())

    old = {key(r["due"], r["task"] or ""): (r["due"], r["relation"] or "", r["task"] or "")
           for r in store.deadlines(doc_ids=[doc_id])}
    new = {key(d.due, d.task): (d.due, d.relation, d.task) for d in facts.deadlines}
    return DeadlineChanges(added=_deadline_lines(new[k] for k in new.keys() - old.keys()),
                           removed=_deadline_lines(old[k] for k in old.keys() - new.keys()))


def _not_directive(raw: RawDocument, signs: DirectiveSigns) -> RejectedFile:
    """The operator's reason a file was refused: what a directive shows that this one does not."""
    found = f"; it looks like {' and '.join(signs.against)}" if signs.against else ""
    return RejectedFile(raw.name, "no sign of a directive (no official header: issuer, Số:, place and date, type, "
                                  f"Kính gửi, Nơi nhận; no agency asked to act by a date){found}; "
                                  "use --force to store it anyway", "not_directive")


def _free_doc_id(store: FactStore, doc_id: str, identity: str) -> str:
    """The file's name, or — when another directive already has it — the name with a short tag."""
    if not store.has_document(doc_id):
        return doc_id
    return f"{doc_id}-{hashlib.sha1(identity.encode('utf-8')).hexdigest()[:6]}"


def _same_text(a: str, b: str) -> bool:
    return " ".join(fold(a).split()) == " ".join(fold(b).split())


def _same_content(row: dict[str, Any], sha: str, doc: Document) -> bool:
    return row["sha256"] == sha or _same_text(row["text"] or "", doc.text)


def _stored_document(row: dict[str, Any]) -> Document:
    """A stored text parsed again (parsing is deterministic), to read what its header says."""
    return parse_document(row["doc_id"], row["text"] or "", row["source_name"] or row["doc_id"], row["format"] or "txt")


def _earlier_under_name(store: FactStore, raw: RawDocument, doc: Document, identity: str,
                        sha: str) -> dict[str, Any] | None:
    """The document stored under this file name that this text is a version of, if any.

    The same file read differently by an earlier parser is; so is an unnumbered text when the stored
    one is unnumbered too and neither header names another issuer, province, type or year (nothing
    else tells them apart). Two different conclusions saved as `thong-bao.txt` are two documents.
    """
    row = store.document(raw.doc_id)
    if row is None or _same_content(row, sha, doc):
        return row
    unnumbered = identity.startswith(TEXT_PREFIX) and (row.get("identity") or TEXT_PREFIX).startswith(TEXT_PREFIX)
    return row if unnumbered and not headers_differ(_stored_document(row), doc) else None


def _facts_differ(store: FactStore, doc_id: str, facts: Facts, changes: DeadlineChanges) -> bool:
    """A fresh extraction of the same text gives other facts (the parser changed since it was stored)."""
    counts = {"deadlines": len(facts.deadlines), "targets": len(facts.targets), "results": len(facts.results)}
    return bool(changes.added or changes.removed) or store.counts(doc_id) != counts


def _classify(store: FactStore, existing: dict[str, Any], raw: RawDocument, sha: str, doc: Document,
              facts: Facts, replace: bool) -> tuple[str, DeadlineChanges | None]:
    """What this file is to the stored directive it matches, and the deadlines a new version changes.

    The same content again is never written, even when a replacement is asked for (the admin pressed
    `Thay thế` on an unchanged file): nothing would change and nobody should be told it did. Only
    when the facts extracted from it now differ (a newer parser) is it written again.
    """
    target = existing["doc_id"]
    changes = _changes(store, target, facts)
    if not _same_content(existing, sha, doc):
        return (REPLACED if replace else NEW_VERSION), changes
    if replace and _facts_differ(store, target, facts, changes):
        return REPLACED, changes
    # the very file again, also when it was stored under a tagged id (`thong-bao-1a2b3c`)
    same_file = existing["sha256"] == sha and raw.doc_id in (target, doc_id_for(existing["source_name"] or ""))
    return (UNCHANGED if same_file else DUPLICATE), None


def _store_raw(settings: DataSettings, store: FactStore, raw: RawDocument, *, replace: bool = False,
               force: bool = False) -> IngestReport:
    """Parse, classify against the store, and write only a new directive or a confirmed replacement."""
    sha = hashlib.sha256(raw.data).hexdigest()
    doc = parse_document(raw.doc_id, raw.text, raw.name, raw.format)
    facts = extract(doc)
    check_extraction_size(facts, doc)  # nothing is written yet: a refusal changes nothing
    signs = directive_signs(doc)
    if not force and not signs.is_directive:
        raise _not_directive(raw, signs)
    identity = document_identity(doc.issuer, doc.number, doc.issued_date, doc.text)
    # Deciding "new or known" and storing are one step across processes: two front ends on one
    # PostgreSQL database given the same file at once store it once (SQLite: the write lock does it).
    with store.exclusive("ingest"):
        same = store.documents_with_identity(identity)
        existing = same[0] if same else _earlier_under_name(store, raw, doc, identity, sha)
        status, changes = ADDED, None
        if existing is not None:
            target = existing["doc_id"]
            status, changes = _classify(store, existing, raw, sha, doc, facts, replace)
        else:
            target = _free_doc_id(store, raw.doc_id, identity)
        doc.doc_id = target  # parsing and extraction never read the id: no need to parse again under it
        if status in (ADDED, REPLACED):
            _keep_copy(settings, replace_id(raw, target))
            store.save(doc, facts, sha, {"ocr_confidence": raw.ocr_confidence, "legacy_encoding": raw.legacy_encoding})
    return IngestReport(doc.doc_id, doc.type, doc.number, doc.issued_date, doc.issuer, doc.title,
                        len(facts.deadlines), len(facts.targets), len(facts.results), status,
                        review_items(facts), existing["doc_id"] if existing else None, changes,
                        raw.ocr_confidence, raw.low_confidence_pages, raw.legacy_encoding, raw.name,
                        doc.year_hint)


def replace_id(raw: RawDocument, doc_id: str) -> RawDocument:
    return raw if raw.doc_id == doc_id else dataclasses.replace(raw, doc_id=doc_id)


def ingest_bytes(settings: DataSettings, name: str, data: bytes, index: bool = True, *,
                 replace: bool = False, force: bool = False, progress: Progress | None = None) -> IngestReport:
    """Validate, store and index one uploaded file; raises RejectedFile and then nothing has changed.

    The same directive again or a new version is reported (status DUPLICATE / NEW_VERSION) and not
    written unless `replace` (an unnumbered text under a stored one's file name counts as a new version of
    it unless its header names another issuer, province, type or year); the same content again is never
    written; a file that is no directive is refused unless `force`. `progress(done,
    total)` follows the pages OCR reads (scans and photos only).
    """
    raw = read_bytes(name, data, int(settings.max_file_mb * 1024 * 1024), progress=progress)
    with write_lock(settings):
        store = FactStore(settings.store_target)
        report = _store_raw(settings, store, raw, replace=replace, force=force)
        if index and not _index_in_sync(settings, store):
            _rebuild_index(settings, store)
    return report


def supported_files(paths: list[Path]) -> list[Path]:
    """Files named directly, and the supported files inside folders (recursively, in name order)."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES)
        else:
            files.append(p)
    return files


def ingest_paths(settings: DataSettings, paths: list[Path], *, replace: bool = False, force: bool = False,
                 pages: Callable[[str, int, int], None] | None = None,
                 ) -> tuple[list[IngestReport], list[RejectedFile]]:
    """Ingest files and folders (recursively, supported suffixes only); index once at the end.

    `pages(file name, done, total)` follows the pages OCR reads, for a progress bar."""
    files = supported_files(paths)
    reports: list[IngestReport] = []
    errors: list[RejectedFile] = []
    max_bytes = int(settings.max_file_mb * 1024 * 1024)
    with write_lock(settings):
        store = FactStore(settings.store_target)
        for f in files:
            try:
                if not f.exists():
                    raise RejectedFile(f.name, "no such file", "missing")
                progress = (lambda done, total, n=f.name: pages(n, done, total)) if pages else None
                raw = read_path(f, max_bytes, progress=progress)
                reports.append(_store_raw(settings, store, raw, replace=replace, force=force))
            except RejectedFile as exc:
                errors.append(exc)
        if store.document_hashes() and not _index_in_sync(settings, store):
            _rebuild_index(settings, store)
    return reports, errors


def remove_document(settings: DataSettings, doc_id: str) -> bool:
    """Take a directive out of the store and the index (its kept file copy too); False if unknown."""
    with write_lock(settings):
        store = FactStore(settings.store_target)
        row = store.document(doc_id)
        if row is None:
            return False
        store.remove(doc_id)
        for copy in settings.files_dir.glob(f"{_safe_stem(doc_id)}.*"):
            copy.unlink(missing_ok=True)
        if not _index_in_sync(settings, store):
            _rebuild_index(settings, store)
    return True


def _index_in_sync(settings: DataSettings, store: FactStore) -> bool:
    """The serving index was built from exactly the stored documents (same ids, same contents).

    False also after a crash between storing documents and publishing their index, so the next
    ingest repairs the index even when every file it is given is unchanged.
    """
    from index.builder import read_manifest
    from index.store import current_build

    build = current_build(settings.index_dir)
    return build is not None and read_manifest(build) == store.document_hashes()


def finish_interrupted(settings: DataSettings) -> list[str]:
    """After a crash between storing a document and indexing it: index what is stored (the store's
    transaction is atomic, so a document is either whole or absent). Returns the ids the index gained."""
    from index.builder import read_manifest
    from index.store import current_build

    with write_lock(settings):
        store = FactStore(settings.store_target)
        if not store.document_hashes() or _index_in_sync(settings, store):
            return []
        build = current_build(settings.index_dir)
        before = set(read_manifest(build)) if build is not None else set()
        _rebuild_index(settings, store)
        return sorted(set(store.document_hashes()) - before)


def sync_index(settings: DataSettings) -> list[str] | None:
    """Bring this front end's index in line with the store when another process changed the store; the
    ids it gained, or None when the index was already in sync (checked without the write lock, so an idle
    front end never waits for it)."""
    store = FactStore(settings.store_target)
    if not store.document_hashes() or _index_in_sync(settings, store):
        return None
    return finish_interrupted(settings)


def reindex(settings: DataSettings, mode: str = "recut") -> dict[str, Any]:
    """Rebuild the whole index from the stored documents; the old index serves until the swap.

    "recut" cuts every passage afresh (after a change to the passage cutter); "compact" reuses the
    serving passages and only folds the delta segment into the base (the nightly job).
    """
    with write_lock(settings):
        store = FactStore(settings.store_target)
        result = _rebuild_index(settings, store, mode)
        result["documents"] = len(store.documents())
    return result


def compact(settings: DataSettings) -> dict[str, Any] | None:
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
