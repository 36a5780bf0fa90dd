"""Deadlines: who must do what by when, from the sections of a parsed directive.

One resolver for every time expression: the words around it give its kind (knowledge.time_kinds),
the text gives candidate doers with their evidence (the clause's subject, the object of `giao` /
`đề nghị`, the enclosing item or lead-in, the addressees, the sentence before, the agencies last told:
knowledge.roles), and knowledge.decision chooses one and says how sure it is. Duties laid out over
several lines come from knowledge.duty_blocks, duty tables from knowledge.duty_tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from knowledge.agencies import Mention, find_agencies, fold_aligned
from knowledge.decision import Candidate, Decision, decide, due_doubts, with_candidate
from knowledge.duetime import DueMatch, due_words, find_due_times
from knowledge.duty_blocks import field_deadlines, field_of, frame_deadlines, frame_scope, relayed
from knowledge.model import Deadline, Document, Duty, Section
from knowledge.roles import (
    CONSENT,
    clause_subject,
    consent_subject,
    cooperating,
    handed_over,
    inherited_candidates,
    names,
    report_to_names,
    resolve_generic,
    subject_agencies,
    told_agencies,
)
from knowledge.rulebook import rule
from knowledge.sentences import clause_start, sentences
from knowledge.time_kinds import DEADLINE_KINDS, sentence_kind, time_kind

# Parts that state purposes, targets, resources or an assessment of the past: no duty has its limit there.
_SKIP_PARTS = re.compile(r"^(?:muc dich|yeu cau|muc tieu|du kien nguon luc|nguon luc|kinh phi|tinh hinh|ket qua"
                         r"|(?:chi tieu|danh gia)(?![^.]*(?:nhiem vu|giai phap)))")
_NUM_PREFIX = re.compile(r"^\s*(?:[IVX]+|\d{1,2}(?:\.\d{1,2})*)\.\s+")


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


def extract_deadlines(doc: Document, undated: list[Duty] | None = None,
                      left_out: list[tuple[str, Decision]] | None = None) -> list[Deadline]:
    """All deadlines of a document, in text order, without duplicates.

    Each time expression gets one decision (knowledge.decision): its kind, the candidate doers with
    their evidence, the choice and a confidence. `undated` collects the duties a sentence gives its own
    subject without any time (`thường xuyên` work); `left_out` the decisions on times that are no
    deadline (plan periods, purposes, …), for `extract --explain`."""
    from knowledge.duty_tables import table_deadlines

    reader = _Reader(doc, undated, left_out)
    out: list[Deadline] = []
    for sec in doc.sections:
        out += _section_deadlines(reader, sec)
    out += table_deadlines(doc, reader.year_hint)
    out.sort(key=lambda d: d.section_idx)
    _link_assignments(doc, out)
    return out


@dataclass
class _Reader:
    """What reading carries from one section to the next."""

    doc: Document
    undated: list[Duty] | None
    left_out: list[tuple[str, Decision]] | None
    told: list[Mention] = field(default_factory=list)  # the last agencies a sentence put to work
    named: dict[str, str] = field(default_factory=dict)  # head noun → last agency named with it
    framed: set[int] = field(default_factory=set)  # items given a deadline by a time frame
    seen: set[tuple] = field(default_factory=set)

    def __post_init__(self) -> None:
        doc = self.doc
        self.has_numbering = any(s.kind in ("part", "item") for s in doc.sections)
        self.year_hint = doc.year_hint or (doc.issued_date.year if doc.issued_date else None)

    def leave_out(self, sec: Section, decisions: list[Decision]) -> None:
        if self.left_out is not None:
            self.left_out += [(sec.label, d) for d in decisions]


@dataclass
class _Paragraph:
    """What reading carries from one sentence to the next inside a section."""

    sec: Section
    previous: list[Mention] = field(default_factory=list)  # subject of the previous sentence
    period: DueMatch | None = None  # the recurring due time of the previous sentence
    inherited: list[Candidate] | None = None  # from the enclosing items, lead-in or addressees


def _section_deadlines(reader: _Reader, sec: Section) -> list[Deadline]:
    doc = reader.doc
    if sec.kind == "row" or sec.idx in reader.framed or _skip_section(doc, sec, reader.has_numbering):
        if _CITING.match(fold_aligned(sec.text).lower()):
            reader.told = _told_in(doc, sec) or reader.told  # `Căn cứ …, Bộ X đề nghị các tỉnh …`
        return []
    if field_of(sec):
        return [_owned_by(d, reader.told) for d in field_deadlines(doc, sec, reader.year_hint)]
    out: list[Deadline] = []
    paragraph = _Paragraph(sec)
    for s_start, s_end in sentences(sec.text):
        out += _sentence_deadlines(reader, paragraph, sec.text[s_start:s_end], sec.text[s_end:])
    return out


def _sentence_deadlines(reader: _Reader, par: _Paragraph, sentence: str, rest: str) -> list[Deadline]:
    """The deadlines of one sentence: its due times, each with a decision on kind and doer."""
    doc, sec = reader.doc, par.sec
    mentions = find_agencies(sentence, doc.province, open_vocab=True)  # once per sentence
    own_subject = subject_agencies(sentence, doc.province, mentions) or _referred(sentence, reader.named)
    reader.told = own_subject or told_agencies(sentence, mentions) or reader.told
    reader.named.update({m.name.split()[0].lower(): m.name for m in mentions if " " in m.name})
    matches = find_due_times(sentence, reader.year_hint)
    if not matches:
        return _without_time(reader, par, sentence, own_subject)
    par.period = next((m for m in matches if m.recurring and "every" in m.due), None)
    folded = fold_aligned(sentence).lower()
    whole = sentence_kind(folded, bool(own_subject))
    if whole:
        reader.leave_out(sec, [Decision(whole, due_words(sentence, m)) for m in matches])
        return []
    if sec.kind in ("part", "item") and rule("kinds", "heading_frame").search(folded) and len(matches) == 1:
        reader.leave_out(sec, [Decision("time frame of a heading", due_words(sentence, matches[0]))])
        return frame_deadlines(doc, sec, matches[0], reader.year_hint, reader.framed, heading=True)
    frame = frame_scope(doc, sec, sentence, reader.year_hint)
    if frame and not own_subject:
        return frame_deadlines(doc, sec, frame[0], reader.year_hint, reader.framed)
    candidates = _sentence_candidates(reader, par, sentence, folded, own_subject, rest)
    chosen = next((c for c in candidates if c.agencies), None)
    par.previous = list(chosen.mentions) if chosen else []
    return _due_deadlines(reader, par, sentence, matches, mentions, own_subject, candidates)


def _without_time(reader: _Reader, par: _Paragraph, sentence: str, own_subject: list[Mention]) -> list[Deadline]:
    """A sentence without a due time: the next link of a reporting chain, or a duty with no limit."""
    link = relayed(par.sec, sentence, own_subject, par.period)
    if link is None and reader.undated is not None and own_subject:
        _undated_duty(reader.doc, par.sec, sentence, own_subject, reader.undated)
    par.previous = own_subject or par.previous
    par.period = None
    return [link] if link else []


def _candidate(evidence: str, mentions: list[Mention], detail: str = "") -> Candidate:
    return Candidate(evidence, tuple(names(mentions)), detail, tuple(mentions))


def _sentence_candidates(reader: _Reader, par: _Paragraph, sentence: str, folded: str,
                         own_subject: list[Mention], rest: str) -> list[Candidate]:
    """Every doer the text offers for the sentence's times, in precedence order."""
    doc = reader.doc
    out = [_candidate("sentence subject", own_subject)] if own_subject else []
    if not own_subject and CONSENT.match(folded):
        granted = consent_subject(sentence, fold_aligned(sentence), rest, doc.province)
        out += [_candidate("request granted", granted)] if granted else []
    if par.previous:
        out.append(_candidate("previous sentence", par.previous))
    if par.inherited is None:
        par.inherited = [_candidate(evidence, found) for evidence, found in inherited_candidates(doc, par.sec)]
    out += par.inherited
    if reader.told and _OBJECTLESS_REQUEST.search(folded):
        out.append(_candidate("agencies last told", reader.told, "the request or submission names no one"))
    return [_generic_resolved(doc, c) for c in out]


