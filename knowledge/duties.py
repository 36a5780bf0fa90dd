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
    "giai ngan", "bo tri", "can doi", "khao sat", "xac dinh", "quyet dinh", "thong bao", "phe duyet",
    "luu y", "chu y", "tham dinh", "giai quyet", "tiep nhan", "cung cap", "bo sung", "chuan bi", "dang ky",
    "cong khai", "cong bo", "tuyen truyen", "xu ly", "ho tro", "giam sat", "tra loi", "giai trinh",
)
_VERB_RE = re.compile(
    r"(?<![a-z])(?:" + "|".join(re.escape(v.strip()) for v in _VERBS) + r"|(?<!chuong )(?<!to )trinh)(?![a-z])"
)
_LEAD_IN = re.compile(
    r"^(?:(?:[ivx]+|\d{1,2}(?:\.\d{1,2})*)\.\s+|[a-zđ]\)\s+|\(\d{1,2}\)\s+)?"
    r"(?:(?:ve|doi voi) [^:]{0,200}:\s*|[^:]{0,200}:\s*(?=(?:giao|de nghi|yeu cau)\s))?(?:(?:giao(?: cho)?|de nghi|yeu cau|doi voi|rieng|giao nhiem vu cho)\s+)?\s*",
    re.IGNORECASE)
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


# `Báo cáo của các Bộ, ngành … gửi về …`: the owner of the report is the one who must send it.
_POSSESSIVE = re.compile(r"(?:bao cao|van ban|y kien|ket qua|ho so|ke hoach|danh sach|de xuat|du toan)"
                         r"(?: [a-z]+){0,3}? cua ")


def subject_agencies(sentence: str, province: str | None) -> list[Mention]:
    """Agencies a sentence opens with (after a lead-in such as `Giao` or `Đối với`, or after an
    opening adverbial clause), before its verb."""
    folded = fold_aligned(sentence)
    mentions = find_agencies(sentence, province, open_vocab=True)
    giao = re.search(r"(?:^|[:;.]\s*)giao\s+(?=\S)", folded)
    start = giao.end() if giao and giao.start() < 250 else _LEAD_IN.match(folded).end()
    subject = _subject_from(folded, mentions, start)
    if subject is None and _OPENING_CLAUSE.match(folded.lower()):
        for x in mentions:
            if x.start > OPENING_CLAUSE_SPAN:
                break
            if folded[:x.start].rstrip().endswith(","):
                subject = _subject_from(folded, mentions, x.start, strict=True)
                if subject:
                    break
    return subject or []


# Verbs by which one agency hands a duty to another, after the first one's name.
_DELEGATES = re.compile(r"\s*(?:(?:vua|da|tiep tuc|co van ban)\s+)?(?:chi dao|giao(?: cho)?|yeu cau|de nghi|phan cong)\s+")


def _subject_from(folded: str, mentions: list[Mention], start: int, strict: bool = False) -> list[Mention] | None:
    """The subject that starts at `start`: mentions before the first verb (`X chỉ đạo Y …`: Y acts,
    X directs). `strict` (after an opening clause) wants the verb right after the subject."""
    boundary = len(folded)
    for m in _VERB_RE.finditer(folded, start):
        if folded[max(0, m.start() - 8):m.start()].endswith("co quan ") or not _outside_parens(folded, m.start()):
            continue
        boundary = m.start()
        break
    owner = _POSSESSIVE.match(folded.lower(), start)
    if owner:
        owned = [m for m in mentions if m.start == owner.end()]
        if owned:
            return owned
    subject = [m for m in mentions if start <= m.start < boundary]
    if not subject or subject[0].start - start > 45:
        return None
    if strict and (boundary == len(folded) or boundary - subject[-1].end > SUBJECT_VERB_GAP):
        return None
    delegation = _DELEGATES.match(folded.lower(), subject[-1].end)
    if delegation:
        # `UBND tỉnh chỉ đạo Sở X …`, `Ban Chỉ đạo giao Sở Y …`: the one told acts; the directing
        # agency is not responsible.
        directed = [m for m in mentions if delegation.end() <= m.start <= delegation.end() + 4]
        subject = directed or subject
    return _named_in_brackets(folded, subject)


