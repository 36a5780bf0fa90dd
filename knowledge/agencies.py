"""Recognise agencies (Sở, Ban, Kho bạc, UBND …) in text, with aliases, abbreviations and no diacritics.

Matching runs on the folded text (see knowledge.text.fold), whose characters line up one to one
with the original, so a match's span also cuts the surface form out of the original text.
Canonical names are the full spellings; abbreviations such as Sở KH&ĐT, KBNN, VPĐP NTM map to them.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from knowledge.agency_grammar import TITLES, Phrase, find_phrases, split_named_list
from knowledge.text import UPPER, fold

# Department names (after "Sở"), with the folded variants that mean the same department.
DEPARTMENTS: dict[str, list[str]] = {
    "Kế hoạch và Đầu tư": ["ke hoach va dau tu", "ke hoach - dau tu", "kh&dt", "kh & dt", "khdt", "kh va dt",
                           "kh-dt", "kehoach va dau tu"],
    "Tài chính": ["tai chinh", "tc"],
    "Nông nghiệp và Phát triển nông thôn": ["nong nghiep va phat trien nong thon", "nong nghiep va ptnt",
                                             "nn&ptnt", "nn & ptnt", "nnptnt", "nn va ptnt", "nong nghiep - ptnt"],
    "Nông nghiệp và Môi trường": ["nong nghiep va moi truong", "nn&mt", "nn va mt", "nnmt"],
    "Lao động - Thương binh và Xã hội": ["lao dong - thuong binh va xa hoi", "lao dong thuong binh va xa hoi",
                                          "lao dong – thuong binh va xa hoi", "ldtb&xh", "ldtbxh", "ld-tb&xh",
                                          "ld tb&xh", "lao dong, thuong binh va xa hoi"],
    "Nội vụ": ["noi vu", "nv"],
    "Tư pháp": ["tu phap"],
    "Xây dựng": ["xay dung"],
    "Văn hóa, Thể thao và Du lịch": ["van hoa, the thao va du lich", "van hoa - the thao va du lich",
                                     "van hoa the thao va du lich", "vh,tt&dl", "vhtt&dl", "vhttdl", "vh, tt&dl",
                                     "vh-tt&dl"],
    "Tài nguyên và Môi trường": ["tai nguyen va moi truong", "tn&mt", "tnmt", "tn va mt"],
    "Khoa học và Công nghệ": ["khoa hoc va cong nghe", "kh&cn", "khcn", "khoa hoc - cong nghe"],
    "Giao thông vận tải": ["giao thong van tai", "gtvt"],
    "Công Thương": ["cong thuong", "ct"],
    "Giáo dục và Đào tạo": ["giao duc va dao tao", "gd&dt", "gddt", "gd va dt"],
    "Thông tin và Truyền thông": ["thong tin va truyen thong", "tt&tt", "tttt"],
    "Y tế": ["y te"],
    "Ngoại vụ": ["ngoai vu"],
    "Dân tộc và Tôn giáo": ["dan toc va ton giao", "dt&tg", "dttg"],
}

# The coordination office of the districts or communes, or the central one, is not the province's.
_NOT_OTHER_LEVEL = r"(?! (?:trung uong|tw|cac cap|cap huyen|huyen|cac huyen|cap xa|xa|cac xa))"
# Agencies not of the "Sở X" shape: canonical name -> folded alias regexes.
NAMED: dict[str, list[str]] = {
    "Văn phòng Điều phối nông thôn mới tỉnh": [alias + _NOT_OTHER_LEVEL for alias in (
        r"van phong dieu phoi (?:chuong trinh )?(?:xay dung )?(?:nong thon moi|ntm)(?: tinh)?",
        r"van phong (?:nong thon moi|ntm) tinh", r"vp ?dp ?ntm(?: tinh)?", r"vpdp(?: ntm)?(?: tinh)?",
    )],
    "Văn phòng Điều phối nông thôn mới Trung ương": [r"van phong dieu phoi (?:nong thon moi |ntm )?(?:trung uong|tw)(?![a-z])"],
    "Văn phòng UBND tỉnh": [r"van phong (?:ubnd|uy ban nhan dan) tinh", r"vp ?ubnd tinh"],
    "Ban Dân tộc": [r"(?<!uy )ban dan toc(?: tinh)?"],
    "Kho bạc Nhà nước": [r"kho bac nha nuoc", r"kbnn"],
    "Ủy ban MTTQ Việt Nam tỉnh": [r"(?:uy ban |ub ?)mat tran to quoc viet nam tinh", r"(?:uy ban |ub ?)mttq(?: viet nam)?(?: tinh)?"],
    "Ban Chỉ đạo các Chương trình MTQG tỉnh": [r"ban chi dao (?:cac )?(?:chuong trinh )?(?:muc tieu quoc gia|mtqg|ctmtqg)(?: tinh)?", r"bcd(?: cac)? ?ctmtqg"],
    "Công an tỉnh": [r"cong an tinh"],
    "Bộ Chỉ huy Quân sự tỉnh": [r"bo chi huy quan su tinh"],
    "Cục Thống kê tỉnh": [r"cuc thong ke(?: tinh)?"],
    # the provincial social insurance office (not BHXH Việt Nam, nor a BHXH khu vực of 2025)
    "Bảo hiểm xã hội tỉnh": [r"(?:bao hiem xa hoi|bhxh) tinh(?! (?:viet nam|khu vuc))"],
    "Ngân hàng Chính sách xã hội": [r"ngan hang chinh sach xa hoi(?: (?:chi nhanh )?tinh)?", r"nhcsxh"],
    "Văn phòng UBND tỉnh ": [],
}
NAMED.pop("Văn phòng UBND tỉnh ")

_COLLECTIVE = [
    # Các sở, ban, ngành, đoàn thể của tỉnh / cấp tỉnh / phụ trách các chỉ tiêu, tiêu chí
    r"cac so(?:\s*,\s*(?:ban|nganh|doan the|don vi))+(?:\s+(?:cua tinh|cap tinh|tinh|lien quan|phu trach cac chi tieu, tieu chi|duoc giao phu trach tieu chi))?",
    r"cac so,? nganh(?:\s+(?:cua tinh|cap tinh|tinh|lien quan|phu trach cac chi tieu, tieu chi))?",
    # UBND các huyện, thành phố, thị xã / UBND cấp xã / UBND các xã
    r"(?:ubnd|uy ban nhan dan) cac (?:huyen|xa|thanh pho|phuong|tinh)(?:\s*,\s*(?:thanh pho|thi xa|huyen|xa|phuong|dac khu|thi tran))*",
    r"(?:ubnd|uy ban nhan dan) cap (?:huyen|xa)",
    r"cac huyen(?:\s*,\s*(?:thanh pho|thi xa))+(?:\s+da dat chuan (?:ntm|nong thon moi))?",
    r"cac dia phuong",
]
_UBND_UNIT = r"(?:ubnd|uy ban nhan dan) (?:huyen|thanh pho|thi xa|xa|quan) "
# A district, or units named in a list (`các xã Hòa Mỹ, Phú Lộc`, `các tỉnh Lai Châu, Điện Biên`).
_UNIT = r"(?:cac huyen|huyen|thi xa|cac xa|cac phuong|cac tinh|cac thi xa) "


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    name: str  # canonical or normalised surface name
    surface: str


_FOLD_TABLE: dict[int, str] = {}
_FOLDED_CHARS: set[str] = set()


def fold_aligned(text: str) -> str:
    """Fold character by character so that positions in the result match positions in `text`.

    A translation table grows with the characters seen, so folding runs at C speed (str.translate).
    """
    for ch in set(text).difference(_FOLDED_CHARS):
        f = fold(ch)
        _FOLD_TABLE[ord(ch)] = f if len(f) == 1 else (f[:1] or " ")
        _FOLDED_CHARS.add(ch)
    return text.translate(_FOLD_TABLE)


def _dept_pattern() -> re.Pattern[str]:
    alts = []
    for canon, variants in DEPARTMENTS.items():
        for v in [fold(canon)] + variants:
            alts.append((re.escape(v).replace(r"\ ", r"\s*"), canon))
    alts.sort(key=lambda a: len(a[0]), reverse=True)
    return re.compile(r"(?<![a-z])(?:so|s)\s*(" + "|".join(a for a, _ in alts) + r")(?![a-z])")


_DEPT_RE = _dept_pattern()
_WHOLE_DEPARTMENTS = tuple(fold(c).lower() for c in DEPARTMENTS)  # domain names that hold `và` or commas
_DEPT_BY_FOLD: dict[str, str] = {}
for _canon, _variants in DEPARTMENTS.items():
    for _v in [fold(_canon)] + _variants:
        _DEPT_BY_FOLD[re.sub(r"\s+", "", _v)] = _canon
_NAMED_RE = [(canon, re.compile(r"(?<![a-z])(?:" + "|".join(pats) + r")(?![a-z])")) for canon, pats in NAMED.items()]
_COLLECTIVE_RE = [re.compile(r"(?<![a-z])" + p + r"(?![a-z])") for p in _COLLECTIVE]
_PROPER = rf"[{UPPER}][^\W\d_]+(?: [{UPPER}][^\W\d_]+){{0,3}}"
_UBND_UNIT_RE = re.compile(r"(?<![a-z])" + _UBND_UNIT)
_UNIT_RE = re.compile(r"(?<![a-z])" + _UNIT)
_PROPER_RE = re.compile(_PROPER)
_PROPER_LIST_RE = re.compile(_PROPER + r"(?:, (?!thị xã|thành phố)" + _PROPER + r")*")
_ABBREV = [(re.compile(r"\bNTM\b"), "nông thôn mới"), (re.compile(r"\bUBND\b"), "UBND"),
           (re.compile(r"\bBHXH\b"), "Bảo hiểm xã hội")]


def _expand(surface: str) -> str:
    text = re.sub(r"\s+", " ", surface).strip(" ,;:.")
    for pat, rep in _ABBREV:
        text = pat.sub(rep, text)
    return text[:1].upper() + text[1:]


def find_agencies(text: str, province: str | None = None, open_vocab: bool = False) -> list[Mention]:
    """All agency mentions in `text`, left to right, without overlaps (longest wins).

    With `open_vocab`, agency phrases the tables do not know are found by their head noun and
    shape (knowledge.agency_grammar) and kept as written; questions use the tables only, so a
    user's lowercase words are never taken for a new agency.
    """
    folded = fold_aligned(text)
    found = _known_agencies(text, folded, province)
    if open_vocab:
        found = _with_open_phrases(text, folded, found)
    return found


def _with_open_phrases(text: str, folded: str, known: list[Mention]) -> list[Mention]:
    """Add the phrases the tables miss; a title (`Giám đốc Sở Y`) stands for the agency it heads."""
    out = list(known)
    known = sorted(known, key=lambda m: m.start)
    starts = [m.start for m in known]
    for ph in find_phrases(text, folded):
        lo, hi = bisect_left(starts, ph.start), bisect_left(starts, ph.end)
        inside = known[lo:hi]
        if lo and known[lo - 1].start < ph.start < known[lo - 1].end:
            continue  # the phrase starts inside a known agency's name
        listed = split_named_list(text, ph.start, ph.end, folded, _WHOLE_DEPARTMENTS)
        if listed:
            out = [m for m in out if not (ph.start <= m.start < ph.end)]
            for name, s, e in listed:
                canon = _known_agencies(name, fold_aligned(name), None)
                out.append(Mention(s, e, canon[0].name if canon and canon[0].end == len(name) else name,
                                   text[s:e]))
            continue
        if inside and ph.kind != "members":  # a members phrase names the body it belongs to
            if ph.kind == "title":
                # `Giám đốc Sở Tài chính`: the known agency acts; its span takes in the title so that
                # the subject still starts where the sentence's subject starts.
                first = inside[0]
                out = [m for m in out if m is not first] + [Mention(ph.start, first.end, first.name,
                                                                    text[ph.start:first.end])]
                continue
            named_units = ph.kind == "named" and _NAMES_AFTER.match(text, inside[-1].end) and inside[-1].end < ph.end
            if not named_units and (inside[0].start == ph.start or ph.kind != "named"
                                    or any(m.end > ph.end for m in inside)):
                continue  # the table knows this agency (and canonicalises it)
            # `Phòng Nông nghiệp huyện Sơn Hà`: the known `huyện Sơn Hà` is only its place.
            out = [m for m in out if m not in inside]
        if ph.kind == "members":  # the body's name as the table reads it, when it runs further
            out = [m for m in out if m not in inside]
            ph = Phrase(ph.start, max([ph.end] + [m.end for m in inside]), ph.kind)
        surface = text[ph.start:ph.end]
        if ph.kind == "title":
            rest = _strip_title(surface)
            if rest:
                out.append(Mention(ph.start, ph.end, _expand(rest), surface))
                continue
        out.append(Mention(ph.start, ph.end, _expand(surface), surface))
    return _without_overlaps(out)


# `UBND các xã` + ` Hòa Mỹ, Phú Lộc`: the units the table's collective is cut short of.
_NAMES_AFTER = re.compile(rf" [{UPPER}]")


def _strip_title(surface: str) -> str:
    folded = fold(surface)
    for title in TITLES:
        if folded.startswith(title + " "):
            return surface[len(title) + 1:].strip()
    return surface


def _known_agencies(text: str, folded: str, province: str | None) -> list[Mention]:
    """Mentions of the agencies the tables know (canonical names), longest first at each start."""
    found: list[Mention] = []
    for m in _DEPT_RE.finditer(folded):
        key = re.sub(r"\s+", "", m.group(1))
        canon = _DEPT_BY_FOLD.get(key) or _DEPT_BY_FOLD.get(fold(m.group(1)).replace(" ", ""))
        if canon:
            found.append(Mention(m.start(), m.end(), f"Sở {canon}", text[m.start():m.end()]))
    for canon, pat in _NAMED_RE:
        for m in pat.finditer(folded):
            name = canon
            end = m.end()
            if canon == "Kho bạc Nhà nước":
                tail = re.match(r" (?:khu vực [IVXL]+|tỉnh|" + _PROPER + ")", text[end:end + 40])
                if tail:
                    end += tail.end()
                suffix = text[m.end():end].strip()
                name = f"Kho bạc Nhà nước {suffix}".strip() if suffix else (
                    f"Kho bạc Nhà nước {province}" if province else canon)
            found.append(Mention(m.start(), end, name, text[m.start():end]))
    for pat in _COLLECTIVE_RE:
        for m in pat.finditer(folded):
            found.append(Mention(m.start(), m.end(), _expand(text[m.start():m.end()]), text[m.start():m.end()]))
    for m in _UBND_UNIT_RE.finditer(folded):
        p = _PROPER_RE.match(text, m.end())
        if p:
            unit = re.sub(r"(?i)^(?:ubnd|ủy ban nhân dân)\s+", "", text[m.start():m.end()].strip()).lower()
            found.append(Mention(m.start(), p.end(), f"UBND {unit} {p.group(0)}", text[m.start():p.end()]))
    for m in _UNIT_RE.finditer(folded):
        p = _PROPER_LIST_RE.match(text, m.end())
        if p:
            found.append(Mention(m.start(), p.end(), _expand(text[m.start():p.end()]), text[m.start():p.end()]))
    return _without_overlaps(found)


def _without_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Left to right; where mentions overlap the one starting first (then the longest) wins."""
    mentions = sorted(mentions, key=lambda x: (x.start, -(x.end - x.start)))
    result: list[Mention] = []
    for mention in mentions:
        if result and mention.start < result[-1].end:
            continue
        result.append(mention)
    return result


