"""Deadlines: who must do what by when, from the sections of a parsed directive.

The loop over sentences and their due times; who is responsible comes from knowledge.roles, duties
laid out over several lines from knowledge.duty_blocks, and duty tables from knowledge.duty_tables.
"""

from __future__ import annotations

import re
from dataclasses import replace

from knowledge.agencies import Mention, find_agencies, fold_aligned
from knowledge.duetime import DueMatch, due_words, find_due_times
from knowledge.duty_blocks import field_deadlines, field_of, frame_deadlines, frame_scope, relayed
from knowledge.model import Deadline, Document, Duty, Section
from knowledge.roles import (
    CONSENT,
    clause_subject,
    consent_subject,
    cooperating,
    handed_over,
    inherited_subject,
    names,
    report_to_names,
    resolve_generic,
    subject_agencies,
    told_agencies,
)
from knowledge.sentences import clause_start, sentences

_SKIP_PARTS = re.compile(r"^(?:muc dich|yeu cau|muc tieu|du kien nguon luc|nguon luc|kinh phi|tinh hinh|ket qua)")
_TARGET_CUE = re.compile(r"phấn đấu", re.IGNORECASE)
_TARGET_AFTER = re.compile(r"^\s*(?:,\s*)?có\s+\d")
_NUM_PREFIX = re.compile(r"^\s*(?:[IVX]+|\d{1,2}(?:\.\d{1,2})*)\.\s+")
# "Để phấn đấu giải ngân 100% … trước ngày 31/01/2027, Chủ tịch UBND tỉnh yêu cầu:" states the purpose
# of the duties listed after it; its date is a goal, not a duty of anyone.
_PURPOSE = re.compile(r"^(?:de|nham)\s.*\b(?:yeu cau|de nghi|chi dao|giao)(?:\s[^,.;:]{0,60})?:\s*$", re.DOTALL)
# `Theo quy định tại Nghị định 09/2019/NĐ-CP, thời hạn gửi báo cáo năm là ngày 15/12`: a rule cited as
# background, with no agency of the directive's own, is the law's limit, not a duty this text assigns.
_STATUTE = re.compile(r"^(?:(?:[ivx]+|\d{1,2}(?:\.\d{1,2})*)\.\s+|[a-zđ]\)\s+)?(?:theo|can cu|tai)\s+(?:quy dinh|nghi dinh|thong tu|luat|dieu|khoan|quyet dinh)\b")
# `Trong thời gian từ nay đến cuối năm 2023 …, để phấn đấu hoàn thành …, Phó Thủ tướng yêu cầu …`: a time
# that leads into the purpose before any agency is named is the horizon of the goal, not a duty's limit.
_HORIZON = re.compile(r"[^.;:]{0,80}?,\s*(?:de|nham)\s+(?:phan dau|hoan thanh|dat|bao dam|dam bao)\b")


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


def _keep(match: DueMatch, all_matches: list[DueMatch], sentence: str, folded: str, first_agency: int) -> bool:
    """A bare `trong năm YYYY` is a deadline only when nothing more precise is given and it is not a goal;
    no time is a deadline when it is the horizon of the sentence's purpose."""
    if match.start < first_agency and _HORIZON.match(folded, match.end):
        return False
    if match.kind != "year":
        return True
    if any(other.specificity > 1 for other in all_matches if other is not match):
        return False
    if _TARGET_AFTER.match(sentence[match.end:]):
        return False
    return not _TARGET_CUE.search(sentence[: match.start])


# A sentence that gives its subject work without a time (`Sở Y tế thường xuyên kiểm tra …`, `Công an
# tỉnh chủ trì bảo đảm an ninh …`): the verbs of assigned work, folded.
_ASSIGNED_WORK = re.compile(
    r"\b(?:thuong xuyen|chu tri|phoi hop|thuc hien|trien khai|to chuc|huong dan|theo doi|kiem tra|ra soat|"
    r"tham muu|don doc|tuyen truyen|tong hop|xay dung|bo tri|quan ly|chi dao|giam sat|cung co|bao dam|dam bao)\b")
# `Phó Thủ tướng yêu cầu báo cáo Thủ tướng trước ngày …`, `Báo cáo sơ kết gửi về Bộ X trước ngày …` after a
# paragraph that told Sở Y to act: the request or the submission names no one who acts, so it goes on
# to the agencies last told (only when no item or addressee says more).
_OBJECTLESS_REQUEST = re.compile(
    r"\b(?:yeu cau|de nghi)\s+(?:khan truong\s+)?(?:bao cao|gui|hoan thanh|hoan thien|trinh|tong hop|cung cap"
    r"|co van ban|co bao cao)\b|\b(?:gui|nop)\s+(?:ve|den|cho|toi|tai)\b"
    r"|^\s*(?:thoi gian (?:hoan thanh|thuc hien)|thoi han hoan thanh|hoan thanh)\b")  # `Hoàn thành trước …`