def _named_in_brackets(folded: str, subject: list[Mention]) -> list[Mention]:
    """`Các cơ quan chủ trì Chương trình (Sở A, Ban B)`: the bracketed agencies are the ones meant,
    so the collective that they spell out is dropped."""
    out = []
    for i, m in enumerate(subject):
        nxt = subject[i + 1] if i + 1 < len(subject) else None
        collective = fold_aligned(m.name).lower().startswith("cac ")
        if collective and nxt and "(" in folded[m.end:nxt.start] and len(folded[m.end:nxt.start]) < 60 \
                and not _outside_parens(folded, nxt.start):
            continue
        out.append(m)
    return out


# An opening adverbial clause before the subject: `Căn cứ Kế hoạch này, các sở … xây dựng …`,
# `Quý I/2027, các cơ quan … đánh giá …`, `Trên cơ sở đó, Sở Tài chính …`.
_OPENING_CLAUSE = re.compile(
    r"^(?:\([^)]{0,40}\)\s*[-–]\s*)?(?:(?:[ivx]+|\d{1,2}(?:\.\d{1,2})*)\.\s+|[a-zđ]\)\s+)?"
    r"(?:can cu|tren co so|thuc hien|de|nham|sau khi|quy|trong|nam|thang|ngay|hang|dinh ky|truoc|cham nhat"
    r"|dong thoi|theo do|ngoai ra|ben canh do|cung tai|tai)\b")
OPENING_CLAUSE_SPAN = 300  # characters searched for the comma that closes an opening clause
SUBJECT_VERB_GAP = 12  # after an opening clause, the verb follows its subject closely (`, Sở X vừa chỉ đạo`)


def _inherited(doc: Document, sec: Section) -> list[Mention]:
    for anc in reversed(doc.ancestors(sec)):
        if anc.kind == "paragraph" and anc.text.rstrip().endswith(":"):
            # `Theo đó, Ủy ban Dân tộc xác định …:` leads in the bullets under it.
            spans = sentences(anc.text)
            subject = subject_agencies(anc.text[spans[-1][0]:spans[-1][1]], doc.province) if spans else []
            if subject:
                return subject
            continue
        if anc.kind not in ("part", "item", "bullet", "point"):
            continue
        first = anc.text[: sentences(anc.text)[0][1]] if anc.text else ""
        first = re.sub(r"^(?:[IVX]+|\d{1,2}(?:\.\d{1,2})*)\.?\s+", "", first)
        subject = subject_agencies(first, doc.province)
        if subject:
            return subject
    return _addressees(doc) if doc.type == "Công văn" else []


def _addressees(doc: Document) -> list[Mention]:
    """The agencies a Công văn is sent to (`Kính gửi:`), as mentions; unknown ones kept as written."""
    out: list[Mention] = []
    for a in doc.addressees:
        found = find_agencies(a, doc.province, open_vocab=True)
        out += found or [Mention(0, len(a), a.strip(" -;,."), a)]
    return out


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
        names += [a.name for a in find_agencies(sentence[m.end():stop], province, open_vocab=True)]
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


# Words that stand for "the addressees of this letter": resolved to `Kính gửi:` when it lists them.
_GENERIC_ADDRESSEE = re.compile(r"^(?:quy (?:co quan|uy ban|don vi|so)|cac don vi|don vi thuc hien|cac co quan, don vi)$")
# A receiver of the result, not its doer: `báo cáo UBND tỉnh`, `gửi về Sở Tài chính`, `trình …`, `(qua Sở …)`.
_REPORT_CUE = re.compile(r"(?:bao cao|gui(?: ve| den| cho| toi)?|trinh|ve|qua|cho|den|len)\s*(?:\(\s*)?$")
# Field lines of a duty block: `- Đơn vị chủ trì thực hiện: …`, `- Thời gian hoàn thành: …`.
_FIELD = re.compile(
    r"^(?P<label>(?:don vi|co quan)(?: chu tri)?(?: thuc hien)?(?: bao cao)?|(?:don vi|co quan) phoi hop(?: thuc hien)?"
    r"|doi tuong(?: thuc hien)?(?: bao cao)?|thoi (?:gian|han)(?: hoan thanh| thuc hien| gui bao cao| bao cao)?"
    r"|tien do(?: thuc hien)?|tan suat(?: thuc hien)?(?: bao cao)?)\s*:\s*")
# Any other `Label: value` line of the same block (`Nội dung yêu cầu báo cáo: …`) stays in the block.
_LABELLED = re.compile(r"^[^:]{3,60}:\s*\S")
# A list opened by a time frame that its items inherit: `Trong tháng 12/2025, tập trung thực hiện … sau đây:`.
_FRAME_END = re.compile(r"(?:sau day|nhu sau|cu the|sau)\s*:\s*$")


