"""Text typed with pre-Unicode Vietnamese fonts (TCVN3/ABC `.VnTime`, VNI-Windows `VNI-Times`) back to Unicode.

Such text reaches us as Latin-1 look-alikes: `Uû ban nh©n d©n` (TCVN3) or `UÛy ban nhaân daân` (VNI) for
`Ủy ban nhân dân`. No maintained converter was found on PyPI (2026-12-02): `vniencoder` is a VNI *typing*
method (`a1` → á), not the font encoding, and `viparse` is a whole document loader whose tables were used
only as a cross-check; the tables are data in `knowledge/data/legacy_encodings.json` with their source.

Correct Unicode must never change. Only lines holding no letter that exists in Unicode Vietnamese alone
(ạ, ă, đ, ơ, ư, …: a legacy font cannot produce them) are candidates; the document is converted only when
those lines carry legacy-only characters (©, ¸, ø, …) and a table turns clearly more of their words into
valid Vietnamese syllables than they were; a line whose syllables would get worse is left alone.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path

ENCODINGS = ("tcvn3", "vni")
_DATA = Path(__file__).with_name("data") / "legacy_encodings.json"

# Letters of Unicode Vietnamese that no Latin-1 character stands for, and combining marks (NFD text).
_VIETNAMESE_ONLY = re.compile("[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0"
                              "\u1ea0-\u1ef9\u0300-\u036f]")
_VIETNAMESE_LATIN1 = set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
# Legacy-only characters: Latin-1 that is not a Vietnamese letter (what the legacy bytes show as).
_MARKERS = {chr(code) for code in range(0xA1, 0x100)} - _VIETNAMESE_LATIN1 - {"\u00d7", "\u00f7"}
# The gate before any table is tried: at least this many legacy-only characters, and this share of the
# candidate lines' letters. Legacy text has one on most words (10-25% of letters); Unicode text with a
# stray ©, ° or « » quote stays far below.
MIN_MARKERS = 3
MIN_MARKER_SHARE = 0.02
# A table is accepted when it makes this much larger a share of words valid syllables, and at least
# this share overall: legacy text scores 0.1-0.5 as it is and above 0.9 decoded.
MIN_GAIN = 0.15
MIN_VALID = 0.6

# Vietnamese syllable = onset? nucleus coda? (tones set aside), spelled as space-separated alternatives.
_ONSETS = "ngh ng nh ch gh gi kh ph qu th tr b c d đ g h k l m n p r s t v x"
_NUCLEI = ("a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ "
           "uy ưa ưi ươ ưu yê iêu yêu oai oay oao oeo uôi ươi ươu uya uyê uyu uây")
_CODAS = "ch ng nh c m n p t"


def _alternation(spellings: str) -> str:
    return "|".join(sorted(spellings.split(" "), key=len, reverse=True))


_SYLLABLE = re.compile(f"(?:{_alternation(_ONSETS)})?(?:{_alternation(_NUCLEI)})(?:{_alternation(_CODAS)})?")
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


@cache
def tables() -> dict[str, dict[str, str]]:
    """Legacy surface → Unicode letter, per encoding (VNI also reads the spellings in `vni_decode_also`)."""
    raw = json.loads(_DATA.read_text(encoding="utf-8"))
    return {"tcvn3": dict(raw["tcvn3"]), "vni": {**raw["vni"], **raw["vni_decode_also"]}}


@cache
def _pattern(encoding: str) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(key) for key in sorted(tables()[encoding], key=len, reverse=True)))


def _is_syllable(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(ch in _TONES for ch in decomposed) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    return _SYLLABLE.fullmatch(bare) is not None


def _words(text: str) -> list[str]:
    """Words to judge: whitespace-separated, edge punctuation and digits off, all-capital abbreviations
    (UBND, KT) and foreign ASCII-only capitals left out."""
    out = []
    for token in text.split():
        word = token.strip(".,;:!?()[]\"'/-–—…“”0123456789")
        if not word or (word.isascii() and not word.islower() and not word.istitle()):
            continue
        out.append(word)
    return out


def validity(text: str) -> float:
    """Share of words that are Vietnamese syllables (1.0 when there are none to judge)."""
    words = _words(text)
    if not words:
        return 1.0
    return sum(_is_syllable(w) for w in words) / len(words)


def _capitalise_headings(text: str) -> str:
    """TCVN3 has no toned capitals: `.VnTimeH` headings reuse the lowercase bytes, so `TØNH` decodes to
    `TỉNH`. A word whose ASCII letters are all capitals (two or more) is a heading word: made all capital."""

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        ascii_letters = [ch for ch in word if ch.isascii() and ch.isalpha()]
        if len(ascii_letters) >= 2 and all(ch.isupper() for ch in ascii_letters):
            return word.upper()
        return word

    return re.sub(r"\w+", fix, text)


def convert(text: str, encoding: str) -> str:
    """Text read with `encoding`'s table (no detection; NFC, tones where the legacy text put them)."""
    table = tables()[encoding]
    out = _pattern(encoding).sub(lambda m: table[m.group(0)], text)
    if encoding == "tcvn3":
        out = _capitalise_headings(out)
    return unicodedata.normalize("NFC", out)


def _candidates(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if not _VIETNAMESE_ONLY.search(line)]


def detect(text: str) -> str | None:
    """'tcvn3' or 'vni' when the text is in that legacy encoding, else None (Unicode, ASCII, other)."""
    lines = text.split("\n")
    sample = "\n".join(lines[i] for i in _candidates(lines))
    markers = sum(ch in _MARKERS for ch in sample)
    letters = sum(ch.isalpha() or ch in _MARKERS for ch in sample)
    if markers < MIN_MARKERS or markers < MIN_MARKER_SHARE * letters:
        return None
    before = validity(sample)
    scores = {encoding: validity(convert(sample, encoding)) for encoding in ENCODINGS}
    best = max(scores, key=lambda e: scores[e])
    if scores[best] >= MIN_VALID and scores[best] >= before + MIN_GAIN:
        return best
    return None


def fix_legacy(text: str) -> tuple[str, str | None]:
    """(Unicode text, the legacy encoding found or None); text in Unicode comes back as it is."""
    encoding = detect(text)
    if encoding is None:
        return text, None
    lines = text.split("\n")
    for i in _candidates(lines):
        converted = convert(lines[i], encoding)
        if converted != lines[i] and validity(converted) >= validity(lines[i]):
            lines[i] = converted
    return "\n".join(lines), encoding


def decode_bytes(data: bytes) -> tuple[str, str] | None:
    """(Unicode text, encoding) for the bytes of a legacy-font text file, or None when they are not one.

    The fonts were used on Windows, so the bytes are read as Windows-1252 (Latin-1 where it has a gap)."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    fixed, encoding = fix_legacy(text)
    return (fixed, encoding) if encoding else None


def encode(text: str, encoding: str) -> str:
    """Unicode → the legacy surface characters (tests and samples; raises KeyError on a letter the
    encoding cannot write, e.g. a toned capital in TCVN3)."""
    reverse: dict[str, str] = {}
    raw = json.loads(_DATA.read_text(encoding="utf-8"))
    for surface, letter in raw[encoding].items():
        reverse.setdefault(letter, surface)
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch.isascii() or not ch.isalpha():
            out.append(ch)
        else:
            out.append(reverse[ch])
    return "".join(out)
