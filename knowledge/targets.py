"""Targets (forward-looking goals, budget lines) and reported results, with value, unit, year, scope.

A figure is a target inside a `MỤC TIÊU`/resources part or in a sentence that states a goal
(`phấn đấu`, `mục tiêu`, `có ít nhất`, `tối thiểu`); it is a result when the sentence reports
what was achieved (`đạt`, `tính đến`, `đến hết tháng`, `là 118/126 xã`) outside such parts.
"""

from __future__ import annotations

import re

from knowledge.agencies import fold_aligned
from knowledge.model import Document, Section, Target
from knowledge.sentences import sentences

_UNITS = ("triệu đồng", "tỷ đồng", "nghìn đồng", "%", "xã", "huyện", "thị xã", "thành phố", "phường",
          "thị trấn", "sản phẩm", "hộ", "km", "công trình", "mô hình", "xóm", "thôn", "tiêu chí", "lao động")
_FIGURE = re.compile(
    r"(?<![\w/.,])(?P<num>\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)(?P<frac>/\d+)?\s*(?P<unit>"
    + "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True)) + r")(?=[\s.,;:)(/⁰¹²³⁴⁵⁶⁷⁸⁹]|$)"
)
_MONEY = ("triệu đồng", "tỷ đồng", "nghìn đồng")
_GOAL_PART = re.compile(r"^(?:muc tieu|du kien nguon luc|nguon luc|kinh phi|von)")
_GOAL_CUE = re.compile(r"phan dau|muc tieu|chi tieu|co it nhat|toi thieu|it nhat|ke hoach de ra|du kien")
_RESULT_CUE = re.compile(r"(?<![a-z])(?:da dat|dat ty le|tinh den|den het thang|den nay|giai ngan dat|con |giam |"
                         r"tang |nam 20\d\d la|ket qua|da duoc|hien co)")
_YEAR = re.compile(r"(?:năm|hết năm)\s+(\d{4})")
# "tăng nhẹ so năm 2023", "giảm 1,33% so với năm 2022": a baseline year, not the year a figure is about.
_BASELINE = re.compile(r"\bso(?: với)?(?: cùng kỳ)?\s+$", re.IGNORECASE)


def _number(raw: str) -> float | None:
    try:
        return float(raw.replace(".", "").replace(",", "."))
    except ValueError:
        return None


def _metric(sentence: str, m: re.Match[str]) -> str:
    """Noun units describe what follows (`12 xã đạt chuẩn …`); amounts and rates what precedes."""
    unit = m.group("unit")
    if unit not in _MONEY and unit != "%":
        tail = re.split(r"[;:()]|\.(?:\s|$)|,\s(?=\d)|\s(?:và|trong đó|theo)\s", sentence[m.end():m.end() + 300],
                        maxsplit=1)[0]
        return (unit + " " + " ".join(tail.split()[:12])).strip(" ,.")
    if unit == "%":
        tail = re.split(r"[;:()]|\.(?:\s|$)", sentence[m.end():m.end() + 300], maxsplit=1)[0].strip()
        if tail and not re.match(r"^(?:kế hoạch|so với|\(|,)", tail) and tail[:1].islower():
            return " ".join(tail.split()[:12]).strip(" ,.")
    floor = max(0, m.start() - 300)
    start = max(sentence.rfind(";", floor, m.start()), sentence.rfind("(", floor, m.start()), floor - 1)
    head = sentence[start + 1:m.start()]
    head = re.sub(r"^\s*(?:[IVX]+|\d{1,2}(?:\.\d{1,2})*)\.\s+", "", head)
    head = re.sub(r"\s*(?:là|đạt|:|gồm|khoảng|còn|dưới|tối thiểu có|ít nhất)\s*$", "", head.strip())
    return " ".join(head.split()[-20:]).strip(" ,.:")


_QUALIFIERS = [(re.compile(rf"(?<![a-z]){cue}(?: co)?\s*$"), word)
               for cue, word in (("toi thieu", "tối thiểu"), ("it nhat", "ít nhất"), ("duoi", "dưới"), ("tren", "trên"))]


def _qualifier(sentence: str, m: re.Match[str]) -> str:
    before = fold_aligned(sentence[max(0, m.start() - 25):m.start()])
    for pattern, word in _QUALIFIERS:
        if pattern.search(before):
            return word
    return ""


def _in_goal_part(doc: Document, sec: Section) -> bool:
    chain = doc.ancestors(sec) + [sec]
    return any(s.kind == "part" and _GOAL_PART.match(fold_aligned(s.heading).lower()) for s in chain)


_PLAN_PERIOD = re.compile(r"giai đoạn (\d{4})\s*[-–]\s*(\d{4})|năm (\d{4})", re.IGNORECASE)


def _plan_year(doc: Document) -> str | None:
    """The year (or period) a plan is for, from its title: `Kế hoạch … năm 2027` issued in 2026 sets
    2027 targets; `giai đoạn 2026 - 2030` gives "2026-2030"."""
    found = list(_PLAN_PERIOD.finditer(doc.title or ""))
    if not found:
        return None
    m = found[-1]
    return f"{m.group(1)}-{m.group(2)}" if m.group(1) else m.group(3)


def extract_targets(doc: Document) -> tuple[list[Target], list[Target]]:
    """(targets, results) of a document, in text order."""
    targets: list[Target] = []
    results: list[Target] = []
    year_default = str(doc.year_hint) if doc.year_hint else None
    plan_year = _plan_year(doc) or year_default
    for sec in doc.sections:
        goal_part = sec.kind != "footnote" and _in_goal_part(doc, sec)
        if sec.kind == "footnote":
            ref = next((s for s in doc.sections if sec.number in s.footnotes), None)
            goal_part = bool(ref and _in_goal_part(doc, ref))
        for s_start, s_end in sentences(sec.text):
            sentence = sec.text[s_start:s_end]
            folded = fold_aligned(sentence).lower()
            figures = list(_FIGURE.finditer(sentence))
            if not figures:
                continue
            cue = _GOAL_CUE.search(folded)
            goal = goal_part or bool(cue)
            result_cues = [r.start() for r in _RESULT_CUE.finditer(folded)]
            years = [(y.start(), y.group(1)) for y in _YEAR.finditer(sentence)
                     if not _BASELINE.search(sentence, 0, y.start())]
            for m in figures:
                local_goal = goal
                if goal and not goal_part and cue:
                    local_goal = not any(cue.start() < r < m.start() for r in result_cues)
                sep = "" if m.group("unit") == "%" else " "
                value = m.group("num") + (m.group("frac") or "") + sep + m.group("unit")
                metric = _metric(sentence, m)
                qual = _qualifier(sentence, m)
                if qual:
                    metric = f"{metric} ({qual})"
                near_years = [y for pos, y in years if pos <= m.end() + 40] or [y for _, y in years]
                fact = Target(
                    metric=metric, value=value, unit=m.group("unit"),
                    year=near_years[-1] if near_years else (plan_year if local_goal else year_default),
                    scope=doc.province, quote=sentence.strip(), section=sec.label, section_idx=sec.idx,
                    number=_number(m.group("num")),
                )
                (targets if local_goal else results).append(fact)
    return targets, results
