"""Open-vocabulary agency phrases: an agency is recognised by its head noun and its shape, not by a table.

Vietnamese official names put a head noun first and capitalise the first word of the proper part
(Nghị định 30/2020/NĐ-CP, Phụ lục II): `Sở Tư pháp`, `Chi cục Thú y`, `Trung tâm Phục vụ hành chính
công tỉnh`, `Ban Quản lý dự án đầu tư xây dựng các công trình giao thông`. A phrase therefore
starts at a capitalised head (or a title such as `Chủ tịch`, `Giám đốc`, or a collective `các sở,
ban, ngành`) and runs until a verb, a function word or punctuation. The fixed table in
knowledge.agencies only canonicalises the names it knows; everything else found here is kept as
written.

All vocabulary below is folded (lowercase ASCII, đ → d), matched on whole words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Head nouns of a named agency; the original must be capitalised (`Ban` yes, `ban hành` no).
# Longer heads first so that `Bộ Chỉ huy Quân sự` is not read as `Bộ` + name.
HEADS = sorted([
    "bo chi huy quan su", "bo chi huy bo doi bien phong", "bo", "so", "ban quan ly", "ban qlda", "ban chi dao",
    "ban", "uy ban nhan dan", "ubnd", "uy ban mat tran to quoc", "uy ban mttq", "uy ban", "ub", "van phong",
    "kho bac nha nuoc", "kho bac", "kbnn", "tong cuc", "chi cuc", "cuc", "trung tam", "phong", "tram",
    "hoi dong nhan dan", "hdnd", "hoi dong", "hoi", "tinh doan", "thanh doan", "lien doan lao dong",
    "mat tran to quoc", "cong an", "ngan hang", "dai phat thanh", "bao", "thanh tra", "cong ty", "tong cong ty",
    "tap doan", "vien", "hoc vien", "chi nhanh", "vp", "ban dan toc", "to cong tac", "hoi lien hiep phu nu",
    "hoi nong dan", "hoi cuu chien binh", "doan thanh nien", "tong lien doan lao dong", "van phong dieu phoi",
    "thuong truc", "chinh phu", "thu tuong chinh phu", "bao hiem xa hoi", "bhxh", "cuc thue", "thue",
    "hai quan", "kiem toan nha nuoc", "toa an nhan dan", "vien kiem sat nhan dan", "dien luc",
], key=len, reverse=True)

# Heads that name an agency on their own (`Công an tỉnh` is a phrase, but `UBND` alone is one too).
STANDALONE_HEADS = {"ubnd", "kbnn", "bhxh"}

# Heads that are also common nouns when a lowercase word follows (`Bộ tiêu chí` = a set of criteria).
LOWERCASE_NOUN_HEADS = {"bo"}

# Titles that stand for their agency: `Chủ tịch UBND huyện X` acts for that UBND.
TITLES = sorted([
    "chu tich", "pho chu tich", "giam doc", "pho giam doc", "thu truong", "lanh dao", "truong ban",
    "pho truong ban", "bo truong", "chu nhiem", "chanh van phong", "tong giam doc", "cuc truong",
    "chi cuc truong", "truong phong", "chanh thanh tra", "tong cuc truong",
], key=len, reverse=True)

# Actors outside government that directives assign duties to; lowercase is normal for them.
ACTORS = sorted([
    "cac chu dau tu", "chu dau tu", "nha dau tu", "cac nha dau tu", "cac doanh nghiep", "don vi tu van",
    "cac co quan chu quan", "co quan chu quan", "cac don vi su nghiep truc thuoc", "cac don vi truc thuoc",
    "cac co quan, don vi", "cac co quan, don vi, dia phuong", "cac co quan", "cac don vi", "cac dia phuong",
    "cac nganh", "cac hoi, doan the", "cac doan the",
], key=len, reverse=True)

# Plural heads after `các` (`các sở, ban, ngành`; `các Bộ, ngành, địa phương`; `các Ban QLDA`).
COLLECTIVE_HEADS = ["so", "bo", "ban", "nganh", "co quan", "don vi", "dia phuong", "huyen", "xa", "tinh",
                    "phuong", "thanh pho", "thi xa", "hoi", "doan the", "chu dau tu", "ban qlda",
                    "ban quan ly", "trung tam", "chi cuc", "cuc", "phong", "tram", "doanh nghiep",
                    "to chuc", "co quan ngang bo", "co quan thuoc chinh phu", "dac khu",
                    # units below the commune that report to it (`các thôn, bản`, `các ấp, tổ dân phố`)
                    "thon", "ap", "to dan pho", "khu pho", "buon", "soc", "khom", "xom",
                    "quan"]  # urban districts before 7/2025 (`UBND các quận, huyện`); spelling-checked

# Words after a comma that continue a collective list (`UBND các huyện, thị xã, thành phố`).
LIST_CONTINUATIONS = sorted([
    "ban", "nganh", "doan the", "dia phuong", "don vi", "co quan", "thanh pho", "thi xa", "huyen", "xa",
    "phuong", "dac khu", "thi tran", "co quan ngang bo", "co quan thuoc chinh phu", "uy ban nhan dan cap tinh",
    "ubnd cap tinh", "hoi", "to chuc", "chu dau tu", "tinh", "dia phuong lien quan",
    "thon", "ap", "to dan pho", "khu pho", "buon", "soc", "khom", "xom", "quan",
], key=len, reverse=True)

# Words that end a phrase: verbs that follow a subject in directives, adverbs, and function words.
# Written with diacritics and compared with the original lowercase word, because folding merges
# words a name needs with words that end it (`Đầu tư` / `từ`, `Bắc Nam` / `năm`, `Tân Lập` / `lập`);
# a capitalised word is never a stop word (it belongs to a name).
STOP_WORDS = {
    # verbs (two syllables first where the first syllable alone is also a noun)
    "chủ trì", "phối hợp", "khẩn trương", "tập trung", "chỉ đạo", "rà soát", "tham mưu", "báo cáo",
    "thực hiện", "hoàn thành", "tổ chức", "nghiên cứu", "đôn đốc", "theo dõi", "hướng dẫn", "kiểm tra",
    "chủ động", "đẩy nhanh", "đẩy mạnh", "định kỳ", "tiếp tục", "bám sát", "căn cứ", "chịu trách",
    "triển khai", "ban hành", "tổng hợp", "tiếp thu", "soát xét", "ưu tiên", "kiện toàn", "phân công",
    "nâng cao", "huy động", "đánh giá", "cập nhật", "đề xuất", "đảm bảo", "bảo đảm", "phấn đấu",
    "thống nhất", "hoàn thiện", "giải ngân", "bố trí", "cân đối", "khảo sát", "thông báo", "tham gia",
    "xem xét", "quyết định", "phê duyệt", "thẩm định", "lập", "trình", "gửi", "có", "là", "được", "đã",
    "sẽ", "cần", "phải", "nhận", "chịu", "giao", "yêu cầu", "đề nghị", "làm", "tạo", "điều chỉnh",
    "xây dựng", "quán triệt", "thường xuyên", "tích cực", "kịp thời", "nghiêm túc", "sau khi", "nếu",
    "tiếp nhận", "cung cấp", "bổ sung", "chuẩn bị", "đăng ký", "công khai", "công bố", "tuyên truyền",
    "giải quyết", "xử lý", "hỗ trợ", "vận động", "rút kinh nghiệm", "giám sát", "trả lời",
    "giải trình", "cam kết", "tiếp", "ký", "chuyển", "dừng", "thành lập", "sắp xếp", "điều hành",
    "vừa", "đang", "cũng", "vẫn", "còn", "chưa", "không", "mới", "luôn", "bị", "hoàn chỉnh", "dự thảo",
    "lấy ý kiến", "tiến hành", "phát động", "chấn chỉnh", "khắc phục", "nắm", "bàn", "thẩm tra",
    "góp ý", "họp", "làm việc", "đưa", "xác định", "lưu ý", "chú ý", "tiêm", "đăng tải", "chuẩn hóa", "nhân rộng", "duy trì", "ứng dụng", "thu", "chi", "cấp phát",
    "theo", "rà", "lựa chọn", "mua sắm", "thanh toán", "quyết toán", "kiến nghị", "phổ biến",
    # function words
    "để", "về", "trước", "trong", "tại", "với", "cho", "khi", "đến", "từ", "của", "nhằm", "mà",
    "thì", "ở", "hoặc", "cùng", "như", "do", "vào", "qua", "trên", "dưới", "sau", "ngày", "tháng", "năm",
    "quý", "mỗi", "hằng", "hàng", "và các", "trong đó", "đối với", "liên quan đến", "nêu", "này", "đó",
    "tổng", "gồm", "bao gồm", "ngay", "chậm nhất", "đúng",
}
# Terms whose last word is also a stop word: `Văn phòng Điều phối nông thôn mới huyện` (`mới` = new).
NAME_ENDINGS = ("nong thon moi",)
MAX_WORDS = 14  # the longest names seen in directives (Ban Quản lý dự án … công trình …) have ~12 words

_WORD = re.compile(r"[a-z0-9&]+")


# One-syllable heads that fold onto other words: the head only counts with its own diacritics
# (`Số: 12/UBND` is not `Sở`, `Bảo vệ` is not `Báo`).
HEAD_SPELLING = {"so": "sở", "bao": "báo", "bo": "bộ", "cuc": "cục", "hoi": "hội", "tram": "trạm",
                 "vien": "viện", "phong": "phòng", "ban": "ban", "vp": "vp", "ub": "ub"}


def head_at(text: str, folded: str, pos: int) -> str | None:
    """The head noun starting at `pos`, checked against its spelling when folding is ambiguous."""
    return _match_spelled(text, folded, pos, HEADS, HEAD_SPELLING)


@dataclass(frozen=True)
class Phrase:
    start: int
    end: int
    kind: str  # named | title | collective | members (`các sở thành viên Ban X`) | actor


def _is_upper_at(text: str, pos: int) -> bool:
    return pos < len(text) and text[pos].isupper()


_COLLECTIVE_AFTER_VA = ["cac " + h for h in COLLECTIVE_HEADS] + COLLECTIVE_HEADS
_ALTERNATIONS: dict[int, re.Pattern[str]] = {}  # keyed by id() of the module-level lists above only


def _match_any(folded: str, pos: int, words: list[str]) -> str | None:
    """The longest of `words` starting at `pos` as whole words (one compiled alternation per list)."""
    pat = _ALTERNATIONS.get(id(words))
    if pat is None:
        alts = sorted(words, key=len, reverse=True)
        pat = _ALTERNATIONS[id(words)] = re.compile("(?:" + "|".join(re.escape(w) for w in alts) + ")(?![a-z0-9])")
    m = pat.match(folded, pos)
    return m.group(0) if m else None


# Folded words that also fold from other words: they count only with their own diacritics
# (`quận` is a district; `quản lý`, `quan tâm`, `quân đội` are not).
WORD_SPELLING = {"quan": "quận"}


def _match_spelled(text: str, folded: str, pos: int, words: list[str],
                   spelling: dict[str, str] = WORD_SPELLING) -> str | None:
    """_match_any, refusing a word of `spelling` written otherwise in the original text."""
    found = _match_any(folded, pos, words)
    if found in spelling and text[pos:pos + len(found)].lower() != spelling[found]:
        return None
    return found


_SYLLABLE = re.compile(r"[^\W_]+")


def _stop_at(text: str, pos: int) -> bool:
    """A verb or function word starts at `pos` (one, two or three syllables of the original)."""
    if _is_upper_at(text, pos):
        return False
    words = []
    i = pos
    for _ in range(3):
        m = _SYLLABLE.match(text, i)
        if not m:
            break
        words.append(m.group(0).lower())
        if text[m.end():m.end() + 1] != " ":
            break
        i = m.end() + 1
    if not words:
        return True
    return any(" ".join(words[:n]) in STOP_WORDS for n in range(1, len(words) + 1))


# Place words: after one, only a capitalised place name may follow (`UBND tỉnh Sơn Hà`), so a
# lowercase verb the stop list lacks still ends the phrase (`UBND tỉnh ghi nhận …`).
LOCALITY_WORDS = ("tinh", "huyen", "xa", "phuong", "thanh pho", "thi xa", "thi tran", "dac khu", "tp")
# A collective's scope (`các cơ quan Trung ương đóng trên địa bàn tỉnh`) belongs to the phrase.
LOCALITY_WORDS_LIST = [*LOCALITY_WORDS, "quan"]  # `quận` only where spelling is checked (WORD_SPELLING)
_SCOPE = re.compile(r"(?:dong )?tren dia ban(?: (?:tinh|huyen|xa|phuong|thanh pho))?(?![a-z])")


def _word_start_before(folded: str, pos: int) -> int:
    """Start of the word that ends right before `pos` (spaces skipped)."""
    k = pos
    while k > 0 and folded[k - 1] == " ":
        k -= 1
    while k > 0 and folded[k - 1].isalnum():
        k -= 1
    return k


# Role verbs: what a directive says an agency does right after naming it (`Văn phòng UBND tỉnh chủ trì,
# phối hợp với …`). Lowercase they are stop words already; these also end a name when capitalised (a table
# cell or an OCR line: `UBND tỉnh Chủ trì`), except right after the head, where they may open a name.
ROLE_VERBS = ("chu tri", "phoi hop", "tham muu", "thuc hien", "chiu trach nhiem", "to chuc thuc hien")
# Bodies named after what they coordinate or carry out: `Hội đồng phối hợp phổ biến, giáo dục pháp luật`,
# `Tổ công tác thực hiện Đề án 06`, `Ban Chỉ đạo thực hiện Chương trình …`. Right after one of these heads a
# role verb belongs to the name when a named object (capitalised) or one of NAMED_ROLE_OBJECTS follows;
# otherwise it is the verb (`Ban Chỉ đạo phối hợp với Sở Y tế`).
COUNCIL_HEADS = ("hoi dong", "ban chi dao", "to cong tac", "ban", "to", "nhom cong tac")
NAMED_ROLE_OBJECTS = ("pho bien", "lien nganh", "lien co quan", "cong tac")
# Lowercase terms inside common names that would otherwise end them (a stop word or a comma), taken whole:
# `Hội đồng phối hợp phổ biến, giáo dục pháp luật tỉnh` (every province has one).
NAME_TERMS = ["pho bien, giao duc phap luat", "pho bien giao duc phap luat"]
_ROLE_VERB = re.compile(r"(?:" + "|".join(ROLE_VERBS) + r")(?![a-z0-9])")


@dataclass
class _Cursor:
    """How far a phrase has got: scan position, end of the name so far, words taken, a place word seen."""

    i: int
    end: int
    words: int = 0
    placed: bool = False  # after `tỉnh`, `xã` …: only a capitalised place name may follow


def _skip_spaces(folded: str, j: int) -> int:
    while j < len(folded) and folded[j] == " ":
        j += 1
    return j


def _extend(text: str, folded: str, pos: int, collective: bool) -> int:
    """End of the phrase whose head ends at `pos`: words until a stop word or punctuation."""
    before = folded[max(0, pos - 24):pos].split()  # the last words before the head end
    cur = _Cursor(pos, pos, placed=bool(before) and (before[-1] in LOCALITY_WORDS
                                                      or " ".join(before[-2:]) in LOCALITY_WORDS))
    while cur.words < MAX_WORDS:
        j = _skip_spaces(folded, cur.i)
        if j >= len(folded):
            break
        ch = folded[j]
        if ch in "-–&" and j + 1 < len(folded):
            if not _across_dash(text, folded, j, cur):
                break
        elif ch == "," and collective:
            if not _across_comma(text, folded, j, cur):
                break
        elif not ch.isalnum() or not _take_word(text, folded, j, cur, collective):
            break
    return cur.end


def _across_dash(text: str, folded: str, j: int, cur: _Cursor) -> bool:
    """`Phát thanh - Truyền hình`, `chính trị - xã hội`, `TB&XH`: the name goes on after a dash."""
    k = _skip_spaces(folded, j + 1)
    if folded.startswith("xa hoi", k) and not _is_upper_at(text, k):  # `chính trị - xã hội`
        cur.end = cur.i = k + len("xa hoi")
        cur.words += 1
        return True
    if _is_upper_at(text, k) or folded.startswith(("tb", "xh"), k):
        cur.i = k
        return True
    return False


def _across_comma(text: str, folded: str, j: int, cur: _Cursor) -> bool:
    """A collective's list goes on after a comma: `các sở, ban, ngành`, `các xã Hòa Mỹ, Phú Lộc`."""
    k = _skip_spaces(folded, j + 1)
    cont = _match_spelled(text, folded, k, LIST_CONTINUATIONS)
    if cont:
        cur.end = cur.i = k + len(cont)
        cur.words += 1
        return True
    if _is_upper_at(text, k) and _is_upper_at(text, _word_start_before(folded, j)) and not head_at(text, folded, k):
        cur.i = k  # `các xã Hòa Mỹ, Phú Lộc`: the names of the units go on after a comma
        return True
    return False


