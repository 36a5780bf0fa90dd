"""Fact questions without the model (issue 22 item 8): the fact store's reads kept per store version
(bot/tracking/fact_cache.py) return the store's own rows for every filter and see every write, and a
window of deadlines, what is overdue or a whole year asked for its limits is answered without the
embedder being called. Directives written for these tests."""

from __future__ import annotations

import hashlib
import threading
from datetime import date
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from bot.answering.planner import Answerer
from bot.config import Settings
from bot.library import ingest_bytes
from bot.tracking.fact_cache import FactCache
from index.embeddings import Embedder
from knowledge.extract import extract
from knowledge.store import FactStore
from knowledge.structure import parse_document
from tests.sample_directive import son_ha

PLAN = son_ha(
    "58/KH-UBND", "ngày 12 tháng 01 năm 2027",
    "KẾ HOẠCH\nSố hóa hồ sơ đất đai và nâng cấp cổng dịch vụ công năm 2027", """
I. MỤC TIÊU

Đến hết năm 2027, 90% hồ sơ đất đai của tỉnh được số hóa và tra cứu trực tuyến.

II. NHIỆM VỤ

1. Sở Nông nghiệp và Môi trường chủ trì, phối hợp với Sở Khoa học và Công nghệ lập danh mục hồ sơ đất đai \
cần số hóa, hoàn thành trước ngày 26/02/2027.

2. Sở Khoa học và Công nghệ nâng cấp cổng dịch vụ công của tỉnh, đưa vào vận hành trước ngày 30/6/2027.

3. Sở Tài chính bố trí kinh phí số hóa hồ sơ đất đai, hoàn thành trong tháng 3/2027.

4. UBND các huyện, thành phố cập nhật tiến độ số hóa trên phần mềm, báo cáo Sở Nông nghiệp và Môi trường \
trước ngày 10 hằng tháng.

5. Văn phòng UBND tỉnh tổng hợp kết quả thực hiện Kế hoạch, báo cáo Chủ tịch UBND tỉnh trước ngày 15/12/2027.

6. Sở Nội vụ rà soát biên chế viên chức làm công tác số hóa, hoàn thành trước ngày 31/3/2028.
""")

LETTER = son_ha(
    "214/UBND-KT", "ngày 03 tháng 3 năm 2027",
    "V/v kiểm tra an toàn nhà văn hóa và trường học trước mùa mưa lũ năm 2027", """
Kính gửi:
- Sở Xây dựng;
- Sở Giáo dục và Đào tạo;
- UBND các huyện, thành phố.

Để chủ động ứng phó với mưa lũ năm 2027, Chủ tịch UBND tỉnh yêu cầu:

1. Sở Xây dựng chủ trì, phối hợp với Sở Giáo dục và Đào tạo kiểm tra an toàn nhà văn hóa và trường học, \
hoàn thành trước ngày 15/5/2027.

2. UBND các huyện, thành phố rà soát các hộ dân sống ven sông, báo cáo UBND tỉnh trước ngày 20/4/2027.

3. Sở Xây dựng báo cáo tiến độ kiểm tra về UBND tỉnh vào thứ Sáu hằng tuần.

4. Sở Giáo dục và Đào tạo chỉ đạo các trường học thường xuyên nhắc nhở học sinh giữ an toàn khi đi qua sông, suối.
""")
TEXTS = {"kh-58": PLAN, "cv-214": LETTER}
TODAY = date(2027, 4, 25)


def _save(store: FactStore, doc_id: str, text: str) -> None:
    doc = parse_document(doc_id, text)
    store.save(doc, extract(doc), hashlib.sha256(text.encode()).hexdigest())


@pytest.fixture
def stored(store_target: Path | str) -> FactStore:
    store = FactStore(store_target)
    for doc_id, text in TEXTS.items():
        _save(store, doc_id, text)
    return store