_NAMED_ALIASES: dict[str, list[str]] = {
    "Văn phòng Điều phối nông thôn mới tỉnh": ["VPĐP NTM tỉnh", "VPĐP NTM", "Văn phòng nông thôn mới tỉnh",
                                                "Văn phòng Điều phối NTM tỉnh"],
    "Văn phòng UBND tỉnh": ["VP UBND tỉnh", "Văn phòng Ủy ban nhân dân tỉnh"],
    "Ủy ban MTTQ Việt Nam tỉnh": ["MTTQ", "UB MTTQ tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"],
    "Ban Chỉ đạo các Chương trình MTQG tỉnh": ["BCĐ", "BCĐ các CTMTQG", "Ban Chỉ đạo"],
    "Bảo hiểm xã hội tỉnh": ["BHXH tỉnh"],
    "Ngân hàng Chính sách xã hội": ["NHCSXH"],
}


def aliases_for(name: str) -> list[str]:
    """Other ways the same agency is written (abbreviations), folded; stored beside the agency."""
    out: list[str] = []
    if name.startswith("Sở "):
        variants = DEPARTMENTS.get(name[3:], [])
        out += [f"so {v}" for v in variants] + [f"s{v.replace(' ', '')}" for v in variants if len(v) <= 8]
    if name.startswith("Kho bạc Nhà nước"):
        out += ["kbnn" + name[len("Kho bạc Nhà nước"):].lower()]
    out += [agency_key(a) for a in _NAMED_ALIASES.get(name, [])]
    return [a for a in dict.fromkeys(fold(x) for x in out) if a != agency_key(name)]