def _across_va(text: str, folded: str, m: re.Match[str], cur: _Cursor, collective: bool) -> bool:
    """`và` joins two parts of one name (`Nông nghiệp và Môi trường`) or of a collective, not two agencies."""
    k = m.end() + 1
    if (_is_upper_at(text, k) and not head_at(text, folded, k)) \
            or (collective and _match_any(folded, k, _COLLECTIVE_AFTER_VA)):
        cur.i = m.end()
        return True
    return False


def _role_verb_ends(text: str, folded: str, j: int, cur: _Cursor, pos_head: str) -> bool:
    """A role verb at `j` ends the name, unless it opens the name of a council or task force."""
    verb = _ROLE_VERB.match(folded, j)
    if not verb:
        return False
    if cur.words == 0 and pos_head in COUNCIL_HEADS:
        k = _skip_spaces(folded, verb.end())
        if _is_upper_at(text, k) or folded.startswith(NAMED_ROLE_OBJECTS, k):
            return False
    return True


def _take_word(text: str, folded: str, j: int, cur: _Cursor, collective: bool) -> bool:
    """Take the word at `j` into the name; False when it ends the name (verb, head, year, non-place)."""
    m = _WORD.match(folded, j)
    if not m:
        return False
    if m.group(0) == "va":
        return _across_va(text, folded, m, cur, collective)
    scope = _SCOPE.match(folded, j) if collective else None
    if scope:
        cur.end = cur.i = scope.end()
        cur.words += 1
        return True
    term = _match_any(folded, j, NAME_TERMS)
    if term and not _is_upper_at(text, j):
        cur.end = cur.i = j + len(term)
        cur.words += 1
        return True
    head = _head_before(folded, cur.end)
    if _role_verb_ends(text, folded, j, cur, head) or (_stop_at(text, j) and not _named_term_at(folded, j, head)):
        return False
    if cur.placed and not _is_upper_at(text, j) and not _match_spelled(text, folded, j, LOCALITY_WORDS_LIST):
        return False
    if head_at(text, folded, j) and _is_upper_at(text, j) and cur.words > 0 and not collective \
            and not folded[cur.end - 4:cur.end].endswith(("tinh", "bo")):
        return False  # a second capitalised head starts another agency (`Sở Tài chính Sở Nội vụ` in a list)
    if m.group(0).isdigit() and len(m.group(0)) == 4:
        return False
    locality = _match_spelled(text, folded, j, LOCALITY_WORDS_LIST)
    cur.end = cur.i = j + len(locality) if locality and not _is_upper_at(text, j) else m.end()
    cur.placed = cur.placed or bool(locality and not _is_upper_at(text, j))
    cur.words += 1
    return True


