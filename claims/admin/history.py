"""The field history of a claim and its evidence, as a timeline for the claim page.

Recorded by django-simple-history; this only reads it: who changed what, when, from which
value to which, and, with each version, the evidence it added, changed or removed (the
claim's own record of that version shows no change of its fields). Three queries, whatever
the length of the history.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from project.admin import readable_history_value
from sources.models import Span

from ..models import Claim, Evidence

TIMELINE_LENGTH = 25
VALUE_LENGTH = 120


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime
    who: str
    what: str  # "created", "changed", "evidence added", ...
    reason: str = ""
    version: int | None = None
    changes: list[Change] = field(default_factory=list)


def _show(value: Any) -> str:
    """A value as a person reads it: users by name, related rows by their name, "—" for
    nothing; never an id or "Deleted user (pk=None)"."""
    value = readable_history_value(value)
    if isinstance(value, list):
        # Many-to-many rows: each a dict of the through row's objects; the last is the target.
        value = ", ".join(str(readable_history_value(list(row.values())[-1]) if isinstance(row, dict) and row else row) for row in value)
    if value in (None, ""):
        return "—"
    text = str(value)
    return text if len(text) <= VALUE_LENGTH else text[: VALUE_LENGTH - 1] + "…"


def _who(record) -> str:
    user = record.history_user
    return user.get_username() if user is not None else "system"


def _changes(newer, older) -> list[Change]:
    delta = newer.diff_against(older, foreign_keys_are_objs=True)
    return [
        Change(change.field, _show(change.old), _show(change.new))
        for change in sorted(delta.changes, key=lambda change: change.field)
    ]


def _passage(record, quotes: dict[int, str]) -> str:
    return f"span #{record.span_id}: “{_show(quotes.get(record.span_id, ''))}”"


def _evidence_change(record, before, quotes: dict[int, str]) -> list[Change]:
    """What one history record of an evidence row says changed: the passage added (with
    its stance and note) or removed, or its stance or note changed."""
    passage = _passage(record, quotes)
    if record.history_type == "+":
        stance = record.get_stance_display()
        return [Change("evidence added", "—", f"{passage} ({stance}{f'; note: {_show(record.note)}' if record.note else ''})")]
    if record.history_type == "-":
        return [Change("evidence removed", passage, "—")]
    if before is None:
        return []
    stances = dict(Evidence.Stance.choices)
    return [
        Change(f"evidence {change.field} ({passage})", *(
            str(stances.get(value, value)) if change.field == "stance" else value for value in (change.old, change.new)
        ))
        for change in _changes(record, before)
    ]


def evidence_changes(claim_id: int, claim_records: list) -> dict[int, list[Change]]:
    """The evidence each of ``claim_records`` (history records of one claim) added, changed
    or removed, by their ``history_id``: each evidence record goes with the claim record
    dated as it is (``services._one_edit`` dates an edit's records alike), else, for records
    written before edits were, with the nearest in time. Two queries, whatever the history's
    length."""
    if not claim_records:
        return {}
    records = list(
        Evidence.history.filter(claim_id=claim_id).order_by("history_date", "history_id")
    )
    span_ids = {record.span_id for record in records}
    quotes = dict(Span.objects.filter(pk__in=span_ids).values_list("pk", "quote")) if span_ids else {}
    versions = sorted(claim_records, key=lambda record: (record.history_date, record.history_id))
    dates = [record.history_date for record in versions]
    by_date = {record.history_date: record for record in versions}
    changes: dict[int, list[Change]] = defaultdict(list)
    previous: dict[int, Any] = {}
    for record in records:
        before, previous[record.id] = previous.get(record.id), record
        version = by_date.get(record.history_date)
        if version is None:
            at = bisect_left(dates, record.history_date)
            nearby = [index for index in (at - 1, at) if 0 <= index < len(versions)]
            version = versions[min(nearby, key=lambda index: abs(dates[index] - record.history_date))]
        changes[version.history_id].extend(_evidence_change(record, before, quotes))
    return changes


def claim_timeline(claim: Claim, limit: int = TIMELINE_LENGTH) -> dict:
    """The latest ``limit`` versions, newest first, each with what it changed in the claim
    and in its evidence, and whether older ones exist."""
    records = list(
        claim.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    shown = records[:limit]
    evidence = evidence_changes(claim.pk, shown)
    entries: list[Entry] = []
    for index, record in enumerate(shown):
        older = records[index + 1] if index + 1 < len(records) else None
        created = record.history_type == "+" or older is None
        changes = [] if created else _changes(record, older)
        entries.append(Entry(
            record.history_date, _who(record), "created" if created else "changed", record.history_change_reason or "",
            record.version, changes + evidence.get(record.history_id, []),
        ))
    return {"entries": entries, "truncated": len(records) > limit}