def _generic_resolved(doc: Document, c: Candidate) -> Candidate:
    """`Quý cơ quan`, `các đơn vị` → the letter's addressees, when it names them."""
    resolved = resolve_generic(doc, list(c.mentions))
    if resolved == list(c.mentions):
        return c
    return _candidate("addressees", resolved, f"for «{', '.join(c.agencies)}»")


def _due_deadlines(reader: _Reader, par: _Paragraph, sentence: str, matches: list[DueMatch],
                   mentions: list[Mention], own_subject: list[Mention], candidates: list[Candidate]) -> list[Deadline]:
    """One deadline per due time of the sentence whose kind is a duty or a goal with a doer."""
    doc, sec = reader.doc, par.sec
    folded = fold_aligned(sentence)
    first_agency = mentions[0].start if mentions else len(sentence)
    out: list[Deadline] = []
    prev_end, last_task = 0, ""
    in_heading = sec.kind == "part" or sentence.strip() == sentence.strip().upper()
    for due in matches:
        decision = _decide(doc, sentence, folded, due, matches, mentions, first_agency, candidates, in_heading)
        if decision.kind not in DEADLINE_KINDS or (decision.kind == "goal" and decision.choice is None):
            reader.leave_out(sec, [decision])
            prev_end = due.end
            continue
        agencies = list(decision.choice.agencies) if decision.choice else []
        coop = [c for c in cooperating(sentence, folded, due.start, doc.province) if c not in agencies]
        adjacent = last_task and not re.search(r"\w", sentence[prev_end:due.start])
        task = last_task if adjacent else _task_text(sentence, due, prev_end, own_subject)
        if len(task) < 12 and last_task:
            task = last_task
        last_task, prev_end = task, due.end
        key = (str(due.due), due.relation, tuple(agencies), task)
        if key in reader.seen:
            continue
        reader.seen.add(key)
        chosen = list(decision.choice.mentions) if decision.choice else []
        out.append(Deadline(
            agencies=agencies, cooperating=coop, due=due.due, relation=due.relation, task=task,
            quote=sentence.strip(), section=sec.label, section_idx=sec.idx, year_inferred=due.year_inferred,
            due_text=decision.due_words, report_to=report_to_names(folded, mentions, chosen, coop),
            time=due.time, kind=decision.kind, decision=decision,
            why=f"agency: {decision.choice.evidence if decision.choice else 'none'}; due: {due.kind} "
                f"`{sentence[due.start:due.end]}`",
        ))
    return out


