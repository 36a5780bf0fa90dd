"""A segment's passages, read from its passages.jsonl on demand instead of held as objects.

Held as Python objects (text, quote, ids and labels as separate strings) passages cost ≈ 4 KB each
in the serving process: ≈ 1.4 GB at 10,000 directives (≈ 360k passages), while a search returns a
dozen. So only the byte range of each line and small per-row codes (document, province) stay in
memory; the file is memory-mapped, so its pages belong to the OS's shared page cache.
"""

from __future__ import annotations

import json
import mmap
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import overload

import numpy as np

from index.passages import Passage
from knowledge.text import fold


class PassageFile(Sequence[Passage]):
    """Read-only, so threads can share it (mmap slicing does not move a file position)."""

    def __init__(self, path: Path) -> None:
        bounds: list[int] = []
        docs: dict[str, int] = {}
        provinces: dict[str, int] = {"": 0}
        doc_codes: list[int] = []
        province_codes: list[int] = []
        with open(path, "rb") as fh:
            pos = 0
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    bounds += [pos, pos + len(line)]
                    doc_codes.append(docs.setdefault(row["doc_id"], len(docs)))
                    folded = fold(row["province"]) if row.get("province") else ""
                    province_codes.append(provinces.setdefault(folded, len(provinces)))
                pos += len(line)
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if pos else None
        self._bounds = np.asarray(bounds, dtype=np.int64).reshape(-1, 2)
        self.doc_ids = list(docs)
        self.doc_codes = np.asarray(doc_codes, dtype=np.int32)
        self.province_names = list(provinces)
        self.province_codes = np.asarray(province_codes, dtype=np.int32)

    def __len__(self) -> int:
        return len(self._bounds)

    @overload
    def __getitem__(self, i: int) -> Passage: ...
    @overload
    def __getitem__(self, i: slice) -> list[Passage]: ...

    def __getitem__(self, i: int | slice) -> Passage | list[Passage]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        start, end = self._bounds[i]
        assert self._map is not None
        return Passage.from_json(json.loads(self._map[start:end]))

    def __iter__(self) -> Iterator[Passage]:
        return (self[i] for i in range(len(self)))

    def doc_id(self, i: int) -> str:
        return self.doc_ids[self.doc_codes[i]]

    def province(self, i: int) -> str:
        """Folded province of a row ("" when the directive names none)."""
        return self.province_names[self.province_codes[i]]
