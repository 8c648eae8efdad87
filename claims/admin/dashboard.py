"""The admin index: "My work", then claims by status and by verdict, with server-rendered
SVG bars.

"My work" is what waits on the viewer: for a reviewer, the claims waiting for their
decision first (the oldest of their review queue); then the viewer's claims sent back with
the reviewer's comment, their drafts, and their claims needing attention. An analyst sees
those three parts always (each says what to do when it is empty); a reviewer only those
that hold a claim.

A fixed number of queries, whatever the number of claims: one grouped by status (which also
counts the claims needing attention and the viewer's own claims), one grouped by verdict,
one short list for each part of "My work", the comments of the claims sent back, and for a
reviewer the queue's count (``selectors.review_queue``: the one rule of who may decide).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from .. import selectors
from ..models import Claim, Review
from ..roles import is_reviewer
from .review_queue import review_queue_count

MY_WORK_LENGTH = 5

# The charts' layout, in SVG user units (drawn at one unit a pixel, 11 px text): labels end
# at LABEL_END, bars start at BAR_START, and each count is right-aligned at CHART_WIDTH, its
# column as wide as the longest count of both charts needs ("18,775,000" as much as "7"):
# drawn at a fixed place, a count past 999 lost its last digits at the chart's edge.
CHART_WIDTH = 270
LABEL_END = 114
BAR_START = 120
COUNT_GAP = 6
ROW_HEIGHT = 26
# The advance of a digit and of a comma of 11 px bold text, generously (DejaVu Sans Bold,
# the widest of the admin's fonts: 7.66 and 3.49 px).
DIGIT_WIDTH = 7.8
COMMA_WIDTH = 4.2


@dataclass(frozen=True)
class Bar:
    value: str
    label: str
    count: int
    width: int
    y: int
    url: str


def count_width(count: int) -> int:
    """The width ``count`` takes written as the site writes numbers ("50,085")."""
    written = f"{count:,}"
    return math.ceil(sum(COMMA_WIDTH if character == "," else DIGIT_WIDTH for character in written))


def bar_width(*counts: dict[str, int]) -> int:
    """The length of the longest bar: what the longest count of all the charts leaves."""
    widest = max((count_width(count) for chart in counts for count in chart.values()), default=count_width(0))
    return CHART_WIDTH - BAR_START - COUNT_GAP - widest


def _bars(counts: dict[str, int], choices, parameter: str, longest: int) -> dict:
    largest = max(counts.values(), default=0) or 1
    changelist = reverse("admin:claims_claim_changelist")
    bars = [
        Bar(
            value=value,
            label=str(label),
            count=counts.get(value, 0),
            # A non-zero count always shows a sliver of bar.
            width=max(2, round(longest * counts.get(value, 0) / largest)) if counts.get(value) else 0,
            y=index * ROW_HEIGHT,
            url=f"{changelist}?{parameter}__exact={value}",
        )
        for index, (value, label) in enumerate(choices)
    ]
    return {
        "bars": bars,
        "height": len(bars) * ROW_HEIGHT,
        "total": sum(counts.values()),
        "width": CHART_WIDTH,
        "label_end": LABEL_END,
        "bar_start": BAR_START,
        "bar_width": longest,
    }


def dashboard(user) -> dict:
    """Counts for the index page; ``queue`` is the viewer's review queue length."""
    by_status = (
        Claim.objects.order_by()
        .values("status")
        .annotate(
            n=Count("id"),
            attention=Count("id", filter=Q(needs_attention=True)),
            mine=Count("id", filter=Q(author_id=user.pk)),
            mine_attention=Count("id", filter=Q(author_id=user.pk, needs_attention=True)),
        )
    )
    status_counts: dict[str, int] = {}
    mine: dict[str, int] = {}
    attention = mine_attention = 0
    for row in by_status:
        status_counts[row["status"]] = row["n"]
        mine[row["status"]] = row["mine"]
        attention += row["attention"]
        mine_attention += row["mine_attention"]
    queue = review_queue_count(user) if is_reviewer(user) else None
    verdict_counts = dict(Claim.objects.order_by().values_list("verdict").annotate(n=Count("id")))
    changelist = reverse("admin:claims_claim_changelist")
    longest = bar_width(status_counts, verdict_counts)
    return {
        "status": _bars(status_counts, Claim.Status.choices, "status", longest),
        "verdict": _bars(verdict_counts, Claim.Verdict.choices, "verdict", longest),
        "attention": attention,
        "attention_url": f"{changelist}?needs_attention=1",
        "queue": queue,
        "queue_url": reverse("admin:claims_claim_review_queue"),
        "my_work": my_work(user, mine, mine_attention, queue=queue),
    }


