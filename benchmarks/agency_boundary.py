"""Where does an agency phrase end? Our stop-word rule against part-of-speech taggers (pyvi, underthesea).

Why: knowledge/agency_grammar.py ends an open-vocabulary agency phrase (`Chi cục Thủy lợi rà soát …`)
at the first word of a hand-written verb/function-word list (STOP_WORDS). Each verb the list lacks
lets a phrase run on into its predicate, and the obvious alternative to writing ever longer lists is a
Vietnamese POS tagger that knows verbs already. This benchmark measures whether one would draw the
boundary better, before anyone adds a dependency or more verbs.

The sentences below were written for this benchmark (none is taken from a real directive): each has an
agency subject followed by its predicate, with the gold agency span, and a category for the hard
cases — names that contain verb-like words (`Ban Quản lý dự án đầu tư xây dựng …`), verbs missing from
STOP_WORDS, lowercase continuations (`Chi cục Chăn nuôi và thú y`), localities (`UBND xã Tân Lập`),
lists with commas, and agencies after an opening word (`Giao …`, `Đề nghị …`).

Methods, all scored on the exact span (start and end) of the gold agency, and on its end alone
(end_accuracy):
  rule            knowledge.agencies.find_agencies(text, None, open_vocab=True); the mention overlapping the gold.
  pyvi/tags       ViTokenizer + ViPosTagger on the whole sentence; from the token holding the gold start (the
                  head, which the rule finds already) extend while the tag is nominal (N*, A, L, M, X, Y, Z, B)
                  and stop at the first verb, preposition, conjunction, adverb, pronoun, particle or punctuation.
  pyvi/tags+caps  the same, but a capitalised token always continues the name (official names capitalise
                  their proper part) and `và` / `-` followed by a capitalised token continues it too.
  underthesea/…   the same two rules on underthesea.pos_tag (its 2017 CRF model ships inside the wheel).
  underthesea-v2/… the same on underthesea's 2023 VLSP 2013 CRF model (also shipped; see load_underthesea_v2).
  rule+X/earlier  our rule's span cut at tagger X's tags+caps end when that comes first (stop words ∪ verbs).
A tagger that cannot be imported is recorded as "unavailable". Time is the mean per sentence over
ROUNDS passes after one warm-up pass (model loading is reported separately as load_seconds).

    python benchmarks/agency_boundary.py      # prints JSON and writes benchmarks/agency_boundary.json

The taggers are not project dependencies; to measure them, use a separate venv, e.g.
    python3 -m venv /tmp/posvenv && /tmp/posvenv/bin/pip install rapidfuzz pyvi underthesea
    PYTHONPATH=. /tmp/posvenv/bin/python benchmarks/agency_boundary.py
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # after PYTHONPATH, so another checkout of knowledge/ can be measured

from knowledge.agencies import find_agencies, fold_aligned  # noqa: E402
from knowledge.agency_grammar import TITLES  # noqa: E402

ROUNDS = 5
OUT = Path(__file__).with_suffix(".json")

# (sentence, gold agency as written in the sentence (its first occurrence), category)
CASES: list[tuple[str, str, str]] = [
    # plain: heads and verbs the rule knows
    ("Sở Tài chính chủ trì, phối hợp với các đơn vị liên quan thẩm định dự toán.", "Sở Tài chính", "plain"),
    ("Sở Nông nghiệp và Phát triển nông thôn hướng dẫn các xã hoàn thiện hồ sơ công nhận.",
     "Sở Nông nghiệp và Phát triển nông thôn", "plain"),
    ("Chi cục Thủy lợi rà soát hiện trạng các tuyến kênh mương nội đồng.", "Chi cục Thủy lợi", "plain"),
    ("Trung tâm Khuyến nông tỉnh phối hợp với Hội Nông dân tỉnh mở lớp tập huấn kỹ thuật.",
     "Trung tâm Khuyến nông tỉnh", "plain"),
    ("Hội Nông dân tỉnh vận động hội viên tham gia mô hình liên kết sản xuất.", "Hội Nông dân tỉnh", "plain"),
    ("Công an tỉnh đảm bảo an ninh trật tự tại các điểm thi công.", "Công an tỉnh", "plain"),
    ("Văn phòng Điều phối nông thôn mới tỉnh tổng hợp kết quả thực hiện các tiêu chí.",
     "Văn phòng Điều phối nông thôn mới tỉnh", "plain"),
    ("Chi cục Kiểm lâm phối hợp với chính quyền địa phương kiểm tra các cơ sở chế biến gỗ.",
     "Chi cục Kiểm lâm", "plain"),
    ("Chi cục Phát triển nông thôn tham mưu xây dựng bộ tiêu chí xã nông thôn mới kiểu mẫu.",
     "Chi cục Phát triển nông thôn", "plain"),
    ("Ngân hàng Chính sách xã hội tỉnh giải ngân kịp thời nguồn vốn vay ưu đãi.",
     "Ngân hàng Chính sách xã hội tỉnh", "plain"),
    ("Phòng Tài chính - Kế hoạch huyện thẩm định quyết toán vốn đầu tư.", "Phòng Tài chính - Kế hoạch huyện", "plain"),
    ("Phòng Lao động - Thương binh và Xã hội huyện lập danh sách hộ cận nghèo.",
     "Phòng Lao động - Thương binh và Xã hội huyện", "plain"),
    ("Ban Tiếp công dân tỉnh tiếp công dân định kỳ vào ngày 15 hằng tháng.", "Ban Tiếp công dân tỉnh", "plain"),
    # names with verb-like (lowercase) words inside
    ("Ban Quản lý dự án đầu tư xây dựng các công trình giao thông tỉnh khẩn trương bàn giao mặt bằng cho nhà thầu.",
     "Ban Quản lý dự án đầu tư xây dựng các công trình giao thông tỉnh", "verb_in_name"),
    ("Ban QLDA đầu tư xây dựng huyện Bình Lâm lập hồ sơ quyết toán công trình.",
     "Ban QLDA đầu tư xây dựng huyện Bình Lâm", "verb_in_name"),
    ("Trung tâm Phục vụ hành chính công tỉnh tiếp nhận hồ sơ trực tuyến của người dân.",
     "Trung tâm Phục vụ hành chính công tỉnh", "verb_in_name"),
    ("Ban Quản lý các khu công nghiệp tỉnh rà soát các dự án chậm tiến độ.",
     "Ban Quản lý các khu công nghiệp tỉnh", "verb_in_name"),
    ("Trung tâm Phát triển quỹ đất tỉnh tổ chức đấu giá quyền sử dụng đất.",
     "Trung tâm Phát triển quỹ đất tỉnh", "verb_in_name"),
    ("Ban Quản lý rừng phòng hộ Sông Cầu tăng cường tuần tra bảo vệ rừng.",
     "Ban Quản lý rừng phòng hộ Sông Cầu", "verb_in_name"),
    ("Trung tâm Kiểm soát bệnh tật tỉnh giám sát chặt chẽ tình hình dịch bệnh.",
     "Trung tâm Kiểm soát bệnh tật tỉnh", "verb_in_name"),
    ("Ban Chỉ đạo phòng, chống thiên tai huyện triển khai phương án ứng phó bão.",
     "Ban Chỉ đạo phòng, chống thiên tai huyện", "verb_in_name"),
    ("Trạm Trồng trọt và Bảo vệ thực vật huyện hướng dẫn nông dân phòng trừ sâu bệnh.",
     "Trạm Trồng trọt và Bảo vệ thực vật huyện", "verb_in_name"),
    ("Ban Bồi thường giải phóng mặt bằng huyện chi trả tiền bồi thường cho các hộ dân.",
     "Ban Bồi thường giải phóng mặt bằng huyện", "verb_in_name"),
    ("Văn phòng đăng ký đất đai tỉnh cấp giấy chứng nhận quyền sử dụng đất cho các hộ.",
     "Văn phòng đăng ký đất đai tỉnh", "verb_in_name"),
    ("Sau khi có ý kiến thẩm định, Ban Quản lý dự án nông nghiệp tỉnh hoàn chỉnh hồ sơ trình phê duyệt.",
     "Ban Quản lý dự án nông nghiệp tỉnh", "verb_in_name"),
    ("Trung tâm Xúc tiến đầu tư, thương mại và du lịch tỉnh giới thiệu sản phẩm OCOP tại hội chợ.",
     "Trung tâm Xúc tiến đầu tư, thương mại và du lịch tỉnh", "verb_in_name"),
    # verbs missing from STOP_WORDS
    ("Kho bạc Nhà nước tỉnh kiểm soát chi chặt chẽ các khoản tạm ứng.", "Kho bạc Nhà nước tỉnh", "unlisted_verb"),
    ("Sở Giao thông vận tải sửa chữa các tuyến đường bị sạt lở.", "Sở Giao thông vận tải", "unlisted_verb"),
    ("Chi cục Thú y tiêm phòng vắc xin cho đàn gia súc trước mùa mưa.", "Chi cục Thú y", "unlisted_verb"),
    ("Trung tâm Y tế huyện cử cán bộ hỗ trợ các trạm y tế xã.", "Trung tâm Y tế huyện", "unlisted_verb"),
    ("Đài Phát thanh và Truyền hình tỉnh mở chuyên mục về xây dựng nông thôn mới.",
     "Đài Phát thanh và Truyền hình tỉnh", "unlisted_verb"),
    ("Báo Sơn Hà đăng tải các gương điển hình tiên tiến.", "Báo Sơn Hà", "unlisted_verb"),
    ("Hội Liên hiệp Phụ nữ tỉnh phát huy vai trò của hội viên trong giữ gìn cảnh quan.",
     "Hội Liên hiệp Phụ nữ tỉnh", "unlisted_verb"),
    ("Tỉnh đoàn ra quân chiến dịch thanh niên tình nguyện hè.", "Tỉnh đoàn", "unlisted_verb"),
    ("Liên đoàn Lao động tỉnh thăm hỏi, tặng quà công nhân có hoàn cảnh khó khăn.",
     "Liên đoàn Lao động tỉnh", "unlisted_verb"),
    ("Sở Công Thương kết nối tiêu thụ sản phẩm OCOP cho các hợp tác xã.", "Sở Công Thương", "unlisted_verb"),
    ("Trung tâm Văn hóa - Thể thao huyện dàn dựng các tiết mục văn nghệ chào mừng.",
     "Trung tâm Văn hóa - Thể thao huyện", "unlisted_verb"),
    ("Trung tâm Công nghệ thông tin và Truyền thông tỉnh vận hành hệ thống quản lý văn bản.",
     "Trung tâm Công nghệ thông tin và Truyền thông tỉnh", "unlisted_verb"),
    ("Chi cục Tiêu chuẩn Đo lường Chất lượng hiệu chuẩn các phương tiện đo tại chợ.",
     "Chi cục Tiêu chuẩn Đo lường Chất lượng", "unlisted_verb"),
    ("Chi cục Bảo vệ môi trường quan trắc chất lượng nước tại các làng nghề.",
     "Chi cục Bảo vệ môi trường", "unlisted_verb"),
    ("Trung tâm Dịch vụ nông nghiệp huyện cung ứng giống lúa chất lượng cao.",
     "Trung tâm Dịch vụ nông nghiệp huyện", "unlisted_verb"),
    ("Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên huyện mở lớp đào tạo nghề cho lao động nông thôn.",
     "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên huyện", "unlisted_verb"),
    ("Phòng Kinh tế và Hạ tầng thị xã nghiệm thu chất lượng công trình.", "Phòng Kinh tế và Hạ tầng thị xã",
     "unlisted_verb"),
    ("Trạm Khuyến nông huyện nhân giống cây ăn quả có múi cho các hộ.", "Trạm Khuyến nông huyện", "unlisted_verb"),
    # lowercase continuations of a name
    ("Chi cục Chăn nuôi và thú y giám sát dịch tả lợn châu Phi tại các trang trại.", "Chi cục Chăn nuôi và thú y",
     "lowercase"),
    ("Phòng Văn hóa và thông tin huyện tuyên truyền về bộ tiêu chí mới.", "Phòng Văn hóa và thông tin huyện",
     "lowercase"),
    ("Chi cục Quản lý chất lượng nông lâm sản và thủy sản lấy mẫu kiểm nghiệm an toàn thực phẩm.",
     "Chi cục Quản lý chất lượng nông lâm sản và thủy sản", "lowercase"),
    ("Trung tâm Giống cây trồng và vật nuôi tỉnh cung cấp con giống cho các hợp tác xã.",
     "Trung tâm Giống cây trồng và vật nuôi tỉnh", "lowercase"),
    # localities
    ("Ủy ban nhân dân huyện Sơn Hà chỉ đạo các xã rà soát hộ nghèo.", "Ủy ban nhân dân huyện Sơn Hà", "locality"),
    ("UBND xã Tân Lập khẩn trương hoàn thành việc thu hồi đất.", "UBND xã Tân Lập", "locality"),
    ("UBND huyện Bình Lâm bố trí vốn đối ứng cho các công trình.", "UBND huyện Bình Lâm", "locality"),
    ("Ủy ban nhân dân thị xã Phú Thành chịu trách nhiệm về tiến độ giải phóng mặt bằng.",
     "Ủy ban nhân dân thị xã Phú Thành", "locality"),
    ("UBND xã Hòa Bình Đông nghiệm thu các công trình đường giao thông nông thôn.", "UBND xã Hòa Bình Đông",
     "locality"),
    ("Phòng Nông nghiệp và Phát triển nông thôn huyện Sơn Hà tổng hợp nhu cầu vốn.",
     "Phòng Nông nghiệp và Phát triển nông thôn huyện Sơn Hà", "locality"),
    ("Trung tâm Y tế thành phố Tân An giám sát các ổ dịch sốt xuất huyết.", "Trung tâm Y tế thành phố Tân An",
     "locality"),
    ("Công an xã Tân Lập nắm chắc tình hình an ninh nông thôn.", "Công an xã Tân Lập", "locality"),
    ("Hội Cựu chiến binh huyện Bình Lâm giúp đỡ hội viên phát triển kinh tế.", "Hội Cựu chiến binh huyện Bình Lâm",
     "locality"),
    # lists and collectives with commas
    ("UBND các huyện, thị xã, thành phố chỉ đạo các xã đăng ký tiêu chí.", "UBND các huyện, thị xã, thành phố",
     "list"),
    ("Các sở, ban, ngành tỉnh theo chức năng, nhiệm vụ được giao hướng dẫn các địa phương.",
     "Các sở, ban, ngành tỉnh", "list"),
    ("Sở Tài chính, Sở Kế hoạch và Đầu tư tham mưu phân bổ vốn.", "Sở Tài chính", "list"),
    ("Chi cục Thủy lợi, Chi cục Kiểm lâm kiểm tra hồ đập trước mùa mưa bão.", "Chi cục Thủy lợi", "list"),
    ("Hội Nông dân, Hội Liên hiệp Phụ nữ tỉnh phối hợp tuyên truyền.", "Hội Nông dân", "list"),
    ("Các Ban QLDA chuyên ngành đẩy nhanh tiến độ giải ngân vốn đầu tư công.", "Các Ban QLDA chuyên ngành", "list"),
    # after an opening word or a title
    ("Giao Chi cục Phát triển nông thôn chủ trì hướng dẫn thực hiện.", "Chi cục Phát triển nông thôn", "opening"),
    ("Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh giám sát việc thực hiện.",
     "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "opening"),
    ("Yêu cầu Giám đốc Sở Y tế chỉ đạo các bệnh viện tuyến huyện.", "Sở Y tế", "opening"),
    ("Chủ tịch UBND các xã chịu trách nhiệm trước Chủ tịch UBND huyện.", "UBND các xã", "opening"),
]

# Tags after which the phrase goes on: nouns of every kind, adjectives (`nông thôn mới`), determiners
# (`các công trình`), numerals, abbreviations and foreign words. Everything else (V, E, C, CC, R, P, T, I,
# punctuation) ends it.
NOMINAL = {"N", "Np", "Nc", "Nu", "Ny", "Nb", "A", "L", "M", "X", "Y", "Z", "B"}

Span = tuple[int, int]
Tagged = list[tuple[int, int, str]]  # (start, end, tag) of each token in the original text


def _gold(sentence: str, agency: str) -> Span:
    start = sentence.index(agency)
    return start, start + len(agency)


def rule_span(sentence: str, gold: Span) -> Span | None:
    """Our rule: the open-vocabulary mention that overlaps the gold span, less a title it keeps in front
    (`Giám đốc Sở Y tế` stands for Sở Y tế: the title is not a boundary error)."""
    for m in find_agencies(sentence, None, open_vocab=True):
        if m.start < gold[1] and gold[0] < m.end:
            before = fold_aligned(sentence[m.start:gold[0]]).strip().lower()
            return (gold[0] if before in TITLES else m.start), m.end
    return None


def align(sentence: str, tokens: list[tuple[str, str]]) -> Tagged:
    """Offsets of tagged tokens in the sentence; taggers join syllables with `_` or normalise spelling."""
    folded = fold_aligned(sentence)
    out: Tagged = []
    pos = 0
    for word, tag in tokens:
        surface = word.replace("_", " ")
        at = sentence.find(surface, pos)
        if at < 0:
            at = folded.find(fold_aligned(surface), pos)
        if at < 0:
            continue
        pos = at + len(surface)
        out.append((at, pos, tag))
    return out


def extend(sentence: str, tagged: Tagged, start: int, caps: bool) -> Span | None:
    """From the token holding `start` (the head), extend over nominal tokens; see the module docstring."""
    first = next((i for i, (s, e, _) in enumerate(tagged) if s <= start < e), None)
    if first is None:
        return None
    end = tagged[first][1]
    i = first + 1
    while i < len(tagged):
        s, e, tag = tagged[i]
        word = sentence[s:e]
        upper = word[:1].isupper()
        nxt_upper = i + 1 < len(tagged) and sentence[tagged[i + 1][0]:tagged[i + 1][0] + 1].isupper()
        if caps and word in ("và", "-", "–") and nxt_upper:
            i += 1
            continue
        if tag in NOMINAL and word[:1].isalnum() or caps and upper:
            end = e
            i += 1
            continue
        break
    return start, end


def load_pyvi() -> Callable[[str], Tagged]:
    vitok = importlib.import_module("pyvi.ViTokenizer")
    vipos = importlib.import_module("pyvi.ViPosTagger")

    def tag(sentence: str) -> Tagged:
        words, tags = vipos.postagging(vitok.tokenize(sentence))
        return align(sentence, list(zip(words, [str(t) for t in tags], strict=True)))

    return tag


def load_underthesea() -> Callable[[str], Tagged]:
    pos_tag = importlib.import_module("underthesea").pos_tag

    def tag(sentence: str) -> Tagged:
        return align(sentence, [(w, t) for w, t in pos_tag(sentence)])

    return tag


def load_underthesea_v2() -> Callable[[str], Tagged]:
    """underthesea's newer VLSP 2013 CRF model (also in the wheel). `pos_tag(model="v2.0")` returns
    nothing after its first call (an unbound `result` in 9.5.0), so the model is loaded here directly."""
    base = importlib.import_module("underthesea")
    tagger_cls = importlib.import_module("underthesea.models.fast_crf_sequence_tagger").FastCRFSequenceTagger
    model = tagger_cls()
    model.load(str(Path(importlib.import_module("underthesea.pipeline.pos_tag").__file__).parent
                   / "models" / "pos_crf_vlsp2013_20230303"))

    def tag(sentence: str) -> Tagged:
        words = base.word_tokenize(sentence)
        tags = [t[2:] for t in model.predict([[w] for w in words])]  # B-N, B-V, … → N, V, …
        return align(sentence, list(zip(words, tags, strict=True)))

    return tag


def _closure_size(dist_name: str) -> dict[str, Any]:
    """Installed size of a distribution and everything it requires (no extras), as installed here."""
    seen: dict[str, int] = {}
    todo = [dist_name]
    while todo:
        name = re.split(r"[\s;<>=!~\[(]", todo.pop(), maxsplit=1)[0].lower().replace("_", "-")
        if not name or name in seen:
            continue
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue
        size = 0
        for f in dist.files or []:
            p = Path(str(dist.locate_file(f)))
            if p.is_file():
                size += p.stat().st_size
        seen[name] = size
        todo += [r for r in dist.requires or [] if "extra ==" not in r]
    return {"installed_mb_with_dependencies": round(sum(seen.values()) / 2**20, 1),
            "packages_mb": {k: round(v / 2**20, 1) for k, v in sorted(seen.items(), key=lambda kv: -kv[1])}}


def _earlier(rule: Span | None, tagged: Span | None) -> Span | None:
    """The rule's span, ended at the tagger's end when that comes first; the tagger's when the rule has none."""
    if rule is None or tagged is None:
        return rule or tagged
    return rule[0], min(rule[1], tagged[1])


