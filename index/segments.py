"""An index build as one large base segment plus an optional small delta segment.

Rebuilding BM25, the accent table and FAISS over every passage made adding one directive cost
35 s at 72k passages and grow linearly. So a build may keep the previous build's base segment (its
files hard-linked, never rewritten) and put the documents added or changed since into a `delta/`
segment with its own flat FAISS index, BM25 terms (IDF computed over base and delta together) and
word counts; base passages of changed documents are masked. Searches merge the segments; a full
build (`directive-bot reindex`, or an add that would make the delta too big) folds them together.

    build/                 base segment: meta.json, vectors.faiss, passages.jsonl, bm25/, accents.json
    build/documents.json   the build's manifest (documents, base documents, masked documents)
    build/delta/           delta segment, same files
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import overload

import numpy as np

from index.accents import AccentRestorer
from index.lexical import LexicalIndex, tokens
from index.passage_file import PassageFile
from index.passages import Passage
from index.vector_index import META_FILE, VectorIndex, VectorMeta

DELTA_DIR = "delta"
PASSAGES_FILE = "passages.jsonl"
MANIFEST_FILE = "documents.json"  # passage format + doc_id → content hash, per build (never linked)


def iter_passages(directory: Path) -> Iterator[Passage]:
    """A segment's passages, one at a time (a full build streams them instead of holding them)."""
    with open(directory / PASSAGES_FILE, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield Passage.from_json(json.loads(line))


class ManifestError(ValueError):
    """A build's manifest exists but cannot be read, so which base passages it masks is unknown.

    Treating it as "no manifest" would serve the old passages of changed documents again, so
    callers stop instead: a loader keeps the index it already serves, a build fails before the swap.
    """


def read_build_manifest(build: Path) -> dict | None:
    """The build's manifest, or None when the build was published without one.

    Raises ManifestError when the file exists but is unreadable, not JSON or not a manifest, and
    FileNotFoundError when the build directory itself is gone (collected after a swap: read again).
    """
    path = Path(build) / MANIFEST_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if not Path(build).is_dir():
            raise
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(_manifest_problem(path, str(exc))) from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ManifestError(_manifest_problem(path, f"not JSON: {exc}")) from exc
    if not isinstance(data, dict):
        raise ManifestError(_manifest_problem(path, f"a JSON {type(data).__name__}, not an object"))
    if "passage_format" in data and not (isinstance(data.get("documents"), dict)
                                         and isinstance(data.get("masked", []), list)):
        raise ManifestError(_manifest_problem(path, "its documents or masked list is missing or malformed"))
    return data


def _manifest_problem(path: Path, reason: str) -> str:
    return (f"The index manifest {path} is unreadable ({reason}); without it the index cannot tell which "
            "old passages of changed documents to hide. Run `directive-bot reindex` to rebuild the index.")


def link_base(source: Path, target: Path) -> None:
    """Give `target` the base segment files of build `source` (hard links: no copy, no rewrite)."""
    for entry in source.iterdir():
        if entry.name in (MANIFEST_FILE, DELTA_DIR):
            continue
        if entry.is_dir():
            (target / entry.name).mkdir()
            link_base(entry, target / entry.name)
            continue
        try:
            os.link(entry, target / entry.name)
        except OSError:  # a file system without hard links: a copy is slower but as good
            shutil.copy2(entry, target / entry.name)


@dataclass
class Segment:
    """One immutable part of a build: passages with their vectors, BM25 terms and word counts."""

    passages: PassageFile
    vectors: VectorIndex
    lexical: LexicalIndex
    accents: AccentRestorer | None
    doc_rows: dict[str, np.ndarray] = field(init=False)

    def __post_init__(self) -> None:
        if not (len(self.passages) == self.vectors.meta.count == self.lexical.count):
            raise ValueError("index parts disagree on the number of passages; rebuild the index")
        codes = self.passages.doc_codes
        order = np.argsort(codes, kind="stable")
        ends = np.cumsum(np.bincount(codes, minlength=len(self.passages.doc_ids)))
        # an empty segment (a store with no documents) has no rows to split, not one empty part
        parts = np.split(order, ends[:-1]) if self.passages.doc_ids else []
        self.doc_rows = dict(zip(self.passages.doc_ids, parts, strict=True))

    @property
    def ident(self) -> str:
        """Stable across builds that link this segment's files; empty for builds before segments."""
        return self.vectors.meta.segment

    @classmethod
    def load(cls, directory: Path, model: str, dim: int) -> Segment:
        vectors = VectorIndex.load(directory, model=model, dim=dim)
        return cls(PassageFile(directory / PASSAGES_FILE), vectors, LexicalIndex.load(directory),
                   AccentRestorer.load(directory))


class SegmentedPassages(Sequence[Passage]):
    """The segments' passages as one sequence, rows numbered base first."""

    def __init__(self, parts: list[PassageFile]) -> None:
        self.parts = parts
        self.offsets = np.cumsum([0] + [len(p) for p in parts])

    def _locate(self, i: int) -> tuple[PassageFile, int]:
        if not 0 <= i < self.offsets[-1]:
            raise IndexError(i)
        part = int(np.searchsorted(self.offsets, i, side="right")) - 1
        return self.parts[part], i - int(self.offsets[part])

    def __len__(self) -> int:
        return int(self.offsets[-1])

    @overload
    def __getitem__(self, i: int) -> Passage: ...
    @overload
    def __getitem__(self, i: slice) -> list[Passage]: ...

    def __getitem__(self, i: int | slice) -> Passage | list[Passage]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        part, row = self._locate(int(i) + len(self) if i < 0 else int(i))
        return part[row]

    def __iter__(self) -> Iterator[Passage]:
        return (p for part in self.parts for p in part)

    def doc_id(self, i: int) -> str:
        part, row = self._locate(int(i))
        return part.doc_id(row)

    def province(self, i: int) -> str:
        part, row = self._locate(int(i))
        return part.province(row)

    def in_provinces(self, rows: np.ndarray, provinces: set[str]) -> np.ndarray:
        """Whether each row's folded province (`province`) is one of `provinces`, for many rows at once."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.zeros(len(rows), dtype=bool)
        for part, lo, hi in zip(self.parts, self.offsets, self.offsets[1:], strict=False):
            inside = (rows >= lo) & (rows < hi)
            if inside.any():
                codes = [code for code, name in enumerate(part.province_names) if name in provinces]
                out[inside] = np.isin(part.province_codes[rows[inside] - lo], codes)
        return out


class SegmentedVectors:
    """The segments' FAISS indexes as one, rows numbered base first (VectorIndex's interface)."""

    def __init__(self, parts: list[VectorIndex]) -> None:
        self.parts = parts
        self.offsets = np.cumsum([0] + [p.meta.count for p in parts])
        self.meta: VectorMeta = replace(parts[0].meta, count=int(self.offsets[-1]),
                                        kind="+".join(p.meta.kind for p in parts))

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        found = [part.search(query, k) for part in self.parts]
        scores = np.concatenate([s[i >= 0] for s, i in found])
        ids = np.concatenate([i[i >= 0] + off for (_, i), off in zip(found, self.offsets, strict=False)])
        order = np.argsort(-scores, kind="stable")[:k]
        return scores[order], ids[order]

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        out = np.zeros((len(ids), self.meta.dim), dtype=np.float32)
        for part, lo, hi in zip(self.parts, self.offsets, self.offsets[1:], strict=False):
            inside = (ids >= lo) & (ids < hi)
            if inside.any():
                out[inside] = part.vectors(ids[inside] - lo)
        return out


class SegmentedLexical:
    """The segments' BM25 indexes as one (LexicalIndex's interface)."""

    def __init__(self, parts: list[LexicalIndex]) -> None:
        self.parts = parts
        self.count = sum(p.count for p in parts)

    def share(self, token: str) -> float:
        return sum(p.postings(token) for p in self.parts) / self.count if self.count else 0.0

    def scores(self, query: str) -> np.ndarray:
        query_tokens = list(dict.fromkeys(tokens(query)))
        return np.concatenate([p.scores_of(query_tokens) for p in self.parts])


def segment_dirs(build: Path) -> list[Path]:
    """The build's segment directories, base first."""
    delta = build / DELTA_DIR
    return [build, delta] if (delta / META_FILE).exists() else [build]


