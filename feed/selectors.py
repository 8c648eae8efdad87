"""Reads of the changes feed: which events a caller may see, one page at a time."""

from __future__ import annotations

from django.db.models import QuerySet

from claims.selectors import sees_all_claims

from .models import Event


def sequence_field(user) -> str:
    """The number a caller sees and pages by: ``seq`` for staff, who see every event; for
    anybody else ``public_seq``, the public events' own numbers (no gap tells of the hidden
    events between them)."""
    return "seq" if sees_all_claims(user) else "public_seq"


def visible_events(user) -> QuerySet[Event]:
    """Numbered events the caller may see: all of them for staff, public ones otherwise."""
    return Event.objects.filter(**{f"{sequence_field(user)}__isnull": False})


def events_after(user, after: int, limit: int, types: list[str] | None = None) -> list[Event]:
    """The first ``limit`` visible events numbered after ``after`` (``sequence_field``): an
    index range scan, the same cost at seq 10 as at seq 10 million."""
    field = sequence_field(user)
    events = visible_events(user).filter(**{f"{field}__gt": after})
    if types:
        events = events.filter(type__in=types)
    return list(events.order_by(field)[:limit])