def _score(spans: list[Span | None], golds: list[Span], seconds: float) -> dict[str, Any]:
    per_cat: dict[str, list[int]] = {}
    failures = []
    for (sentence, agency, cat), got, gold in zip(CASES, spans, golds, strict=True):
        ok = got == gold
        per_cat.setdefault(cat, [0, 0])
        per_cat[cat][0] += ok
        per_cat[cat][1] += 1
        if not ok:
            failures.append({"category": cat, "gold": agency, "got": sentence[got[0]:got[1]] if got else None})
    correct = sum(v[0] for v in per_cat.values())
    ends = sum(got is not None and got[1] == gold[1] for got, gold in zip(spans, golds, strict=True))
    return {"available": True, "exact_span_accuracy": round(correct / len(CASES), 3), "correct": correct,
            "end_accuracy": round(ends / len(CASES), 3), "total": len(CASES), "ms_per_sentence": round(1000 * seconds / (ROUNDS * len(CASES)), 3),
            "by_category": {k: f"{v[0]}/{v[1]}" for k, v in per_cat.items()}, "failures": failures}


def _timed(fn: Callable[[str, Span], Span | None], golds: list[Span]) -> tuple[list[Span | None], float]:
    spans = [fn(s, g) for (s, _, _), g in zip(CASES, golds, strict=True)]  # warm-up pass
    t0 = time.perf_counter()
    for _ in range(ROUNDS):
        for (s, _, _), g in zip(CASES, golds, strict=True):
            fn(s, g)
    return spans, time.perf_counter() - t0


