"""Vietnamese provinces, so issuers and questions can name them with or without diacritics."""

from __future__ import annotations

import re

from knowledge.succession import province_aliases
from knowledge.text import fold

PROVINCES = [
    "An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre", "Bình Định",
    "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cần Thơ", "Cao Bằng", "Đà Nẵng", "Đắk Lắk",
    "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh",
    "Hải Dương", "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum",
    "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An", "Ninh Bình",
    "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị",
    "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Huế",
    "Tiền Giang", "Hồ Chí Minh", "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
]

# Cities run by the centre: their People's Committee is `UBND thành phố …`, never `UBND tỉnh …`
# (Huế since Nghị quyết 175/2024/QH15, in force 1/1/2025).
CENTRAL_CITIES = {"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế"}


def committee_of(province: str) -> str:
    """`UBND tỉnh Lâm Đồng`, `UBND thành phố Hà Nội`."""
    return f"UBND {'thành phố' if province in CENTRAL_CITIES else 'tỉnh'} {province}"


_BY_FOLD = {fold(p): p for p in PROVINCES}
# Everyday names (`TP.HCM`, `Sài Gòn`, `TT Huế`) from knowledge/data/succession.json; short all-capital
# ones (`HCM`, `HN`) only match as written, so `hn` inside a word or sentence is never a province.
_ALIASES = {fold(a): canon for canon, names in province_aliases().items() for a in names
            if not (a.isupper() and len(a) <= 4)}
_CAPITAL_ALIASES = {a: canon for canon, names in province_aliases().items() for a in names
                    if a.isupper() and len(a) <= 4}
_ALTERNATION = "|".join(sorted((re.escape(k) for k in [*_BY_FOLD, *_ALIASES]), key=len, reverse=True))
_PATTERN = re.compile(rf"(?<![a-z])({_ALTERNATION})(?![a-z])")
_CAPITAL_PATTERN = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, _CAPITAL_ALIASES)) + r")(?![\w])")


def canonical_province(name: str) -> str | None:
    """The province's usual spelling for any casing/diacritics of its name, if it is one."""
    key = fold(name).strip()
    return _BY_FOLD.get(key) or _ALIASES.get(key) or _CAPITAL_ALIASES.get(name.strip())


def provinces_in(text: str, extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Provinces named in a text (folded matching), in order of first mention, without repeats.

    `extra` adds names known from ingested documents (e.g. a fictional example province).
    """
    folded = fold(text)
    found: list[tuple[int, str]] = []
    for m in _PATTERN.finditer(folded):
        found.append((m.start(), _BY_FOLD.get(m.group(1)) or _ALIASES[m.group(1)]))
    for m in _CAPITAL_PATTERN.finditer(text):
        found.append((m.start(), _CAPITAL_ALIASES[m.group(1)]))
    for name in extra:
        key = fold(name)
        pos = re.search(rf"(?<![a-z]){re.escape(key)}(?![a-z])", folded)
        if pos and name not in _BY_FOLD.values():
            found.append((pos.start(), name))
    seen: list[str] = []
    for _, name in sorted(found):
        if name not in seen:
            seen.append(name)
    return seen
