"""Who is responsible in a sentence: its subject (after `Giao`, `Đề nghị`, an opening clause or a
delegation), the agencies it cooperates with, those it reports to, and the subject it inherits from
its item, its lead-in or the addressees."""

from __future__ import annotations

import re

from knowledge.agencies import Mention, find_agencies, fold_aligned
from knowledge.agency_grammar import TITLES
from knowledge.duetime import DueMatch
from knowledge.model import Document, Section
from knowledge.rulebook import book, rule
from knowledge.sentences import sentences

# Word rules live in knowledge/rules/roles.toml beside their examples; these are their compiled patterns.
VERB_RE = rule("roles", "verb")
_LEAD_IN = rule("roles", "lead_in")
_GIAO_OPENING = rule("roles", "giao_opening")
_GIAO_AFTER_CLAUSE = rule("roles", "giao_after_clause")
_COOP = rule("roles", "coop")


def _outside_parens(text: str, pos: int) -> bool:
    return text.count("(", 0, pos) <= text.count(")", 0, pos)


# `Báo cáo của các Bộ, ngành … gửi về …`: the owner of the report is the one who must send it.
_POSSESSIVE = rule("roles", "possessive")


def subject_agencies(sentence: str, province: str | None, mentions: list[Mention] | None = None) -> list[Mention]:
    """Agencies a sentence opens with (after a lead-in such as `Giao` or `Đối với`, or after an
    opening adverbial clause), before its verb."""
    folded = fold_aligned(sentence)
    if mentions is None:
        mentions = find_agencies(sentence, province, open_vocab=True)
    giao = _GIAO_OPENING.search(folded)
    if giao is None:  # `Đối với các vi phạm thuộc thẩm quyền của tỉnh, giao Sở X chủ trì …`
        giao = next((g for g in _GIAO_AFTER_CLAUSE.finditer(folded)
                     if any(g.end() <= x.start <= g.end() + 4 for x in mentions)), None)
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
_DELEGATES = rule("roles", "delegates")


# A news report of a document just issued: its issuer is not the one the limits inside it bind.
_ISSUED = rule("roles", "issued")
# `X yêu cầu báo cáo …` with no one named: X only asks, it does not act (but in `X đề nghị bổ sung …`
# X proposes, and in `X chỉ đạo tiến hành rà soát …` X directs its own people: X acts).
_TELLS_ONLY = tuple(book("roles")["delegates"].data["tells_only"])
# The head of an agency told to act, in running text: `yêu cầu giám đốc các sở, ngành và chủ tịch
# UBND các xã …` tells the sở and the UBND xã, not persons.
_TOLD_PERSON = re.compile(r"(?:" + "|".join(sorted(map(re.escape, TITLES), key=len, reverse=True)) + r")\s+")


# `cơ quan chủ trì`, `cơ quan thẩm định`: a noun, not `cơ quan` + verb (`Quý cơ quan gửi …` is a verb).
_ROLE_NOUN_VERBS = frozenset(book("roles")["verb"].data["role_nouns"])


def _subject_from(folded: str, mentions: list[Mention], start: int, strict: bool = False) -> list[Mention] | None:
    """The subject that starts at `start`: mentions before the first verb (`X chỉ đạo Y …`: Y acts,
    X directs). `strict` (after an opening clause) wants the verb right after the subject."""
    boundary = len(folded)
    for m in VERB_RE.finditer(folded, start):
        if ((folded[max(0, m.start() - 8):m.start()].endswith("co quan ") and m.group(0) in _ROLE_NOUN_VERBS)
                or not _outside_parens(folded, m.start())):
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
    if _ISSUED.match(folded.lower(), subject[-1].end):
        # `UBND tỉnh vừa ban hành Công văn … lùi hạn …`: the issuer reports; those the document asks act
        return _told(folded.lower(), [m for m in mentions if m.start >= subject[-1].end])
    for m in subject:
        delegation = _DELEGATES.match(folded.lower(), m.end)
        if delegation:
            # `UBND tỉnh chỉ đạo Sở X …`, `Ban Chỉ đạo giao Sở Y …`: the one told acts; the directing
            # agency is not responsible.
            person = _TOLD_PERSON.match(folded.lower(), delegation.end())
            opens = person.end() if person else delegation.end()
            directed = [x for x in subject if x.start >= delegation.end()]
            if directed and directed[0].start <= opens + 4:
                subject = directed  # every agency told, to the verb (`yêu cầu Sở A, Sở B báo cáo`)
            else:
                subject = [x for x in mentions if opens <= x.start <= opens + 4] or (
                    [] if delegation.group(0).strip().endswith(_TELLS_ONLY) else subject)
            break
    return _named_in_brackets(folded, subject)


_REQUEST = rule("roles", "request")
_TOLD_JOINER = rule("roles", "told_joiner")


