"""The review queue: in-review claims the reviewer may decide, oldest submission first.

A reviewer never sees their own claims here (the four-eyes rule); each claim comes with its
evidence quotes and the three decisions, so that most reviews take one page and one click.
The page costs a fixed number of queries, whatever its length.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from .. import selectors
from ..models import Claim, Evidence, Review
from ..roles import is_reviewer
from .moderation import LABELS

PAGE_SIZE = 20
DECISIONS = (Review.Action.APPROVE, Review.Action.REQUEST_CHANGES, Review.Action.REJECT)


def review_queue(user) -> QuerySet[Claim]:
    """In-review claims ``user`` may decide (``selectors.review_queue``)."""
    return selectors.review_queue(user)


def review_queue_count(user) -> int:
    return review_queue(user).count()


def review_queue_view(model_admin, request: HttpRequest) -> HttpResponse:
    if not is_reviewer(request.user):
        raise PermissionDenied
    claims = review_queue(request.user).select_related("author").prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.select_related("span__source").order_by("id")),
        "entities",
    )
    page = Paginator(claims, PAGE_SIZE).get_page(request.GET.get("p"))
    queue_url = reverse("admin:claims_claim_review_queue")
    items = [
        {
            "claim": claim,
            "change_url": reverse("admin:claims_claim_change", args=[claim.pk]),
            "decisions": [
                {
                    "action": action,
                    "label": LABELS[action][0],
                    "tone": LABELS[action][1],
                    "url": reverse("admin:claims_claim_moderate", args=[claim.pk, action.replace("_", "-")]),
                }
                for action in DECISIONS
            ],
        }
        for claim in page.object_list
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Claim._meta,
        "title": "Review queue",
        "page": page,
        "items": items,
        "queue_url": f"{queue_url}?p={page.number}" if page.number > 1 else queue_url,
        "media": model_admin.media,
    }
    return TemplateResponse(request, "admin/claims/claim/review_queue.html", context)