# `Đồng ý lùi thời hạn trình Đề án … sang tháng 12 như đề nghị của Bộ X` (a Prime Minister's reply):
# the limit is Bộ X's, named after `đề nghị của`, or after `Giao` in the next sentence.
_CONSENT = re.compile(r"^\s*(?:\d{1,2}\.\s*|[a-zđ]\)\s*)?dong y\b")
_REQUESTED_BY = re.compile(r"(?:de nghi|kien nghi|de xuat) cua\s+$")


def _consent_subject(sentence: str, folded: str, rest: str, province: str | None) -> list[Mention]:
    for m in find_agencies(sentence, province, open_vocab=True):
        if _REQUESTED_BY.search(folded[max(0, m.start - 25):m.start].lower()):
            return [m]
    spans = sentences(rest)
    if spans:
        nxt = rest[spans[0][0]:spans[0][1]]
        if fold_aligned(nxt).lower().lstrip().startswith("giao "):
            return subject_agencies(nxt, province)
    return []


_LIST_LEAD = re.compile(r"(?:nhu sau|cu the|sau day|sau|gom)\s*$")


def _clause_subject(sentence: str, due: DueMatch, province: str | None) -> list[Mention]:
    """`…, cụ thể như sau: A báo cáo … trước ngày 10; B báo cáo … trước ngày 15`: parallel clauses
    with their own subjects give each due time its clause's subject. A clause counts when it opens
    a list (after `như sau:`) or follows a clause that opened with its own subject; a `;` inside a
    list of objects does not."""
    cut = max(sentence.rfind(";", 0, due.start), sentence.rfind(":", 0, due.start))
    if cut <= 0:
        return []
    clause = sentence[cut + 1:due.start]
    subject = subject_agencies(clause.lstrip(), province)
    if not subject or subject[0].start > 2:
        return []
    before = fold_aligned(sentence[:cut]).lower()
    if sentence[cut] == ":":
        return subject if _LIST_LEAD.search(before) else []
    prev_cut = max(sentence.rfind(";", 0, cut), sentence.rfind(":", 0, cut))
    previous = sentence[prev_cut + 1:cut].lstrip()
    opened = subject_agencies(previous, province)
    return subject if opened and opened[0].start <= 2 else []


# `… gửi Sở Nông nghiệp và Môi trường tổng hợp, trình UBND tỉnh trước ngày 13/4`: the agency a file is
# sent to and that then acts on it (a verb right after its name) does what the rest of the clause says.
_HANDED_TO = re.compile(r"(?:^|[\s,;])gui(?: ve| cho| den)?\s+$")


def _handed_over(sentence: str, folded: str, due: DueMatch, province: str | None) -> list[Mention]:
    """The last agency in the due time's clause that a file is sent to and that acts on it."""
    start = max(sentence.rfind(";", 0, due.start), 0)
    mentions = find_agencies(sentence[start:due.start], province, open_vocab=True)
    for k in range(len(mentions) - 1, -1, -1):
        m = mentions[k]
        if any(re.search(r"(?:\bva|,)\s*$", folded[start + m.end:start + x.start].lower()) for x in mentions[k + 1:]):
            continue  # `gửi A và B …`: a list of receivers, none of them acting
        before = folded[max(0, start + m.start - 12):start + m.start].lower()
        after = folded[start + m.end:start + m.end + 12].lower()
        if _HANDED_TO.search(before) and re.match(r"\s*(?:de\s+)?", after) and \
                _VERB_RE.match(after, len(re.match(r"\s*(?:de\s+)?", after).group(0))):
            return [Mention(start + m.start, start + m.end, m.name, m.surface)]
    return []


def _resolve_generic(doc: Document, subject: list[Mention]) -> list[Mention]:
    """`Quý cơ quan`, `các đơn vị` → the addressees, when the letter names them."""
    if subject and all(_GENERIC_ADDRESSEE.match(fold_aligned(m.name).lower().strip()) for m in subject):
        return _addressees(doc) or subject
    return subject


def _report_to(sentence: str, folded: str, subject: list[Mention], coop: list[str],
               province: str | None) -> list[str]:
    taken = {m.name for m in subject} | set(coop)
    out: list[str] = []
    for m in find_agencies(sentence, province, open_vocab=True):
        if m.name in taken or any(s.start <= m.start < s.end for s in subject):
            continue
        if _REPORT_CUE.search(folded[max(0, m.start - 30):m.start].lower()):
            out.append(m.name)
    return list(dict.fromkeys(out))