def told_agencies(sentence: str, mentions: list[Mention]) -> list[Mention]:
    """Agencies a request anywhere in the sentence puts to work (`…, Phó Thủ tướng yêu cầu Bộ X, Bộ Y
    khẩn trương …` → Bộ X, Bộ Y): those right after the verb, joined by commas or `và`."""
    return _told(fold_aligned(sentence).lower(), mentions)


def _told(folded: str, mentions: list[Mention]) -> list[Mention]:
    for req in _REQUEST.finditer(folded):
        person = _TOLD_PERSON.match(folded, req.end())
        pos = person.end() if person else req.end()
        out: list[Mention] = []
        for m in mentions:
            if m.start < pos:
                continue
            if m.start - pos > 4 or (out and not _TOLD_JOINER.fullmatch(folded[out[-1].end:m.start])):
                break
            out.append(m)
            pos = m.end
        if out:
            return out
    return []


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
_OPENING_CLAUSE = rule("roles", "opening_clause")
OPENING_CLAUSE_SPAN = 300  # characters searched for the comma that closes an opening clause
SUBJECT_VERB_GAP = 12  # after an opening clause, the verb follows its subject closely (`, Sở X vừa chỉ đạo`)


def inherited_subject(doc: Document, sec: Section) -> list[Mention]:
    """The doer a section takes from around it when it names none (the strongest of its candidates)."""
    found = inherited_candidates(doc, sec)
    return found[0][1] if found else []


def inherited_candidates(doc: Document, sec: Section) -> list[tuple[str, list[Mention]]]:
    """(evidence, agencies) a section may take its doer from, nearest first: the lead-in paragraph
    before it (`Giao Sở Nội vụ:` then `a) …`), the enclosing items' and lead-ins' subjects, the
    addressees of a letter."""
    out: list[tuple[str, list[Mention]]] = []
    lead = _sibling_lead_in(doc, sec)
    if lead:
        out.append(("lead-in", lead))
    for anc in reversed(doc.ancestors(sec)):
        subject = _opening_subject(doc, anc)
        if subject:
            out.append(("lead-in" if anc.text.rstrip().endswith(":") else "enclosing item", subject))
    if doc.type == "Công văn":
        addressees = addressee_mentions(doc)
        out += [("addressees", addressees)] if addressees else []
    return out


def _opening_subject(doc: Document, anc: Section) -> list[Mention]:
    """The subject an enclosing section passes to what it contains: a lead-in paragraph's last sentence
    (`Theo đó, Ủy ban Dân tộc xác định …:`), a numbered item's or bullet's first sentence."""
    if anc.text.rstrip().endswith(":"):
        spans = sentences(anc.text)
        last = anc.text[spans[-1][0]:spans[-1][1]] if spans else ""
        # `1. Về chuyển đổi số` and `Giao Sở X:` read as one item: the request ends it
        subject = subject_agencies(last, doc.province)
        told = None if subject else _TOLD_IN_LEAD.search(last)
        subject = subject_agencies(last[told.start(1):], doc.province) if told else subject
        if subject or anc.kind == "paragraph":
            return subject
    if anc.kind not in ("part", "item", "bullet", "point") or not anc.text:
        return []
    first = anc.text[: sentences(anc.text)[0][1]]
    first = re.sub(r"^(?:[IVX]+|\d{1,2}(?:\.\d{1,2})*)\.?\s+", "", first)
    return subject_agencies(first, doc.province)


_TOLD_IN_LEAD = rule("roles", "told_in_lead")


def _sibling_lead_in(doc: Document, sec: Section) -> list[Mention]:
    """`Giao Sở Khoa học và Công nghệ chủ trì …:` followed by items a), b), c) at the same level: the
    nearest paragraph before a list item, ending with a colon, gives the item its subject."""
    if sec.kind not in ("item", "point", "bullet"):
        return []
    first = (sec.parent + 1) if sec.parent is not None else 0
    for prev in reversed(doc.sections[first:sec.idx]):
        if prev.parent != sec.parent:
            continue
        if prev.kind != "paragraph":
            continue  # an earlier item of the same list
        return _opening_subject(doc, prev) if prev.text.rstrip().endswith(":") else []
    return []


def addressee_mentions(doc: Document) -> list[Mention]:
    """The agencies a Công văn is sent to (`Kính gửi:`), as mentions; unknown ones kept as written."""
    out: list[Mention] = []
    for a in doc.addressees:
        found = find_agencies(a, doc.province, open_vocab=True)
        out += found or [Mention(0, len(a), a.strip(" -;,."), a)]
    return out


