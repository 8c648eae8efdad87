"""When a document can have been published: one rule for the dates extractors read from
documents (``sources.ingest``) and the dates people give (``sources.services``)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

# The day that has begun somewhere on Earth at the latest: UTC+14's (Kiribati).
_EARTHS_LATEST_OFFSET = timedelta(hours=14)


def latest_day_begun() -> date:
    """The latest day that has begun somewhere on Earth: UTC+14's today."""
    return (timezone.now() + _EARTHS_LATEST_OFFSET).date()


def has_begun_somewhere(day: date) -> bool:
    """Whether ``day`` has begun anywhere on Earth: a publication date after it is a typing
    error (2999), or a writer's placeholder (a PDF's D:99991231)."""
    return day <= latest_day_begun()


# The days programs write for want of a date, none of them a day a document was published:
# the first day of year 1 (the zero of Go's time, .NET's DateTime, a YAML front matter a
# site generator filled in), Windows' FILETIME zero (1601-01-01), SQL Server's earliest
# datetime (1753-01-01) and its default (1900-01-01), the spreadsheets' day zero
# (1899-12-30, 1899-12-31, 1904-01-01), and the Unix epoch (1970-01-01, 1969-12-31 west of
# Greenwich).
ZERO_DAYS = frozenset(
    date.fromisoformat(day)
    for day in ("0001-01-01", "1601-01-01", "1753-01-01", "1899-12-30", "1899-12-31", "1900-01-01", "1904-01-01", "1970-01-01", "1969-12-31")
)

# Before printing with movable type (about 1450) nothing was published in the sense a
# source's date means; a document's metadata giving such a day (year 1, year 100) holds a
# stand-in for no date or a typing error. A date before it is also one that the editorial checks
# could not count back from ("two years ago" of year 1 is year -1, no date).
EARLIEST_PUBLISHED = date(1450, 1, 1)


def plausible_publication_date(day: date) -> bool:
    """Whether ``day``, read from a document's own metadata (a PDF's CreationDate, a
    page's or a front matter's date), can be the day it was published: from
    ``EARLIEST_PUBLISHED`` to a day that has begun somewhere, and none of the days programs
    write for want of one (``ZERO_DAYS``). A date a person gives is theirs: only its
    future is refused (``sources.services``)."""
    return EARLIEST_PUBLISHED <= day and day not in ZERO_DAYS and has_begun_somewhere(day)
