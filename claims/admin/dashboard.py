"""The admin index: claims by status and by verdict, with server-rendered SVG bars.

Two aggregate queries, whatever the number of claims: one grouped by status (which also
counts the claims needing attention and the viewer's own in-review claims, for the queue),
one grouped by verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse

from ..models import Claim
from ..roles import is_reviewer

BAR_WIDTH = 122  # SVG user units for the longest bar
ROW_HEIGHT = 26


@dataclass(frozen=True)
class Bar:
    value: str
    label: str
    count: int
    width: int
    y: int
    url: str


def _bars(counts: dict[str, int], choices, parameter: str) -> dict:
    largest = max(counts.values(), default=0) or 1
    changelist = reverse("admin:claims_claim_changelist")
    bars = [
        Bar(
            value=value,
            label=str(label),
            count=counts.get(value, 0),
            # A non-zero count always shows a sliver of bar.
            width=max(2, round(BAR_WIDTH * counts.get(value, 0) / largest)) if counts.get(value) else 0,
            y=index * ROW_HEIGHT,
            url=f"{changelist}?{parameter}__exact={value}",
        )
        for index, (value, label) in enumerate(choices)
    ]
    return {"bars": bars, "height": len(bars) * ROW_HEIGHT, "total": sum(counts.values())}


def dashboard(user) -> dict:
    """Counts for the index page; ``queue`` is the viewer's review queue length."""
    by_status = (
        Claim.objects.order_by()
        .values("status")
        .annotate(
            n=Count("id"),
            attention=Count("id", filter=Q(needs_attention=True)),
            mine=Count("id", filter=Q(author_id=user.pk)),
        )
    )
    status_counts: dict[str, int] = {}
    attention = 0
    queue = None
    for row in by_status:
        status_counts[row["status"]] = row["n"]
        attention += row["attention"]
        if row["status"] == Claim.Status.IN_REVIEW and is_reviewer(user):
            queue = row["n"] - row["mine"]
    if queue is None and is_reviewer(user):
        queue = 0
    verdict_counts = dict(Claim.objects.order_by().values_list("verdict").annotate(n=Count("id")))
    changelist = reverse("admin:claims_claim_changelist")
    return {
        "status": _bars(status_counts, Claim.Status.choices, "status"),
        "verdict": _bars(verdict_counts, Claim.Verdict.choices, "verdict"),
        "attention": attention,
        "attention_url": f"{changelist}?needs_attention=1",
        "queue": queue,
        "queue_url": reverse("admin:claims_claim_review_queue"),
        "bar_width": BAR_WIDTH,
        "row_height": ROW_HEIGHT,
    }