UNDATED_TASK_CHARS = 300  # an undated duty's task as shown in a list


def extract_deadlines(doc: Document, undated: list[Duty] | None = None) -> list[Deadline]:
    """All deadlines of a document, in text order, without duplicates.

    `undated` collects the duties a sentence gives its own subject without any time (`thường
    xuyên` work): they are listed for their agency but are not deadlines."""
    from knowledge.duty_tables import table_deadlines

    has_numbering = any(s.kind in ("part", "item") for s in doc.sections)
    year_hint = doc.year_hint or (doc.issued_date.year if doc.issued_date else None)
    out: list[Deadline] = []
    seen: set[tuple] = set()
    framed: set[int] = set()
    told: list[Mention] = []  # the last agencies a sentence of the document put to work
    named: dict[str, str] = {}  # head noun → the last agency named with it (`viện` → `Viện Nghiên cứu …`)
    for sec in doc.sections:
        if sec.kind == "row" or sec.idx in framed or _skip_section(doc, sec, has_numbering):
            if _CITING.match(fold_aligned(sec.text).lower()):
                told = _told_in(doc, sec) or told  # `Căn cứ …, Bộ X đề nghị các tỉnh …`: no deadline, but a request
            continue
        if field_of(sec):
            out += [_owned_by(d, told) for d in field_deadlines(doc, sec, year_hint)]
            continue
        inherited: list[Mention] | None = None
        previous: list[Mention] = []  # subject of the previous sentence of this paragraph
        period: DueMatch | None = None  # the recurring due time of the previous sentence
        for s_start, s_end in sentences(sec.text):
            sentence = sec.text[s_start:s_end]
            mentions = find_agencies(sentence, doc.province, open_vocab=True)  # once per sentence
            own_subject = subject_agencies(sentence, doc.province, mentions) or _referred(sentence, named)
            told = own_subject or told_agencies(sentence, mentions) or told
            named.update({m.name.split()[0].lower(): m.name for m in mentions if " " in m.name})
            matches = find_due_times(sentence, year_hint)
            if not matches:
                link = relayed(sec, sentence, own_subject, period)
                if link:
                    out.append(link)
                elif undated is not None and own_subject:
                    _undated_duty(doc, sec, sentence, own_subject, undated)
                previous = own_subject or previous
                period = None
                continue
            period = next((m for m in matches if m.recurring and "every" in m.due), None)
            folded = fold_aligned(sentence)
            if _PURPOSE.match(folded.strip().lower()):
                continue
            if _STATUTE.match(folded.strip().lower()) and not own_subject:
                continue
            frame = frame_scope(doc, sec, sentence, year_hint)
            if frame and not own_subject:
                out += frame_deadlines(doc, sec, frame[0], year_hint, framed)
                continue
            why_agency = "subject of the sentence"
            subject = own_subject
            if not subject and CONSENT.match(folded.lower()):
                rest = sec.text[s_end:]
                subject = consent_subject(sentence, folded, rest, doc.province)
                why_agency = "the agency whose request is granted (`Đồng ý … đề nghị của X`, `Giao X`)"
            if not subject and previous:
                subject, why_agency = previous, "subject carried from the previous sentence"
            if not subject:
                if inherited is None:
                    inherited = inherited_subject(doc, sec)
                subject, why_agency = inherited, "subject of the enclosing item or the addressees"
            if not subject and told and _OBJECTLESS_REQUEST.search(folded.lower()):
                subject, why_agency = told, "the agencies last told to act (the request or the submission names no one)"
            subject = resolve_generic(doc, subject)
            previous = subject
            agencies = names(subject)
            first_agency = mentions[0].start if mentions else len(sentence)
            folded_lower = folded.lower()
            prev_end = 0
            last_task = ""
            for due in matches:
                if not _keep(due, matches, sentence, folded_lower, first_agency):
                    prev_end = due.end
                    continue
                due_agencies, due_subject, due_why = agencies, subject, why_agency
                clause = clause_subject(sentence, due, doc.province)
                handed = [] if clause else handed_over(sentence, folded, due, mentions)
                if clause:
                    due_agencies, due_subject, due_why = names(clause), clause, "subject of the clause"
                elif handed:
                    due_agencies, due_subject, due_why = names(handed), handed, "the agency a file is sent to, then acting"
                coop = [c for c in cooperating(sentence, folded, due.start, doc.province) if c not in due_agencies]
                adjacent = last_task and not re.search(r"\w", sentence[prev_end:due.start])
                task = last_task if adjacent else _task_text(sentence, due, prev_end, own_subject)
                if len(task) < 12 and last_task:
                    task = last_task
                last_task = task
                prev_end = due.end
                key = (str(due.due), due.relation, tuple(due_agencies), task)
                if key in seen:
                    continue
                seen.add(key)
                out.append(Deadline(
                    agencies=due_agencies, cooperating=coop, due=due.due, relation=due.relation, task=task,
                    quote=sentence.strip(), section=sec.label, section_idx=sec.idx,
                    year_inferred=due.year_inferred, due_text=due_words(sentence, due),
                    report_to=report_to_names(folded, mentions, due_subject, coop),
                    needs_review=not due_agencies, time=due.time,
                    why=f"agency: {due_why}; due: {due.kind} `{sentence[due.start:due.end]}`",
                ))
    out += table_deadlines(doc, year_hint)
    out.sort(key=lambda d: d.section_idx)
    _link_assignments(doc, out)
    return out


