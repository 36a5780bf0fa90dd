"""Deadlines: who must do what by when, from the sections of a parsed directive.

The responsible agencies are the sentence's subject (the agencies it opens with, or those after
`Giao`), else the subject of the enclosing numbered item (bullets under `2. Sở Kế hoạch và Đầu
tư:` belong to that Sở), else a Công văn's addressees. Agencies after `phối hợp với` cooperate.
"""

from __future__ import annotations

import re

from knowledge.agencies import Mention, find_agencies, fold_aligned
from knowledge.duetime import DueMatch, find_due_times
from knowledge.model import Deadline, Document, Section
from knowledge.sentences import clause_start, sentences

_VERBS = (
    "chu tri", "phoi hop", "khan truong", "tap trung", "chi dao", "ra soat", "xay dung", "tham muu", "bao cao",
    "thuc hien", "hoan thanh", "to chuc", "nghien cuu", "don doc", "theo doi", "huong dan", "kiem tra",
    "chu dong", "day nhanh", "day manh", "dinh ky", "tiep tuc", "bam sat", "can cu", "co trach nhiem",
    "chiu trach nhiem", "trien khai", "ban hanh", "gui ", "tong hop", "tiep thu", "soat xet",
    "uu tien", "kien toan", "phan cong", "nang cao", "huy dong", "danh gia", "cap nhat", "de xuat",
    "dam bao", "bao dam", "phan dau", "thong nhat", "theo chuc nang", "co van ban", "lap ", "hoan thien",
    "giai ngan", "bo tri", "can doi", "khao sat",
)
_VERB_RE = re.compile(
    r"(?<![a-z])(?:" + "|".join(re.escape(v.strip()) for v in _VERBS) + r"|(?<!chuong )(?<!to )trinh)(?![a-z])"
)
_LEAD_IN = re.compile(r"^(?:ve [^:]{0,200}:\s*)?(?:giao|de nghi|yeu cau|doi voi|rieng)?\s*", re.IGNORECASE)
_SKIP_PARTS = re.compile(r"^(?:muc dich|yeu cau|muc tieu|du kien nguon luc|nguon luc|kinh phi|tinh hinh|ket qua)")
_TARGET_CUE = re.compile(r"phấn đấu", re.IGNORECASE)
_TARGET_AFTER = re.compile(r"^\s*(?:,\s*)?có\s+\d")
_NUM_PREFIX = re.compile(r"^\s*(?:[IVX]+|\d{1,2}(?:\.\d{1,2})*)\.\s+")
# "Để phấn đấu giải ngân 100% … trước ngày 31/01/2027, Chủ tịch UBND tỉnh yêu cầu:" states the purpose
# of the duties listed after it; its date is a goal, not a duty of anyone.
_PURPOSE = re.compile(r"^(?:de|nham)\s.*\b(?:yeu cau|de nghi|chi dao|giao)(?:\s[^,.;:]{0,60})?:\s*$", re.DOTALL)
_COOP = re.compile(r"phoi hop(?:\s+chat che)?\s+(?:voi|cung)\s+")


def _outside_parens(text: str, pos: int) -> bool:
    return text.count("(", 0, pos) <= text.count(")", 0, pos)


def subject_agencies(sentence: str, province: str | None) -> list[Mention]:
    """Agencies a sentence opens with (after a lead-in such as `Giao` or `Đối với`), before its verb."""
    folded = fold_aligned(sentence)
    giao = re.search(r"(?:^|[:;.]\s*)giao\s+(?=\S)", folded)
    start = giao.end() if giao and giao.start() < 250 else _LEAD_IN.match(folded).end()
    boundary = len(sentence)
    for m in _VERB_RE.finditer(folded, start):
        if folded[max(0, m.start() - 8):m.start()].endswith("co quan ") or not _outside_parens(folded, m.start()):
            continue
        boundary = m.start()
        break
    mentions = find_agencies(sentence, province)
    subject = [m for m in mentions if start <= m.start < boundary]
    if not subject or subject[0].start - start > 45:
        return []
    directed = folded.startswith("chi dao ", boundary)
    if directed:
        nxt = [m for m in mentions if boundary + 8 <= m.start <= boundary + 12]
        subject = nxt + subject
    return subject


def _inherited(doc: Document, sec: Section) -> list[Mention]:
    for anc in reversed(doc.ancestors(sec)):
        if anc.kind not in ("part", "item", "bullet"):
            continue
        first = anc.text[: sentences(anc.text)[0][1]] if anc.text else ""
        first = re.sub(r"^(?:[IVX]+|\d{1,2}(?:\.\d{1,2})*)\.?\s+", "", first)
        subject = subject_agencies(first, doc.province)
        if subject:
            return subject
    if doc.type == "Công văn":
        return [m for a in doc.addressees for m in find_agencies(a, doc.province)]
    return []