def _named_term_at(folded: str, j: int, head: str) -> bool:
    """A stop word that is part of a name here: `… nông thôn mới` (NAME_ENDINGS), or the role verb that
    opens a council's name (see COUNCIL_HEADS)."""
    if folded.startswith(NAME_ENDINGS, max(0, j - 10)):
        return True
    return head in COUNCIL_HEADS and folded[:j].rstrip().endswith(head) and bool(_ROLE_VERB.match(folded, j))


def _head_before(folded: str, end: int) -> str:
    """The folded words right before `end` that form a council head, or ""."""
    tail = folded[max(0, end - 16):end]
    return next((h for h in COUNCIL_HEADS if tail.endswith(h) and (len(tail) == len(h) or tail[-len(h) - 1] == " ")),
                "")


# `các Bộ là thành viên Ban Chỉ đạo`, `các sở thành viên của Hội đồng`: one collective, not two agencies.
_MEMBERS = re.compile(r"\s+(?:(?:la\s+)?(?:co quan\s+)?thanh vien\s+)?(?:cua\s+)?")


def _members_of(text: str, folded: str, end: int) -> int:
    """End of a collective extended over the body it belongs to, if one follows."""
    m = _MEMBERS.match(folded, end)
    if not m or not (folded[end - 10:end] == "thanh vien" or "thanh vien" in m.group(0)):
        return end
    head = head_at(text, folded, m.end())
    if not head or not _is_upper_at(text, m.end()):
        return end
    return _extend(text, folded, m.end() + len(head), False)