def cooperating(sentence: str, folded: str, upto: int, province: str | None) -> list[str]:
    names: list[str] = []
    for m in _COOP.finditer(folded, 0, upto):
        stop = len(sentence)
        verb = VERB_RE.search(folded, m.end())
        if verb:
            stop = verb.start()
        for cut in (";", " và các ", " và cơ quan", ", các cơ quan", " các cơ quan"):
            idx = sentence.find(cut, m.end())
            if idx != -1:
                stop = min(stop, idx)
        names += [a.name for a in find_agencies(sentence[m.end():stop], province, open_vocab=True)]
    return list(dict.fromkeys(names))


# Words that stand for "the addressees of this letter": resolved to `Kính gửi:` when it lists them.
_GENERIC_ADDRESSEE = rule("roles", "generic_addressee")
# A receiver of the result, not its doer: `báo cáo UBND tỉnh`, `gửi về Sở Tài chính`, `trình …`, `(qua Sở …)`.
_REPORT_CUE = rule("roles", "report_cue")
# `Đồng ý lùi thời hạn trình Đề án … sang tháng 12 như đề nghị của Bộ X` (a Prime Minister's reply):
# the limit is Bộ X's, named after `đề nghị của`, or after `Giao` in the next sentence.
CONSENT = rule("roles", "consent")
_REQUESTED_BY = rule("roles", "requested_by")


def consent_subject(sentence: str, folded: str, rest: str, province: str | None) -> list[Mention]:
    for m in find_agencies(sentence, province, open_vocab=True):
        if _REQUESTED_BY.search(folded[max(0, m.start - 25):m.start].lower()):
            return [m]
    spans = sentences(rest)
    if spans:
        nxt = rest[spans[0][0]:spans[0][1]]
        if fold_aligned(nxt).lower().lstrip().startswith("giao "):
            return subject_agencies(nxt, province)
    return []


_LIST_LEAD = rule("roles", "list_lead")


def clause_subject(sentence: str, due: DueMatch, province: str | None) -> list[Mention]:
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
    return subject if opened and _CONNECTIVE.fullmatch(fold_aligned(previous[:opened[0].start]).lower()) else []


# What may stand before the subject of the first of parallel clauses (`Theo đó, các huyện A, B …; các huyện C …`).
_CONNECTIVE = rule("roles", "connective")


# `… gửi Sở Nông nghiệp và Môi trường tổng hợp, trình UBND tỉnh trước ngày 13/4`: the agency a file is
# sent to and that then acts on it (a verb right after its name) does what the rest of the clause says.
_HANDED_TO = rule("roles", "handed_to")
_RECEIVERS_JOINED = rule("roles", "receivers_joined")
_PURPOSE_DE = rule("roles", "purpose_de")


def handed_over(sentence: str, folded: str, due: DueMatch, sentence_mentions: list[Mention]) -> list[Mention]:
    """The last agency in the due time's clause that a file is sent to and that acts on it."""
    start = max(sentence.rfind(";", 0, due.start), 0)
    mentions = [m for m in sentence_mentions if start <= m.start and m.end <= due.start]
    for k in range(len(mentions) - 1, -1, -1):
        m = mentions[k]
        if any(_RECEIVERS_JOINED.search(folded[m.end:x.start].lower()) for x in mentions[k + 1:]):
            continue  # `gửi A và B …`: a list of receivers, none of them acting
        before = folded[max(0, m.start - 12):m.start].lower()
        after = folded[m.end:m.end + 12].lower()
        lead = _PURPOSE_DE.match(after)
        if _HANDED_TO.search(before) and VERB_RE.match(after, lead.end() if lead else 0):
            return [m]
    return []


def resolve_generic(doc: Document, subject: list[Mention]) -> list[Mention]:
    """`Quý cơ quan`, `các đơn vị`, a bare head noun (`Quý Ủy ban`, `Sở`) → the addressees, when the letter
    names them."""
    if subject and all(_GENERIC_ADDRESSEE.match(fold_aligned(m.name).lower().strip())
                       or fold_aligned(m.name).lower().strip() in _BARE_HEADS for m in subject):
        return addressee_mentions(doc) or subject
    return subject


# A head noun standing alone names no agency: in a letter it is the addressee (`đề nghị Quý Ủy ban …`).
_BARE_HEADS = frozenset({"uy ban", "ubnd", "uy ban nhan dan", "so", "bo", "ban", "co quan", "don vi"})


def report_to_names(folded: str, mentions: list[Mention], subject: list[Mention], coop: list[str]) -> list[str]:
    """Receivers among a sentence's agency mentions (found once per sentence by the caller)."""
    taken = {m.name for m in subject} | set(coop)
    out: list[str] = []
    for m in mentions:
        if m.name in taken or any(s.start <= m.start < s.end for s in subject):
            continue
        if _REPORT_CUE.search(folded[max(0, m.start - 30):m.start].lower()):
            out.append(m.name)
    return list(dict.fromkeys(out))


def names(mentions: list[Mention]) -> list[str]:
    return list(dict.fromkeys(m.name for m in mentions))