def _filters(store: FactStore) -> list[dict]:
    """Every combination of the store's filters the answers use, over this store's documents and agencies."""
    agencies = [a["id"] for a in store.agencies()]
    doc_sets = [None, [], ["kh-58"], ["cv-214"], ["kh-58", "cv-214"], ["khong-co"]]
    agency_sets = [None, [], *([a] for a in agencies), *(list(p) for p in combinations(agencies[:4], 2))]
    windows = [None, (date(2027, 1, 1), date(2027, 12, 31)), (date(2027, 4, 1), date(2027, 4, 30)),
               (date(2028, 1, 1), date(2028, 12, 31)), (date(2027, 5, 15), date(2027, 5, 15))]
    out = []
    for docs in doc_sets:
        for provinces in (None, [], ["Sơn Hà"], ["Hà Nội"]):
            for ids in agency_sets:
                out.append({"doc_ids": docs, "provinces": provinces, "agency_ids": ids})
    return [dict(f, lead_only=lead, due_between=w) for f in out for lead in (False, True) for w in windows]


def test_cached_reads_are_the_stores_rows(stored: FactStore) -> None:
    cache = FactCache(stored)
    assert stored.deadlines() and stored.undated_duties() and stored.targets()
    for f in _filters(stored):
        assert cache.deadlines(**f) == stored.deadlines(**f), f
        plain = {k: f[k] for k in ("doc_ids", "provinces", "agency_ids")}
        assert cache.undated_duties(**plain) == stored.undated_duties(**plain), plain
    for kind in (None, "target", "result"):
        for docs in (None, ["kh-58"], ["cv-214"]):
            assert cache.targets(kind, docs) == stored.targets(kind, docs)
    assert sorted(r["id"] for r in cache.agency_rows()) == sorted(a["id"] for a in stored.agencies())


def test_a_caller_marking_a_row_marks_nothing_shared(tmp_path: Path) -> None:
    store = FactStore(tmp_path / "facts.sqlite")
    _save(store, "kh-58", PLAN)
    cache = FactCache(store)
    first = cache.deadlines()
    first[0]["supporting"] = True
    first[0]["agencies"] = ["Sở Khác"]
    assert cache.deadlines() == store.deadlines()
    assert cache.snapshot() is cache.snapshot()  # read once while the store is unchanged


def test_a_store_too_large_to_hold_is_read_directly(tmp_path: Path) -> None:
    store = FactStore(tmp_path / "facts.sqlite")
    for doc_id, text in TEXTS.items():
        _save(store, doc_id, text)
    small = FactCache(store, max_rows=len(store.deadlines()))  # the targets and duties make it too large
    assert small.snapshot() is None
    assert small.deadlines(due_between=(date(2027, 5, 1), date(2027, 5, 31))) == store.deadlines(
        due_between=(date(2027, 5, 1), date(2027, 5, 31)))
    assert FactCache(store).snapshot() is not None


def test_every_write_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "facts.sqlite"
    store = FactStore(path)
    _save(store, "kh-58", PLAN)
    cache = FactCache(store)
    assert {r["doc_id"] for r in cache.deadlines()} == {"kh-58"}

    other = FactStore(path)  # another connection, as an ingest or `directive-bot review` elsewhere
    _save(other, "cv-214", LETTER)
    assert {r["doc_id"] for r in cache.deadlines()} == {"kh-58", "cv-214"}
    assert cache.undated_duties() == store.undated_duties() != []

    store.remove("kh-58")  # the cache's own connection
    assert {r["doc_id"] for r in cache.deadlines()} == {"cv-214"}
    assert cache.targets() == []

    seen: list[set[str]] = []
    worker = threading.Thread(target=lambda: seen.append({r["doc_id"] for r in cache.deadlines()}))
    worker.start()
    worker.join()
    assert seen == [{"cv-214"}]
    other.remove("cv-214")  # written while the snapshot of that thread is held
    assert cache.deadlines() == [] and cache.undated_duties() == []