def _cooperating(sentence: str, folded: str, upto: int, province: str | None) -> list[str]:
    names: list[str] = []
    for m in _COOP.finditer(folded, 0, upto):
        stop = len(sentence)
        verb = _VERB_RE.search(folded, m.end())
        if verb:
            stop = verb.start()
        for cut in (";", " và các ", " và cơ quan", ", các cơ quan", " các cơ quan"):
            idx = sentence.find(cut, m.end())
            if idx != -1:
                stop = min(stop, idx)
        names += [a.name for a in find_agencies(sentence[m.end():stop], province)]
    return list(dict.fromkeys(names))


def _skip_section(doc: Document, sec: Section, has_numbering: bool) -> bool:
    if sec.kind == "footnote":
        return True
    folded = fold_aligned(sec.text).lower()
    if folded.startswith(("can cu", "tren day", "noi nhan")):
        return True
    chain = doc.ancestors(sec) + [sec]
    if any(s.kind == "part" and _SKIP_PARTS.match(fold_aligned(s.heading).lower()) for s in chain):
        return True
    return has_numbering and sec.kind == "paragraph" and sec.parent is None and sec.path == ""


def _task_text(sentence: str, due: DueMatch, prev_end: int, subject: list[Mention]) -> str:
    """The clause the due time belongs to, without the numbering and the subject that opens it."""
    begin = max(clause_start(sentence, due.start), prev_end)
    if subject and subject[-1].end <= due.start:
        begin = max(begin, subject[-1].end)
    task = _NUM_PREFIX.sub("", sentence[begin:due.start])
    task = re.sub(r"^[\s,;:.\-–)]+|[\s,;:(\-–]+$", "", task)
    task = re.sub(r"\s+(?:và|,)\s*$", "", task)
    if len(task) < 12:
        after = re.split(r"[;.]", sentence[due.end:], maxsplit=1)[0]
        task = (task + " " + after.strip(" ,:")).strip()
    if len(task) > 220:
        task = "…" + task[-220:].split(" ", 1)[-1]
    return task


def _keep(match: DueMatch, all_matches: list[DueMatch], sentence: str) -> bool:
    """A bare `trong năm YYYY` is a deadline only when nothing more precise is given and it is not a goal."""
    if match.kind != "year":
        return True
    if any(other.specificity > 1 for other in all_matches if other is not match):
        return False
    if _TARGET_AFTER.match(sentence[match.end:]):
        return False
    return not _TARGET_CUE.search(sentence[: match.start])


def extract_deadlines(doc: Document) -> list[Deadline]:
    """All deadlines of a document, in text order, without duplicates."""
    has_numbering = any(s.kind in ("part", "item") for s in doc.sections)
    year_hint = doc.year_hint or (doc.issued_date.year if doc.issued_date else None)
    out: list[Deadline] = []
    seen: set[tuple] = set()
    for sec in doc.sections:
        if _skip_section(doc, sec, has_numbering):
            continue
        inherited: list[Mention] | None = None
        for s_start, s_end in sentences(sec.text):
            sentence = sec.text[s_start:s_end]
            matches = find_due_times(sentence, year_hint)
            if not matches:
                continue
            folded = fold_aligned(sentence)
            if _PURPOSE.match(folded.strip().lower()):
                continue
            subject = own_subject = subject_agencies(sentence, doc.province)
            if not subject:
                if inherited is None:
                    first_sentence = sec.text[: sentences(sec.text)[0][1]]
                    own = subject_agencies(first_sentence, doc.province) if s_start > 0 else []
                    inherited = own or _inherited(doc, sec)
                subject = inherited
            agencies = list(dict.fromkeys(m.name for m in subject))
            prev_end = 0
            last_task = ""
            for due in matches:
                if not _keep(due, matches, sentence):
                    prev_end = due.end
                    continue
                coop = [c for c in _cooperating(sentence, folded, due.start, doc.province) if c not in agencies]
                adjacent = last_task and not re.search(r"\w", sentence[prev_end:due.start])
                task = last_task if adjacent else _task_text(sentence, due, prev_end, own_subject)
                if len(task) < 12 and last_task:
                    task = last_task
                last_task = task
                prev_end = due.end
                key = (str(due.due), due.relation, tuple(agencies), task)
                if key in seen:
                    continue
                seen.add(key)
                out.append(Deadline(
                    agencies=agencies, cooperating=coop, due=due.due, relation=due.relation, task=task,
                    quote=sentence.strip(), section=sec.label, section_idx=sec.idx,
                    year_inferred=due.year_inferred, due_text=sentence[due.start:due.end],
                ))
    return out