def _decide(doc: Document, sentence: str, folded: str, due: DueMatch, matches: list[DueMatch],
            mentions: list[Mention], first_agency: int, candidates: list[Candidate], in_heading: bool) -> Decision:
    """The decision on one due time: its kind, and the doers of its own clause before the sentence's."""
    kind = time_kind(folded.lower(), due, matches, first_agency, in_heading)
    words = due_words(sentence, due)
    if kind not in (*DEADLINE_KINDS, "aspiration"):
        return Decision(kind, words)
    clause = clause_subject(sentence, due, doc.province)
    handed = [] if clause else handed_over(sentence, folded, due, mentions)
    own = [_candidate("clause subject", clause)] if clause else []
    own += [_candidate("file handed over", handed)] if handed else []
    decision = decide(kind, words, own + candidates, due_doubts(due.due, due.year_inferred))
    if kind != "aspiration":
        return decision
    # `Các huyện A, B tập trung …, phấn đấu đạt chuẩn trong năm 2023`: a goal its own sentence gives a doer
    # binds that doer; told under a heading (`- Phấn đấu trong năm 2024 …`) it is the province's aspiration.
    if decision.choice and decision.choice.evidence in ("sentence subject", "clause subject"):
        return decide("goal", words, decision.candidates, due_doubts(due.due, due.year_inferred))
    return Decision("aspiration", words, decision.candidates)


def _owned_by(d: Deadline, told: list[Mention]) -> Deadline:
    """`Thời gian hoàn thành: …` under a paragraph that named who acts, with no `Đơn vị chủ trì` line:
    the paragraph's agencies own it."""
    if d.agencies or not told:
        return d
    last = _candidate("agencies last told", told, "no `Đơn vị chủ trì` line")
    return replace(d, decision=with_candidate(d.decision, last), why=d.why + "; agency: the agencies last named to act")


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
                    d.decision = with_candidate(d.decision, _candidate(
                        "item assigning by number", subject, f"{sec.label} assigns {target.label}"))
                    d.__post_init__()
                    d.why += f"; agency: the item assigning {target.label} ({sec.label})"

