"""Reads of the changes feed: which events a caller may see, one page at a time."""

from __future__ import annotations

from django.db.models import QuerySet

from claims.selectors import sees_all_claims

from .models import Event


def visible_events(user) -> QuerySet[Event]:
    """Numbered events the caller may see: all of them for staff, public ones otherwise."""
    events = Event.objects.filter(seq__isnull=False)
    return events if sees_all_claims(user) else events.filter(public=True)


def events_after(user, after: int, limit: int, types: list[str] | None = None) -> list[Event]:
    """The first ``limit`` visible events with ``seq > after``: an index range scan, the same
    cost at seq 10 as at seq 10 million."""
    events = visible_events(user).filter(seq__gt=after)
    if types:
        events = events.filter(type__in=types)
    return list(events.order_by("seq")[:limit])