def _names(mentions: list[Mention]) -> list[str]:
    return list(dict.fromkeys(m.name for m in mentions))


def _field(sec: Section) -> tuple[str, str] | None:
    """(role, value) of a field line: lead | coop | time."""
    m = _FIELD.match(fold_aligned(sec.text).lower())
    if not m:
        return None
    label = m.group("label")
    role = "time" if label.startswith(("thoi", "tien do", "tan suat")) else "coop" if "phoi hop" in label else "lead"
    return role, sec.text[m.end():].strip().rstrip(".;")


def _split_cell(value: str) -> list[str]:
    """A cell or field of agencies: split on `;` (and new lines), as written."""
    parts = [re.sub(r"\s+", " ", p).strip(" .,-–") for p in re.split(r"[;\n]", value)]
    return [p[:1].upper() + p[1:] for p in parts if p and not fold_aligned(p).lower().startswith("theo ")]


def _field_deadlines(doc: Document, sec: Section, year_hint: int | None) -> list[Deadline]:
    """A `Thời gian hoàn thành:` line takes its task and agencies from the lines of its block."""
    field = _field(sec)
    if not field or field[0] != "time":
        return []
    matches = [m for m in find_due_times("trong " + field[1] if _BARE_TIME.match(fold_aligned(field[1]).lower())
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
        f = _field(nxt)
        if f is None and not _LABELLED.match(nxt.text):
            break
        if f and f[0] == "lead" and not lead:
            lead = _split_cell(f[1])
        elif f and f[0] == "coop" and not coop:
            coop = _split_cell(f[1])
    for prev in reversed(block):
        f = _field(prev)
        if f is None and _LABELLED.match(prev.text) and prev.kind != "paragraph":
            continue
        if f is None:
            task_sec = prev
            break
        lines.insert(0, prev)
        if f[0] == "lead":
            lead = _split_cell(f[1])
        elif f[0] == "coop":
            coop = _split_cell(f[1])
    task = task_sec.text if task_sec else ""
    quote = "\n".join(x.text for x in ([task_sec] if task_sec else []) + lines)
    return [Deadline(agencies=lead, cooperating=coop, due=m.due, relation=m.relation, task=_shorten(task),
                     quote=quote, section=(task_sec or sec).label, section_idx=sec.idx,
                     year_inferred=m.year_inferred, due_text=field[1], needs_review=not lead, time=m.time,
                     why="field lines: `Đơn vị chủ trì` + `Thời gian hoàn thành`") for m in matches]


FIELD_BLOCK_SPAN = 8  # lines of one duty block (task, fields, sub-bullets) looked at around its time line
_BARE_TIME = re.compile(r"^(?:thang|quy|nam)\s+[\divx]")


def _shorten(task: str) -> str:
    task = re.sub(r"^\s*(?:\(\d{1,2}\)|[a-zđ]\)|\d{1,2}(?:\.\d{1,2})*\.)\s*", "", task)
    return task if len(task) <= 220 else task[:220].rsplit(" ", 1)[0] + "…"


# `Ngày 05 hằng tháng, UBND xã báo cáo UBND huyện. UBND huyện tổng hợp, báo cáo UBND tỉnh.`: the next
# level of a reporting chain reports on the same period, at a day the text does not give.
_REPORT_VERB = re.compile(r"(?<![a-z])(?:bao cao|tong hop)(?![a-z])")


def _relayed(sec: Section, sentence: str, subject: list[Mention], period: DueMatch | None) -> Deadline | None:
    """The next link of a periodic reporting chain: same period as the sentence before, no day."""
    if period is None or not subject or not _REPORT_VERB.search(fold_aligned(sentence).lower()):
        return None
    due = {"every": period.due["every"]}
    return Deadline(agencies=_names(subject), cooperating=[], due=due, relation="on",
                    task=_shorten(sentence[subject[-1].end:].strip(" ,.")), quote=sentence.strip(),
                    section=sec.label, section_idx=sec.idx,
                    why="the next link of a reporting chain: the period of the sentence before")


def _frame_scope(doc: Document, sec: Section, sentence: str, year_hint: int | None) -> list[DueMatch] | None:
    """The due time a list-opening sentence gives its items, or None when it is not such a frame."""
    folded = fold_aligned(sentence).lower().strip()
    if not _FRAME_END.search(folded):
        return None
    matches = find_due_times(sentence, year_hint)
    if len(matches) != 1 or isinstance(matches[0].due, dict) or sentence.index(sentence.strip()[:1]) > 0:
        return None
    return matches if matches[0].start < 40 else None


def _frame_deadlines(doc: Document, sec: Section, frame: DueMatch, year_hint: int | None,
                     done: set[int]) -> list[Deadline]:
    """Items after a time frame (until the enclosing numbered part ends) that state no time of their
    own inherit it: one deadline per leaf item, agency from the item or its heading."""
    anchor = next((a for a in reversed(doc.ancestors(sec)) if a.kind in ("part", "item")), None)
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
        if find_due_times(leaf.text, year_hint):
            continue
        subject = subject_agencies(leaf.text, doc.province) or _inherited(doc, leaf)
        if not subject:
            continue
        done.add(leaf.idx)
        out.append(Deadline(
            agencies=_names(subject), cooperating=[], due=frame.due, relation=frame.relation,
            task=_shorten(leaf.text), quote=leaf.text, section=leaf.label, section_idx=leaf.idx,
            year_inferred=frame.year_inferred, due_text=sec.text[frame.start:frame.end] if frame.end < len(sec.text)
            else "", why="time frame opening the list (" + sec.label + ")"))
    return out


def extract_deadlines(doc: Document) -> list[Deadline]:
    """All deadlines of a document, in text order, without duplicates."""
    from knowledge.duty_tables import table_deadlines

    has_numbering = any(s.kind in ("part", "item") for s in doc.sections)
    year_hint = doc.year_hint or (doc.issued_date.year if doc.issued_date else None)
    out: list[Deadline] = []
    seen: set[tuple] = set()
    framed: set[int] = set()
    for sec in doc.sections:
        if sec.kind == "row" or sec.idx in framed or _skip_section(doc, sec, has_numbering):
            continue
        if _field(sec):
            out += _field_deadlines(doc, sec, year_hint)
            continue
        inherited: list[Mention] | None = None
        previous: list[Mention] = []  # subject of the previous sentence of this paragraph
        period: DueMatch | None = None  # the recurring due time of the previous sentence
        for s_start, s_end in sentences(sec.text):
            sentence = sec.text[s_start:s_end]
            own_subject = subject_agencies(sentence, doc.province)
            matches = find_due_times(sentence, year_hint)
            if not matches:
                relayed = _relayed(sec, sentence, own_subject, period)
                if relayed:
                    out.append(relayed)
                previous = own_subject or previous
                period = None
                continue
            period = next((m for m in matches if m.recurring and "every" in m.due), None)
            folded = fold_aligned(sentence)
            if _PURPOSE.match(folded.strip().lower()):
                continue
            frame = _frame_scope(doc, sec, sentence, year_hint)
            if frame and not own_subject:
                out += _frame_deadlines(doc, sec, frame[0], year_hint, framed)
                continue
            why_agency = "subject of the sentence"
            subject = own_subject
            if not subject and _CONSENT.match(folded.lower()):
                rest = sec.text[s_end:]
                subject = _consent_subject(sentence, folded, rest, doc.province)
                why_agency = "the agency whose request is granted (`Đồng ý … đề nghị của X`, `Giao X`)"
            if not subject and previous:
                subject, why_agency = previous, "subject carried from the previous sentence"
            if not subject:
                if inherited is None:
                    inherited = _inherited(doc, sec)
                subject, why_agency = inherited, "subject of the enclosing item or the addressees"
            subject = _resolve_generic(doc, subject)
            previous = subject
            agencies = _names(subject)
            prev_end = 0
            last_task = ""
            for due in matches:
                if not _keep(due, matches, sentence):
                    prev_end = due.end
                    continue
                due_agencies, due_subject, due_why = agencies, subject, why_agency
                clause = _clause_subject(sentence, due, doc.province)
                handed = [] if clause else _handed_over(sentence, folded, due, doc.province)
                if clause:
                    due_agencies, due_subject, due_why = _names(clause), clause, "subject of the clause"
                elif handed:
                    due_agencies, due_subject, due_why = _names(handed), handed, "the agency a file is sent to, then acting"
                coop = [c for c in _cooperating(sentence, folded, due.start, doc.province) if c not in due_agencies]
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
                    year_inferred=due.year_inferred, due_text=sentence[due.start:due.end],
                    report_to=_report_to(sentence, folded, due_subject, coop, doc.province),
                    needs_review=not due_agencies, time=due.time,
                    why=f"agency: {due_why}; due: {due.kind} `{sentence[due.start:due.end]}`",
                ))
    out += table_deadlines(doc, year_hint)
    out.sort(key=lambda d: d.section_idx)
    return out