def test_inside_a_write_it_reads_what_the_store_reads(tmp_path: Path) -> None:
    store = FactStore(tmp_path / "facts.sqlite")
    _save(store, "kh-58", PLAN)
    cache = FactCache(store)
    assert len(cache.deadlines()) == len(store.deadlines()) > 0
    with store.db.atomic():
        store.db.execute("delete from deadline_agencies")
        store.db.execute("delete from deadlines")
        assert cache.deadlines() == store.deadlines() == []
        assert cache.snapshot() is None
    assert cache.deadlines() == store.deadlines() == []


class CountingEmbedder(Embedder):
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__()
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.texts = 0

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        self.texts += len(texts)
        return self.inner._encode(texts, is_query)


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory) -> Answerer:
    settings = Settings(data_dir=tmp_path_factory.mktemp("fact-questions"))
    for doc_id, text in TEXTS.items():
        ingest_bytes(settings, f"{doc_id}.txt", text.encode("utf-8"))
    answerer = Answerer(settings)
    answerer.view.searcher.embedder = CountingEmbedder(answerer.view.searcher.embedder)
    return answerer


@pytest.mark.parametrize("question, head, listed", [
    ("Có những hạn chót nào trong tháng 5/2027?", "Hạn chót từ 1/5/2027 đến 31/5/2027", ["15/5/2027"]),
    ("Tuần tới có hạn chót nào?", "Hạn chót từ 26/4/2027 đến 2/5/2027", ["30/4/2027"]),
    ("Những việc nào đã quá hạn?", "", ["20/4/2027", "26/2/2027"]),
    ("Sở Xây dựng có việc gì quá hạn?", "", ["Sở Xây dựng"]),
    ("Các hạn chót trong năm 2028?", "Hạn chót từ 1/1/2028 đến 31/12/2028", ["31/3/2028"]),
    ("Năm 2027 có những hạn nào?", "Hạn chót từ 1/1/2027 đến 31/12/2027", ["15/12/2027", "30/6/2027"]),
    ("Sở Xây dựng có những hạn chót nào trong năm 2027?", "Hạn chót từ 1/1/2027 đến 31/12/2027", ["15/5/2027"]),
])
def test_a_fact_question_never_embeds(answerer: Answerer, question: str, head: str, listed: list[str]) -> None:
    embedder = answerer.view.searcher.embedder
    before = embedder.texts
    ans = answerer.answer(question, TODAY)
    assert ans.found, ans.text
    assert embedder.texts == before, f"{question!r} embedded the question"
    text = ans.text + "\n" + ans.more
    assert text.startswith(head) and all(d in text for d in listed), text


@pytest.mark.parametrize("question", ["Kế hoạch số hóa hồ sơ đất đai đặt mục tiêu gì?",
                                      "Kế hoạch năm 2027 đặt chỉ tiêu gì?"])
def test_a_question_about_the_text_does_embed(answerer: Answerer, question: str) -> None:
    """The counter is on the path answers take: a question only the text answers embeds once."""
    embedder = answerer.view.searcher.embedder
    before = embedder.texts
    answerer.answer(question, TODAY)
    assert embedder.texts == before + 1


def test_a_reply_naming_another_year_asks_for_that_years_limits(answerer: Answerer) -> None:
    from bot.answering.followups import Followup

    asked = Followup.of(answerer.parse("Các hạn chót trong năm 2027?", TODAY))
    reply = answerer.parse("còn năm 2028 thì sao?", TODAY, asked)
    assert reply.window is not None and (reply.window.start, reply.window.end) == (date(2028, 1, 1), date(2028, 12, 31))
    ans = answerer.answer("còn năm 2028 thì sao?", TODAY, asked)
    assert ans.text.startswith("Hạn chót từ 1/1/2028 đến 31/12/2028") and "31/3/2028" in ans.text
    month = Followup.of(answerer.parse("Có những hạn chót nào trong tháng 5/2027?", TODAY))
    assert answerer.parse("còn năm 2028 thì sao?", TODAY, month).window is None  # a month asked: as before