# A named office of every unit of a level ends in `các huyện`: the list of levels goes on after commas.
_OFFICES_OF_UNITS = re.compile(r" cac (?:huyen|xa|phuong|thi xa|thanh pho|tinh)$")


_WORD_START = re.compile(r"(?<![a-z0-9/&])[a-z0-9]+")  # not inside `12/UBND-KT`
_LOWER_STARTS = {w.split()[0] for w in ACTORS} | {"cac"}


def find_phrases(text: str, folded: str) -> list[Phrase]:
    """Agency phrases by shape, left to right; overlapping ones are resolved by the caller."""
    out: list[Phrase] = []
    n = len(folded)
    done = 0
    for word in _WORD_START.finditer(folded):
        pos = word.start()
        # A phrase starts at a capitalised word, or at the lowercase first word of a collective or an
        # actor (`các sở`, `chủ đầu tư`); other words are skipped without trying every pattern.
        if pos < done or not (text[pos].isupper() or word.group(0) in _LOWER_STARTS):
            continue
        title = _match_any(folded, pos, TITLES)
        if title and not _is_upper_at(text, pos):
            done = pos + len(title)  # `bộ trưởng`, `giám đốc` in running text: a person, not an agency
            continue
        if title:
            k = pos + len(title)
            while k < n and folded[k] == " ":
                k += 1
            collective = folded.startswith("cac ", k)
            head = (_match_spelled(text, folded, k + 4, COLLECTIVE_HEADS) if collective else head_at(text, folded, k))
            if head:
                start_head = k + 4 if collective else k
                end = _extend(text, folded, start_head + len(head), collective)
                out.append(Phrase(pos, end, "title"))
                done = end
                continue
            done = pos + len(title)  # `Bộ trưởng,` alone: a person; its first word is no head noun
            continue
        actor = _match_any(folded, pos, ACTORS)
        if actor:
            own_end = _extend(text, folded, pos + len(actor), True)
            end = _members_of(text, folded, own_end)
            out.append(Phrase(pos, end, "members" if end > own_end else "actor"))
            done = end
            continue
        if folded.startswith("cac ", pos):
            head = _match_spelled(text, folded, pos + 4, COLLECTIVE_HEADS)
            if head:
                own_end = _extend(text, folded, pos + 4 + len(head), True)
                end = _members_of(text, folded, own_end)
                out.append(Phrase(pos, end, "members" if end > own_end else "collective"))
                done = end
                continue
        head = head_at(text, folded, pos)
        if head in LOWERCASE_NOUN_HEADS and not _is_upper_at(text, pos + len(head) + 1):
            head = None  # `Bộ tiêu chí`, `Bộ hồ sơ`: a set of things; a ministry's name is capitalised
        if head and _is_upper_at(text, pos):
            k = pos + len(head)
            collective = folded.startswith((" cac ", " cap "), k)
            end = _extend(text, folded, k, collective)
            if not collective and _OFFICES_OF_UNITS.search(folded, pos, end):
                end = _extend(text, folded, k, True)  # `Văn phòng Điều phối … các huyện, thị xã`
            if end > k or " " in head or head in STANDALONE_HEADS:
                out.append(Phrase(pos, end, "named"))
                done = end
                continue
    return out