def _submitted(claim: Claim, *, by: bool) -> str:
    """"by analyst, submitted 3 hours ago" ("just now" within the minute); without the
    author (``by``) on the author's own claims."""
    author = f"by {claim.author.get_username() if claim.author_id else '—'}" if by else ""
    if claim.submitted_at is None:
        return author
    when = "just now" if timezone.now() - claim.submitted_at < timedelta(minutes=1) else f"{timesince(claim.submitted_at)} ago"
    return f"{author}, submitted {when}" if by else f"Submitted {when}"


def _review_part(user, count: str) -> dict:
    """The oldest claims of the reviewer's queue, as the queue orders them, each with its
    author and when it was submitted."""
    claims = selectors.review_queue(user).select_related("author").only(
        "id", "text", "status", "submitted_at", "author__username"
    )[:MY_WORK_LENGTH]
    return {
        "key": "review",
        "title": "Waiting for your review",
        "empty": "Your review queue is empty: no claim waits for your decision.",
        "count": count,
        "more": count != f"{len(claims)}",
        "claims": list(claims),
        "url": reverse("admin:claims_claim_review_queue"),
    }


def my_work(user, counts: dict[str, int], attention: int, *, queue: str | None = None) -> list[dict]:
    """What waits on the viewer: for a reviewer (``queue``, the queue's count), the claims
    waiting for their decision; then their claims sent back (with the reviewer's comment),
    their drafts, and their claims whose evidence lost its words, newest change first, and
    their claims waiting for a reviewer, oldest submission first (a reviewer sees only those
    of these that hold a claim)."""
    changelist = reverse("admin:claims_claim_changelist")
    mine = Claim.objects.filter(author_id=user.pk).only("id", "text", "status", "updated_at").order_by("-updated_at", "-id")
    parts = [
        {
            "key": "changes_requested",
            "title": "Sent back to you",
            "empty": "No claim is waiting for your changes.",
            "count": counts.get(Claim.Status.CHANGES_REQUESTED, 0),
            "claims": list(mine.filter(status=Claim.Status.CHANGES_REQUESTED)[:MY_WORK_LENGTH]),
            "url": f"{changelist}?author=me&status__exact={Claim.Status.CHANGES_REQUESTED}",
        },
        {
            "key": "draft",
            "title": "Your drafts",
            "empty": "No drafts: select a passage in a source to start a claim.",
            "count": counts.get(Claim.Status.DRAFT, 0),
            "claims": list(mine.filter(status=Claim.Status.DRAFT)[:MY_WORK_LENGTH]),
            "url": f"{changelist}?author=me&status__exact={Claim.Status.DRAFT}",
        },
        {
            "key": "attention",
            "title": "Need your attention",
            "empty": "None of your claims lost its evidence.",
            "count": attention,
            "claims": list(mine.filter(needs_attention=True)[:MY_WORK_LENGTH]),
            "url": f"{changelist}?author=me&needs_attention=1",
        },
        {
            "key": "in_review",
            "title": "Waiting for a review",
            "empty": "None of your claims waits for a reviewer.",
            "count": counts.get(Claim.Status.IN_REVIEW, 0),
            "claims": list(
                mine.filter(status=Claim.Status.IN_REVIEW).only("id", "text", "status", "submitted_at").order_by("submitted_at", "id")[:MY_WORK_LENGTH]
            ),
            "url": f"{changelist}?author=me&status__exact={Claim.Status.IN_REVIEW}",
        },
    ]
    for part in parts:
        part["more"] = part["count"] > len(part["claims"])
    sent_back = [claim.pk for claim in parts[0]["claims"]]
    comments: dict[int, Review] = {}
    if sent_back:
        for review in (
            Review.objects.filter(claim_id__in=sent_back, action=Review.Action.REQUEST_CHANGES)
            .select_related("actor")
            .order_by("created_at", "id")
        ):
            comments[review.claim_id] = review  # the latest wins
    if queue is not None:
        parts = [_review_part(user, queue), *(part for part in parts if part["count"])]
    for part in parts:
        part["items"] = [
            {
                "claim": claim,
                "url": reverse("admin:claims_claim_change", args=[claim.pk]),
                "request": comments.get(claim.pk) if part["key"] == "changes_requested" else None,
                "submitted": _submitted(claim, by=part["key"] == "review") if part["key"] in ("review", "in_review") else "",
            }
            for claim in part.pop("claims")
        ]
    return parts
