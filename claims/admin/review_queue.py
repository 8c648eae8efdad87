"""The review queue: in-review claims the reviewer may decide, oldest submission first.

A reviewer never sees claims they wrote or changed here (the four-eyes rule); each claim comes with its
evidence quotes and the three decisions, so that most reviews take one page and one click.
After a decision the reviewer is back where they were: same page, same order and filters,
at the next claim. The newest submissions are one click away (order), and the queue can be
narrowed by verdict and to claims needing attention. The page costs a fixed number of
queries, whatever its length.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from project.admin import EstimatedCountPaginator
from sources.models import with_source_titles

from .. import selectors
from ..models import Claim, Evidence, Review
from ..services import readiness_problem
from ..roles import is_reviewer
from .moderation import LABELS

PAGE_SIZE = 20
DECISIONS = (Review.Action.APPROVE, Review.Action.REQUEST_CHANGES, Review.Action.REJECT)


def review_queue(user) -> QuerySet[Claim]:
    """In-review claims ``user`` may decide (``selectors.review_queue``)."""
    return selectors.review_queue(user)


# The queue's claims are counted up to this many, then it says "1,000+" (each one is
# checked against the reviewer's contributions: counting 100,000 would take a while). The
# index, the claim list's link and the queue page all say it so: the queue page counted to
# 10,000 and said "6,357 claims waiting" where the others said "1,000+".
QUEUE_COUNT_CAP = 1_000


def count_label(count: int, *, capped: bool) -> str:
    """A count of the queue as every page writes it: "42", or "1,000+" past the cap."""
    return f"{count:,}+" if capped else f"{count:,}"


def review_queue_count(user) -> str:
    """The queue's size as the index and the claim list's link show it: "42", or "1,000+"."""
    counted = review_queue(user).order_by().values("pk")[: QUEUE_COUNT_CAP + 1].count()
    return count_label(min(counted, QUEUE_COUNT_CAP), capped=counted > QUEUE_COUNT_CAP)


ORDERS = {"oldest": ("submitted_at", "id"), "newest": ("-submitted_at", "-id")}


def queue_options(request: HttpRequest) -> dict[str, str]:
    """The queue's order and filters from the query string; unknown values are ignored."""
    options = {}
    if request.GET.get("o") in ORDERS and request.GET["o"] != "oldest":
        options["o"] = request.GET["o"]
    if request.GET.get("verdict") in Claim.Verdict.values:
        options["verdict"] = request.GET["verdict"]
    if request.GET.get("attention") == "1":
        options["attention"] = "1"
    return options


def filtered_queue(user, options: dict[str, str]) -> QuerySet[Claim]:
    claims = review_queue(user).order_by(*ORDERS[options.get("o", "oldest")])
    if "verdict" in options:
        claims = claims.filter(verdict=options["verdict"])
    if "attention" in options:
        claims = claims.filter(needs_attention=True)
    return claims


def approval_refusal(claim: Claim) -> str:
    """Why approving ``claim`` would be refused (``services.readiness_problem``, asked of the
    evidence the page holds, without a query), or "": the button is not offered to fail."""
    evidence = [(item.stance, item.span.anchor_state) for item in claim.evidence.all()]
    problem = readiness_problem(claim, Review.Action.APPROVE, evidence)
    return problem.message if problem else ""


def review_queue_view(model_admin, request: HttpRequest) -> HttpResponse:
    if not is_reviewer(request.user):
        raise PermissionDenied
    options = queue_options(request)
    claims = filtered_queue(request.user, options).select_related("author").prefetch_related(
        Prefetch("evidence", queryset=with_source_titles(Evidence.objects, "span__source").order_by("id")),
        "entities",
    )
    # Counted as the index counts the queue: its pages go as far as the cap, and the newest
    # first order and the filters reach the rest.
    page = EstimatedCountPaginator(claims, PAGE_SIZE, count_cap=QUEUE_COUNT_CAP).get_page(request.GET.get("p"))
    base_url = reverse("admin:claims_claim_review_queue")
    here = {**options, **({"p": str(page.number)} if page.number > 1 else {})}
    queue_url = f"{base_url}?{urlencode(here)}" if here else base_url
    claims_on_page = list(page.object_list)
    # Where each decision returns: the claim after it on this page (the one before, for the
    # last), so the reviewer goes on from where they were.
    following = {
        claim.pk: (claims_on_page[index + 1] if index + 1 < len(claims_on_page) else claims_on_page[index - 1] if index else None)
        for index, claim in enumerate(claims_on_page)
    }
    items = [
        {
            "claim": claim,
            "next_url": f"{queue_url}#claim-{following[claim.pk].pk}" if following[claim.pk] else queue_url,
            "change_url": reverse("admin:claims_claim_change", args=[claim.pk]),
            "decisions": [
                {
                    "action": action,
                    "label": LABELS[action][0],
                    "tone": LABELS[action][1],
                    "url": reverse("admin:claims_claim_moderate", args=[claim.pk, action.replace("_", "-")]),
                    "refused": approval_refusal(claim) if action == Review.Action.APPROVE else "",
                }
                for action in DECISIONS
            ],
        }
        for claim in claims_on_page
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Claim._meta,
        "title": "Review queue",
        "page": page,
        "count": count_label(page.paginator.count, capped=page.paginator.capped),
        "items": items,
        "queue_url": queue_url,
        "options": options,
        "filtered": bool(set(options) - {"o"}),
        "page_query": urlencode(options),
        "orders": [("oldest", "Oldest first"), ("newest", "Newest first")],
        "verdicts": Claim.Verdict.choices,
        "media": model_admin.media,
    }
    return TemplateResponse(request, "admin/claims/claim/review_queue.html", context)