def agency_key(name: str) -> str:
    """Folded, whitespace-normalised key of an agency name, for lookups and joins."""
    return re.sub(r"\s+", " ", fold(unicodedata.normalize("NFC", name))).strip(" ,.;:")


@lru_cache(maxsize=8)
def _keyed(known: tuple[str, ...]) -> tuple[tuple[tuple[str, str], ...], dict[str, str]]:
    """(name, key) of each known agency in order, and key → name (the last name of a key): worked out once
    per list of names, as questions are matched against the same stored names until the store changes.
    Callers only read them."""
    pairs = tuple((k, agency_key(k)) for k in known)
    return pairs, {key: k for k, key in pairs}


def resolve_agency(query: str, known: list[str], cutoff: float = 80.0) -> list[str]:
    """Known agency names that `query` refers to: exact mention, alias, or a small typo away."""
    mentions = find_agencies(query)
    names = {agency_key(m.name) for m in mentions}
    pairs, keys = _keyed(tuple(known))
    hits = [k for k, key in pairs if key in names or any(key.startswith(n) for n in names)]
    if hits:
        return hits
    q = agency_key(query)
    if not q:
        return []
    contained = [k for key, k in keys.items() if len(q) >= 6 and (q in key or key in q)]
    if contained:
        return contained
    matches = process.extract(q, list(keys), scorer=fuzz.ratio, limit=3, score_cutoff=max(cutoff, 85.0))
    return [keys[m[0]] for m in matches]