def _owned_by(d: Deadline, told: list[Mention]) -> Deadline:
    """`Thời gian hoàn thành: …` under a paragraph that named who acts, with no `Đơn vị chủ trì` line:
    the paragraph's agencies own it."""
    if d.agencies or not told:
        return d
    return replace(d, agencies=names(told), needs_review=False,
                   why=d.why + "; agency: the agencies last named to act (no `Đơn vị chủ trì` line)")


# A sentence opening with a bare head noun and a lowercase verb (`Viện có nhiệm vụ bàn giao …`, `Sở
# chịu trách nhiệm …`) means the agency of that kind named last.
_BARE_HEAD = re.compile(r"^\s*(?:[-+•]\s*)?(Sở|Viện|Ban|Bộ|Cục|Chi cục|Trung tâm|Phòng|Văn phòng)\s+(?=[a-zà-ỹđ])")


def _referred(sentence: str, named: dict[str, str]) -> list[Mention]:
    m = _BARE_HEAD.match(sentence)
    full = named.get(m.group(1).split()[0].lower()) if m else None
    if not m or not full or (m.group(1).lower() != full.lower()[:len(m.group(1))]):
        return []
    return [Mention(m.start(1), m.end(1), full, m.group(1))]


_CITING = re.compile(r"can cu\b")


def _told_in(doc: Document, sec: Section) -> list[Mention]:
    """The agencies the last request of a section puts to work."""
    told: list[Mention] = []
    for s_start, s_end in sentences(sec.text):
        sentence = sec.text[s_start:s_end]
        told = told_agencies(sentence, find_agencies(sentence, doc.province, open_vocab=True)) or told
    return told


def _undated_duty(doc: Document, sec: Section, sentence: str, subject: list[Mention], out: list[Duty]) -> None:
    """A duty without a time, when the sentence assigns work to the agencies it opens with."""
    aligned = fold_aligned(sentence)
    verb = _ASSIGNED_WORK.search(aligned.lower(), subject[-1].end)
    if verb is None or verb.start() - subject[-1].end > 40:  # the verb must follow its subject
        return
    agencies = names(resolve_generic(doc, subject))
    if not agencies:
        return
    coop = [c for c in cooperating(sentence, aligned, len(sentence), doc.province) if c not in agencies]
    task = " ".join(sentence[subject[-1].end:].split()).strip(" ,:;.")
    out.append(Duty(agencies=agencies, cooperating=coop, task=task[:UNDATED_TASK_CHARS], quote=sentence.strip(),
                    section=sec.label, section_idx=sec.idx))


# `2. Giao Sở Tư pháp chủ trì thực hiện các nội dung tại mục 1.`: an item that assigns the duties dated
# in another item (`1. Trước ngày 30/6/2026: hoàn thành …`) gives them its agency.
_ASSIGNS_ITEM = re.compile(r"(?:thuc hien|trien khai|phu trach)(?: cac)? (?:noi dung|nhiem vu|viec)"
                           r"(?: neu| quy dinh)? (?:tai|o) (?:muc|diem|khoan) ([ivx]+|\d{1,2}(?:\.\d{1,2})*|[a-zđ])\b")


def _link_assignments(doc: Document, deadlines: list[Deadline]) -> None:
    """Give deadlines without an agency the agency of the item that assigns their item by number."""
    for sec in doc.sections:
        for m in _ASSIGNS_ITEM.finditer(fold_aligned(sec.text).lower()):
            subject = subject_agencies(sec.text[:m.start()], doc.province)
            target = next((t for t in doc.sections if t.number.lower() == m.group(1) and t.idx != sec.idx
                           and t.parent == sec.parent), None)
            if not subject or target is None:
                continue
            scope = {target.idx} | {t.idx for t in doc.sections if target in doc.ancestors(t)}
            for d in deadlines:
                if d.section_idx in scope and not d.agencies:
                    d.agencies, d.needs_review = names(subject), False
                    d.why += f"; agency: the item assigning {target.label} ({sec.label})"

