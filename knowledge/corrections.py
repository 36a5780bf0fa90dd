"""What the office said about what the reader understood: review events over extracted deadlines.

An admin confirms a deadline, sets its agency or due time, drops it (not a duty) or undoes one of
those. Events are appended, never edited (who, when, before, after), and keyed by the directive's
identity and a digest of the deadline's wording *as extracted*, so they survive re-ingest, reindex
and a new version that leaves the duty unchanged. The fact store applies the current state of the
events each time it saves a document; an event whose duty no longer appears is an orphan, shown to
the admin to re-apply or dismiss.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any

from knowledge.identity import TEXT_PREFIX
from knowledge.model import Deadline

ACTIONS = ("confirm", "set", "drop", "undo", "dismiss")
DIGEST_CHARS = 12  # the digest of a duty's wording (also the duty-status key's; changing it loses statuses)
SHORT_ID_CHARS = 6  # what a person types: `review DOC --confirm a3f9c2`
SETTABLE = ("agencies", "due", "relation", "time")


def wording_digest(task: str | None, due: Any, relation: str | None, agencies: list[str] | None,
                   chars: int = DIGEST_CHARS) -> str:
    """A digest of a duty's wording: task (spaces folded), due time, relation, lead agencies (sorted).

    The section label is left out: renumbering items does not change a duty."""
    wording = [" ".join(str(task or "").split()), due, relation, sorted(agencies or [])]
    content = json.dumps(wording, ensure_ascii=False, sort_keys=True)
    return hashlib.sha1(content.encode("utf-8")).hexdigest()[:chars]


def document_part(identity: str | None, doc_id: str) -> str:
    """The directive's identity (issuer|number|date) when it has a number, else its doc_id.

    Why not the row id: deadline rows are rewritten on every re-ingest. Why not always the doc_id:
    the same directive ingested in another data directory from a renamed file has another doc_id."""
    return identity if identity and not identity.startswith(TEXT_PREFIX) else doc_id


def duty_ref(d: Deadline) -> str:
    """The reference of an extracted deadline that review events point to."""
    return wording_digest(d.task, d.due, d.relation, d.agencies)


@dataclass
class ReviewState:
    """The current word of the office on one duty: confirmed, corrected fields, or dropped."""

    reviewed: bool = False
    dropped: bool = False
    fields: dict[str, Any] = field(default_factory=dict)
    last_event: int | None = None


def current_states(events: list[dict[str, Any]]) -> dict[str, ReviewState]:
    """Fold the events (oldest first) into one state per duty reference; an undo cancels the latest
    still-active event of its duty, a dismiss forgets the duty's events."""
    active: dict[str, list[dict[str, Any]]] = {}
    for e in events:
        stack = active.setdefault(e["duty_ref"], [])
        if e["action"] == "undo":
            if stack:
                stack.pop()
        elif e["action"] == "dismiss":
            stack.clear()
        else:
            stack.append(e)
    states: dict[str, ReviewState] = {}
    for ref, stack in active.items():
        if not stack:
            continue
        state = ReviewState(reviewed=True, last_event=stack[-1]["id"])
        for e in stack:
            if e["action"] == "drop":
                state.dropped = True
            else:
                state.dropped = False
                state.fields.update(json.loads(e.get("after") or "{}"))
        states[ref] = state
    return states


def applied(d: Deadline, state: ReviewState | None) -> Deadline | None:
    """The deadline as the office says it is (None when dropped); an untouched one as extracted."""
    if state is None:
        return d
    if state.dropped:
        return None
    corrected = replace(d, decision=None, **{k: v for k, v in state.fields.items() if k in SETTABLE})
    corrected.needs_review = False
    corrected.confidence = 1.0
    corrected.kind = d.kind
    corrected.why = d.why + "; reviewed by the office"
    return corrected