def has_delta(build: Path) -> bool:
    """The build has a delta segment or masked base passages: a compaction would fold them away."""
    return len(segment_dirs(build)) > 1 or bool((read_build_manifest(build) or {}).get("masked"))


def iter_live_passages(build: Path) -> Iterator[Passage]:
    """Every passage the build serves: the base's (except masked documents') then the delta's."""
    masked = set((read_build_manifest(build) or {}).get("masked", []))
    base, *rest = segment_dirs(build)
    yield from (p for p in iter_passages(base) if p.doc_id not in masked)
    for directory in rest:
        yield from iter_passages(directory)


def live_passages(build: Path) -> list[Passage]:
    return list(iter_live_passages(build))


def combined(segments: list[Segment]) -> tuple[VectorIndex | SegmentedVectors, LexicalIndex | SegmentedLexical,
                                               AccentRestorer | None]:
    """One view over the segments' vectors, BM25 and accents (the segment's own when there is one)."""
    if len(segments) == 1:
        only = segments[0]
        return only.vectors, only.lexical, only.accents
    base, *rest = segments
    accents = base.accents
    for seg in rest:
        if accents and seg.accents:
            accents = accents.combined(seg.accents)
    return (SegmentedVectors([s.vectors for s in segments]), SegmentedLexical([s.lexical for s in segments]),
            accents)
