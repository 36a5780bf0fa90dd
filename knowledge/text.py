"""Vietnamese text normalisation: one spelling per word, and a folded form for matching.

Sources mix NFC and NFD, and old/new tone placement (hoà/hòa, thuỷ/thủy). We normalise to NFC
with the tone on the first vowel of open oa/oe/uy syllables (the spelling the directives use),
and fold to lowercase ASCII (đ → d) for diacritics-insensitive search.
"""

from __future__ import annotations

import re
import unicodedata

# Capitals of Vietnamese (NFC), for character classes. A range such as `à-ỹ` for the lowercase would
# also take in `Đ`, `Ư`, `Ơ`, `Ă` and every capital with a tone mark.
UPPER = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"

_TONE_MARKS = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
# An open syllable ending in oa/oe/uy whose tone sits on the last vowel (not after q, where u is a consonant).
_OPEN_GLIDE = re.compile(r"(?<![qQ\w])(\w*?)([oOuU])([àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸỳýỷỹỵỲÝỶỸỴ])(?!\w)")
_VALID_PAIRS = {("o", "a"), ("o", "e"), ("u", "y")}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")


def _move_tone(match: re.Match[str]) -> str:
    prefix, first, second = match.group(1), match.group(2), match.group(3)
    base, *marks = unicodedata.normalize("NFD", second)
    if (first.lower(), base.lower()) not in _VALID_PAIRS or prefix.lower().endswith("q"):
        return match.group(0)
    tone = [m for m in marks if m in _TONE_MARKS]
    rest = [m for m in marks if m not in _TONE_MARKS]
    if not tone:
        return match.group(0)
    moved = unicodedata.normalize("NFC", first + tone[0])
    return prefix + moved + unicodedata.normalize("NFC", base + "".join(rest))


def normalize(text: str) -> str:
    """NFC, unified tone placement, no control characters, Unix newlines, no trailing spaces."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = _CONTROL.sub("", text)
    text = _OPEN_GLIDE.sub(_move_tone, text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


_FOLD_TABLE: dict[int, str] = {}
_FOLDED: set[str] = set()


def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch.replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lowercase ASCII form: diacritics dropped and đ → d, for matching what users type.

    Runs at C speed through a translation table that grows with the characters seen.
    """
    text = text.lower()
    for ch in set(text).difference(_FOLDED):
        _FOLD_TABLE[ord(ch)] = _fold_char(ch)
        _FOLDED.add(ch)
    return text.translate(_FOLD_TABLE)


_WORD = re.compile(r"\w+", re.UNICODE)


def syllables(text: str) -> list[str]:
    """Folded syllables of a text: the tokens both lexical search and agency matching use."""
    return _WORD.findall(fold(text))
