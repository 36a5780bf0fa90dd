"""Duty layouts beyond one sentence: field-line blocks (`Đơn vị chủ trì: …` / `Thời gian hoàn thành: …`),
time frames that a list's items inherit, and the next link of a periodic reporting chain."""

from __future__ import annotations

import re

from knowledge.agencies import Mention, find_agencies, fold_aligned, lead_and_partners
from knowledge.decision import due_doubts, single
from knowledge.duetime import DueMatch, due_words, find_due_times
from knowledge.model import Deadline, Document, Section
from knowledge.roles import inherited_subject, names, subject_agencies
from knowledge.rulebook import rule
from knowledge.time_kinds import has_limit

# Layout cues live in knowledge/rules/layouts.toml beside their examples.
# Field lines of a duty block: `- Đơn vị chủ trì thực hiện: …`, `- Thời gian hoàn thành: …`.
_FIELD = rule("layouts", "field")
# Any other `Label: value` line of the same block (`Nội dung yêu cầu báo cáo: …`) stays in the block.
_LABELLED = rule("layouts", "labelled")
# A list opened by a time frame that its items inherit: `Trong tháng 12/2025, tập trung thực hiện … sau đây:`.
_FRAME_END = rule("layouts", "frame_end")


def field_of(sec: Section) -> tuple[str, str] | None:
    """(role, value) of a field line: lead | coop | time."""
    m = _FIELD.match(fold_aligned(sec.text).lower())
    if not m:
        return None
    label = m.group("label")
    role = "time" if label.startswith(("thoi", "tien do", "tan suat")) else "coop" if "phoi hop" in label else "lead"
    return role, sec.text[m.end():].strip().rstrip(".;")


def split_cell(value: str) -> list[str]:
    """A cell or field of agencies: split on `;` (and new lines), as written."""
    parts = [re.sub(r"\s+", " ", p).strip(" .,-–") for p in re.split(r"[;\n]", value)]
    return [p[:1].upper() + p[1:] for p in parts if p and not fold_aligned(p).lower().startswith("theo ")]


def field_deadlines(doc: Document, sec: Section, year_hint: int | None) -> list[Deadline]:
    """A `Thời gian hoàn thành:` line takes its task and agencies from the lines of its block."""
    field = field_of(sec)
    if not field or field[0] != "time":
        return []
    matches = [m for m in find_due_times("trong " + field[1] if BARE_TIME.match(fold_aligned(field[1]).lower())
                                         else field[1], year_hint)]
    if not matches:
        return []
    lead: list[str] = []
    coop: list[str] = []
    task_sec = None
    lines = [sec]
    block = doc.sections[max(0, sec.idx - FIELD_BLOCK_SPAN):sec.idx]
    following = doc.sections[sec.idx + 1:sec.idx + FIELD_BLOCK_SPAN]
    for nxt in following:  # fields written after the time line (`Đối tượng thực hiện báo cáo: …`)
        f = field_of(nxt)
        if f is None and not _LABELLED.match(nxt.text):
            break
        if f and f[0] == "lead" and not lead:
            lead = split_cell(f[1])
        elif f and f[0] == "coop" and not coop:
            coop = split_cell(f[1])
    for prev in reversed(block):
        f = field_of(prev)
        if f is None and _LABELLED.match(prev.text) and prev.kind != "paragraph":
            continue
        if f is None:
            task_sec = prev
            break
        lines.insert(0, prev)
        if f[0] == "lead":
            lead = split_cell(f[1])
        elif f[0] == "coop":
            coop = split_cell(f[1])
    lead, coop = _lead_and_partners(lead, coop, doc.province)
    task = task_sec.text if task_sec else ""
    quote = "\n".join(x.text for x in ([task_sec] if task_sec else []) + lines)
    return [Deadline(agencies=lead, cooperating=coop, due=m.due, relation=m.relation, task=shorten_task(task),
                     quote=quote, section=(task_sec or sec).label, section_idx=sec.idx,
                     year_inferred=m.year_inferred, due_text=field[1], time=m.time,
                     decision=single("field line", lead, field[1], doubts=_doubts(m)),
                     why="field lines: `Đơn vị chủ trì` + `Thời gian hoàn thành`") for m in matches]


