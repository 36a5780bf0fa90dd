"""Combine dense and lexical scores of one candidate pool into one ranking score.

Two classic recipes, both weighted by `w` = weight of the dense side (Settings.fusion_weight):
- weighted: w·minmax(dense) + (1−w)·minmax(lexical), normalised over the candidate pool;
- rrf: w/(K+rank_dense) + (1−w)/(K+rank_lexical), reciprocal rank fusion with K=60.
benchmarks/retrieval.py and tests/test_index_retrieval.py compare them on the dev questions.
"""

from __future__ import annotations

import numpy as np

RRF_K = 60


def minmax(x: np.ndarray) -> np.ndarray:
    """Scale to [0, 1]; a constant vector maps to zeros (it carries no preference)."""
    if x.size == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


def ranks(x: np.ndarray) -> np.ndarray:
    """1-based rank of each entry, highest score first."""
    order = np.argsort(-x, kind="stable")
    out = np.empty(len(x), dtype=np.float64)
    out[order] = np.arange(1, len(x) + 1)
    return out


def weighted(dense: np.ndarray, lexical: np.ndarray, w: float) -> np.ndarray:
    return w * minmax(dense) + (1.0 - w) * minmax(lexical)


def rrf(dense: np.ndarray, lexical: np.ndarray, w: float) -> np.ndarray:
    # Passages without any lexical match share the last lexical rank rather than an arbitrary order.
    lex_ranks = np.where(lexical > 0, ranks(lexical), len(lexical) + 1)
    return w / (RRF_K + ranks(dense)) + (1.0 - w) / (RRF_K + lex_ranks)


METHODS = {"weighted": weighted, "rrf": rrf}


def fuse(method: str, dense: np.ndarray, lexical: np.ndarray, w: float) -> np.ndarray:
    return METHODS[method](dense.astype(np.float64), lexical.astype(np.float64), min(max(w, 0.0), 1.0))
