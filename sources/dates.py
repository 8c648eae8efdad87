"""When a document can have been published: one rule for the dates extractors read from
documents (``sources.ingest``) and the dates people give (``sources.services``)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

# The day that has begun somewhere on Earth at the latest: UTC+14's (Kiribati).
_EARTHS_LATEST_OFFSET = timedelta(hours=14)


def has_begun_somewhere(day: date) -> bool:
    """Whether ``day`` has begun anywhere on Earth: a publication date after it is a typing
    error (2999), or a writer's placeholder (a PDF's D:99991231)."""
    return day <= (timezone.now() + _EARTHS_LATEST_OFFSET).date()