def _lead_and_partners(lead: list[str], coop: list[str], province: str | None) -> tuple[list[str], list[str]]:
    """`Cơ quan thực hiện: Sở Y tế chủ trì, phối hợp với Bảo hiểm xã hội tỉnh`: one field
    that names the lead and its partners; the partners cooperate."""
    split = lead_and_partners(lead[0]) if len(lead) == 1 else None
    if not split:
        return lead, coop
    partners = [m.name for m in find_agencies(split[1], province, open_vocab=True)] or split_cell(split[1])
    return [split[0]], list(dict.fromkeys(coop + partners))


def _doubts(m: DueMatch) -> list[str]:
    return due_doubts(m.due, m.year_inferred)


FIELD_BLOCK_SPAN = 8  # lines of one duty block (task, fields, sub-bullets) looked at around its time line
# A bare time (`Tháng 3/2026`, `Quý II/2026`, `Năm 2026`) in a field or table cell reads as `trong …`.
BARE_TIME = rule("layouts", "bare_time")


def shorten_task(task: str) -> str:
    task = re.sub(r"^\s*(?:\(\d{1,2}\)|[a-zđ]\)|\d{1,2}(?:\.\d{1,2})*\.)\s*", "", task)
    return task if len(task) <= 220 else task[:220].rsplit(" ", 1)[0] + "…"


# `Ngày 05 hằng tháng, UBND xã báo cáo UBND huyện. UBND huyện tổng hợp, báo cáo UBND tỉnh.`: the next
# level of a reporting chain reports on the same period, at a day the text does not give.
_REPORT_VERB = rule("layouts", "report_verb")


def relayed(sec: Section, sentence: str, subject: list[Mention], period: DueMatch | None) -> Deadline | None:
    """The next link of a periodic reporting chain: same period as the sentence before, no day."""
    if period is None or not subject or not _REPORT_VERB.search(fold_aligned(sentence).lower()):
        return None
    due = {"every": period.due["every"]}
    return Deadline(agencies=names(subject), cooperating=[], due=due, relation="on",
                    task=shorten_task(sentence[subject[-1].end:].strip(" ,.")), quote=sentence.strip(),
                    section=sec.label, section_idx=sec.idx,
                    decision=single("reporting chain", names(subject), sentence.strip()[:40]),
                    why="the next link of a reporting chain: the period of the sentence before")


def frame_scope(doc: Document, sec: Section, sentence: str, year_hint: int | None) -> list[DueMatch] | None:
    """The due time a list-opening sentence gives its items, or None when it is not such a frame."""
    folded = fold_aligned(sentence).lower().strip()
    if not _FRAME_END.search(folded):
        return None
    matches = find_due_times(sentence, year_hint)
    if len(matches) != 1 or isinstance(matches[0].due, dict) or sentence.index(sentence.strip()[:1]) > 0:
        return None
    return matches if matches[0].start < 40 else None


def frame_deadlines(doc: Document, sec: Section, frame: DueMatch, year_hint: int | None,
                     done: set[int], heading: bool = False) -> list[Deadline]:
    """Items after a time frame (until the enclosing numbered part ends; for a `heading` that sets
    the frame, until the heading's own part ends) that state no time of their own inherit it: one
    deadline per leaf item, agency from the item or its heading."""
    anchor = sec if heading else next((a for a in reversed(doc.ancestors(sec)) if a.kind in ("part", "item")), None)
    limit = anchor.level if anchor else 0
    out: list[Deadline] = []
    scope = []
    for nxt in doc.sections[sec.idx + 1:]:
        if nxt.kind in ("part", "item") and nxt.level <= limit or nxt.kind == "footnote":
            break
        scope.append(nxt)
    parents = {x.parent for x in scope}
    for leaf in scope:
        if leaf.idx in parents or leaf.kind == "row" or len(leaf.text) < 25:
            continue
        if has_limit(leaf.text, year_hint):
            continue
        own = subject_agencies(leaf.text, doc.province)
        subject = own or inherited_subject(doc, leaf)
        if not subject:
            continue
        evidence = "sentence subject" if own else "time frame item"
        words = due_words(sec.text, frame) if frame.end < len(sec.text) else ""
        done.add(leaf.idx)
        out.append(Deadline(
            agencies=names(subject), cooperating=[], due=frame.due, relation=frame.relation,
            task=shorten_task(leaf.text), quote=leaf.text, section=leaf.label, section_idx=leaf.idx,
            year_inferred=frame.year_inferred, due_text=words,
            decision=single(evidence, names(subject), words, doubts=_doubts(frame), detail="time from " + sec.label),
            why="time frame opening the list (" + sec.label + ")"))
    return out


