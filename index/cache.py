"""Persistent embedding cache: a passage is embedded once per model, ever.

Embedding dominates build time (tens of ms per passage on 2 cores), so reindexing an unchanged
corpus must not embed again. Rows are keyed by sha256(model name + text), in a SQLite file that
survives index swaps or, with BOT_DATABASE_URL, in the shared PostgreSQL database: a front end with
an empty data directory then builds its index from the database without embedding anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

from knowledge.database import Target, open_database
from knowledge.migrations import migrate

LOOKUP_ROWS = 500  # keys per `in (…)` lookup: under SQLite's default 999-parameter limit


def cache_key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()


class EmbeddingCache:
    """Maps cache keys to float32 vectors of one dimension."""

    def __init__(self, target: Target) -> None:
        self.db = open_database(target)
        migrate(self.db, "embeddings")

    def get_many(self, keys: list[str], dim: int) -> dict[str, np.ndarray]:
        """Cached vectors of the given keys (missing keys are simply absent)."""
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for i in range(0, len(unique), LOOKUP_ROWS):
            chunk = unique[i:i + LOOKUP_ROWS]
            marks = ",".join("?" * len(chunk))
            for row in self.db.query(f"select key, vec from vectors where dim = ? and key in ({marks})", [dim, *chunk]):
                found[row["key"]] = np.frombuffer(bytes(row["vec"]), dtype=np.float32)
        return found

    def put_many(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """Store vectors; committed at once so an interrupted build keeps what it paid for."""
        rows = [(k, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes()) for k, v in items]
        self.db.executemany("insert into vectors (key, dim, vec) values (?, ?, ?)"
                            " on conflict (key) do update set dim = excluded.dim, vec = excluded.vec", rows)

    def count(self) -> int:
        return int(self.db.scalar("select count(*) from vectors"))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