_HEADS = re.compile(r"(?<![a-z])(?:so|ban|kho bac|van phong|ubnd|uy ban|ngan hang)(?![a-z])")


def misspelt_agencies(text: str, known: list[str], cutoff: float = 88.0) -> list[str]:
    """Known agencies a question names with a typo ("Sở Tài chín"), found by fuzzy-matching the words
    after an agency head word. Only called when no agency was recognised exactly."""
    words_of = _keyed(tuple(known))[1]
    if not words_of:
        return []
    folded = fold(text)
    found: list[str] = []
    for head in _HEADS.finditer(folded):
        words = folded[head.start():].split()[:8]
        best: tuple[float, str] | None = None
        for n in range(2, len(words) + 1):
            match = process.extractOne(" ".join(words[:n]), list(words_of), scorer=fuzz.ratio,
                                       score_cutoff=cutoff)
            if match and (best is None or match[1] >= best[0]):  # equally good: the longer name is the one meant
                best = (match[1], words_of[match[0]])
        if best and best[1] not in found:
            found.append(best[1])
    return found


# A field or table cell that names the lead and its partners in one clause: `Sở Y tế chủ trì,
# phối hợp với Bảo hiểm xã hội tỉnh và các sở, ngành liên quan`. The lead ends at its role verb.
_LEAD_VERB = re.compile(r"\s*,?\s+(?:chủ trì|tham mưu|thực hiện|chịu trách nhiệm)\b", re.IGNORECASE)
_PARTNER_VERB = re.compile(r"(?:^|,|\s)\s*phối hợp(?: chặt chẽ)?(?: với)?\s+", re.IGNORECASE)


def lead_and_partners(cell: str) -> tuple[str, str] | None:
    """(lead, partners) written in one cell as `X chủ trì, phối hợp với Y`; None when no role verb splits it
    (then the cell is a list of agencies as it stands)."""
    lead_verb = _LEAD_VERB.search(cell)
    partner = _PARTNER_VERB.search(cell, lead_verb.end() if lead_verb else 0)
    if not lead_verb and not partner:
        return None
    cut = lead_verb.start() if lead_verb else partner.start() if partner else len(cell)
    if any(m.start < cut < m.end for m in find_agencies(cell, open_vocab=True)):
        return None  # the verb is part of a name: `Hội đồng phối hợp phổ biến, giáo dục pháp luật tỉnh`
    lead = cell[:cut].strip(" ,;.")
    return (lead, cell[partner.end():].strip(" ,;.") if partner else "") if lead else None
