"""Throttle rates as written in the settings (``"120/minute"``): one reading of them, for the
settings (which refuse a rate that does not parse, at start-up) and the throttles."""

from __future__ import annotations

import re

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE = re.compile(r"^\s*(\d+)\s*/\s*(s|sec|second|m|min|minute|h|hour|d|day)s?\s*$", re.IGNORECASE)


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """``"120/minute"`` as ``(120, 60)``; None for no limit; ``ValueError`` for a rate that
    is not a number of requests per second, minute, hour or day."""
    if rate is None:
        return None
    match = RATE.match(rate)
    if match is None:
        raise ValueError(f"{rate!r} is not a rate: write requests/period, the period one of second, minute, hour, day")
    return int(match[1]), PERIODS[match[2][0].lower()]