_LIST_AFTER_COLON = re.compile(r"\s*:\s*")


@lru_cache(maxsize=8)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alts = sorted(names, key=len, reverse=True)
    return re.compile("(?:" + "|".join(re.escape(n) for n in alts) + ")(?![a-z0-9])")


def split_named_list(text: str, start: int, end: int, folded: str = "",
                     whole_names: tuple[str, ...] = ()) -> list[tuple[str, int, int]] | None:
    """`các Sở: Tư pháp, Nội vụ` → Sở Tư pháp, Sở Nội vụ; `UBND các huyện: A, B` → UBND huyện A, …

    `whole_names` (folded, e.g. "ke hoach va dau tu") are read whole where `folded` (the text folded
    character for character) has one, since `và` and commas inside them do not separate agencies:
    `các Bộ: Kế hoạch và Đầu tư, Tài chính` is two ministries, `UBND các xã: A và B` two communes.
    Returns (name, start, end) per agency, or None when the phrase is not followed by such a list.
    """
    head = text[start:end]
    m = _LIST_AFTER_COLON.match(text, end)
    if not m or not re.search(r"(?i)\bcác\s+\S+$", head):
        return None
    singular = re.sub(r"(?i)\bcác\s+", "", head).strip()
    singular = singular[:1].upper() + singular[1:]
    out: list[tuple[str, int, int]] = []
    pos = m.end()
    while _is_upper_at(text, pos):
        end = pos
        found = _names_pattern(whole_names).match(folded.lower(), pos) if folded and whole_names else None
        whole = found.group(0) if found else None
        while not whole:
            w = _SYLLABLE.match(text, end if end == pos else end + 1)
            if not w or (end > pos and (text[end] not in " -" or w.group(0) == "và" or _stop_at(text, w.start()))):
                break
            end = w.end()
            if text[end:end + 3] == " - ":
                end += 2
        if whole:
            end = pos + len(whole)
        out.append((f"{singular} {text[pos:end]}", pos, end))
        sep = re.compile(r"\s*(?:,|;|\bvà\b)\s*").match(text, end)
        if not sep:
            break
        pos = sep.end()
    return out or None
