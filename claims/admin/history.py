"""The field history of a claim and its evidence, as a timeline for the claim page.

Recorded by django-simple-history; this only reads it: who changed what, when, from which
value to which. Three queries, whatever the length of the history.
"""

from __future__ import annotations

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


def claim_timeline(claim: Claim, limit: int = TIMELINE_LENGTH) -> dict:
    """The latest ``limit`` entries, newest first, and whether older ones exist."""
    records = list(
        claim.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    entries: list[Entry] = []
    for index, record in enumerate(records[:limit]):
        older = records[index + 1] if index + 1 < len(records) else None
        if record.history_type == "+" or older is None:
            entry = Entry(record.history_date, _who(record), "created", record.history_change_reason or "", record.version)
        else:
            entry = Entry(record.history_date, _who(record), "changed", record.history_change_reason or "", record.version, _changes(record, older))
        entries.append(entry)

    evidence_history = Evidence.history.model
    evidence_records = list(
        evidence_history.objects.filter(claim_id=claim.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")[: limit * 4]
    )
    span_ids = {record.span_id for record in evidence_records}
    quotes = dict(Span.objects.filter(pk__in=span_ids).values_list("pk", "quote")) if span_ids else {}
    previous: dict[int, Any] = {}
    evidence_entries: list[Entry] = []
    for record in evidence_records:
        span = f"span #{record.span_id}: “{_show(quotes.get(record.span_id, ''))}”"
        if record.history_type == "+":
            what, changes = "evidence added", [Change("stance", "—", record.stance), Change("passage", "—", span)]
        elif record.history_type == "-":
            what, changes = "evidence removed", [Change("passage", span, "—")]
        else:
            before = previous.get(record.id)
            what, changes = "evidence changed", (_changes(record, before) if before else [])
        previous[record.id] = record
        evidence_entries.append(Entry(record.history_date, _who(record), what, record.history_change_reason or "", None, changes))

    merged = sorted(entries + evidence_entries, key=lambda entry: entry.when, reverse=True)
    return {
        "entries": merged[:limit],
        "truncated": len(records) > limit or len(merged) > limit,
    }

