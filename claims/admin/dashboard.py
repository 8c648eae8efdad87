"""The admin index: "My work" (the viewer's drafts, claims sent back with the reviewer's
comment, claims needing attention), then claims by status and by verdict, with
server-rendered SVG bars.

A fixed number of queries, whatever the number of claims: one grouped by status (which also
counts the claims needing attention and the viewer's own claims), one grouped by verdict,
one short list for each part of "My work", and the comments of the claims sent back.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse

from ..models import Claim, Review
from ..roles import is_reviewer

MY_WORK_LENGTH = 5

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
            mine_attention=Count("id", filter=Q(author_id=user.pk, needs_attention=True)),
        )
    )
    status_counts: dict[str, int] = {}
    mine: dict[str, int] = {}
    attention = mine_attention = 0
    queue = None
    for row in by_status:
        status_counts[row["status"]] = row["n"]
        mine[row["status"]] = row["mine"]
        attention += row["attention"]
        mine_attention += row["mine_attention"]
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
        "my_work": my_work(user, mine, mine_attention),
    }


def my_work(user, counts: dict[str, int], attention: int) -> list[dict]:
    """The viewer's claims that wait on them: drafts, claims sent back (with the
    reviewer's comment), and claims whose evidence lost its words. Newest change first."""
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
    ]
    sent_back = [claim.pk for claim in parts[0]["claims"]]
    comments: dict[int, Review] = {}
    if sent_back:
        for review in (
            Review.objects.filter(claim_id__in=sent_back, action=Review.Action.REQUEST_CHANGES)
            .select_related("actor")
            .order_by("created_at", "id")
        ):
            comments[review.claim_id] = review  # the latest wins
    for part in parts:
        part["items"] = [
            {
                "claim": claim,
                "url": reverse("admin:claims_claim_change", args=[claim.pk]),
                "request": comments.get(claim.pk) if part["key"] == "changes_requested" else None,
            }
            for claim in part.pop("claims")
        ]
    return parts