def main() -> dict[str, Any]:
    golds = [_gold(s, a) for s, a, _ in CASES]
    methods: dict[str, Any] = {}
    spans, secs = _timed(rule_span, golds)
    methods["rule"] = _score(spans, golds, secs)
    packages: dict[str, Any] = {}
    rule_spans = spans
    loaders = (("pyvi", load_pyvi, "pyvi"), ("underthesea", load_underthesea, "underthesea"),
               ("underthesea-v2", load_underthesea_v2, "underthesea"))
    for tagger, loader, dist in loaders:
        t0 = time.perf_counter()
        try:
            tag = loader()
            tag("Sở Tài chính chủ trì.")  # loads the model
        except Exception as exc:  # noqa: BLE001 - any failure to import or load means "unavailable"
            for variant in ("tags", "tags+caps"):
                methods[f"{tagger}/{variant}"] = {"available": False, "status": "unavailable",
                                                  "reason": f"{type(exc).__name__}: {exc}"[:300]}
            continue
        load = time.perf_counter() - t0
        packages.setdefault(dist, {"version": md.version(dist), **_closure_size(dist)})
        for variant, caps in (("tags", False), ("tags+caps", True)):
            def run(s: str, g: Span, caps: bool = caps, tag: Callable[[str], Tagged] = tag) -> Span | None:
                return extend(s, tag(s), g[0], caps)
            spans, secs = _timed(run, golds)
            result = _score(spans, golds, secs)
            result["load_seconds"] = round(load, 2)
            methods[f"{tagger}/{variant}"] = result
            if caps and tagger != "underthesea":
                both = [_earlier(r, t) for r, t in zip(rule_spans, spans, strict=True)]
                methods[f"rule+{tagger}/earlier"] = _score(both, golds, secs)
                methods[f"rule+{tagger}/earlier"]["ms_per_sentence"] = round(
                    methods["rule"]["ms_per_sentence"] + result["ms_per_sentence"], 3)
    knowledge = Path(importlib.import_module("knowledge").__file__ or "").parent
    summary = {k: v["exact_span_accuracy"] if v["available"] else "unavailable" for k, v in methods.items()}
    return {"sentences": len(CASES), "rounds": ROUNDS, "exact_span_accuracy": summary, "methods": methods,
            "packages": packages, "python": sys.version.split()[0], "knowledge_tree": _tree_state(knowledge)}


def _tree_state(knowledge: Path) -> dict[str, Any]:
    """Which knowledge/ the rule ran from: the rule's numbers move with every edit to the grammar."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=knowledge, capture_output=True, text=True,
                                  timeout=30).stdout.strip()
        except OSError:
            return ""
    return {"path": str(knowledge), "commit": git("rev-parse", "--short", "HEAD"),
            "modified": git("status", "--porcelain", "--", ".").splitlines()}


if __name__ == "__main__":
    report = main()
    text = json.dumps(report, ensure_ascii=False, indent=2)
    OUT.write_text(text + "\n", encoding="utf-8")
    print(text)
