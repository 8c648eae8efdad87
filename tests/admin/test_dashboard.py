"""The admin index: counts by status and by verdict, with SVG bars, in a few queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_index_shows_counts_by_status_and_verdict(client_for, analyst, reviewer, make_claim):
    make_claim(analyst, status="published", reviewer=reviewer)
    make_claim(analyst, status="in_review", text="Second.")
    make_claim(analyst, status="draft", text="Third.", verdict="refuted", stance="refutes")
    response = client_for(reviewer).get(reverse("admin:index"))
    dashboard = response.context["dashboard"]
    by_status = {bar.value: bar.count for bar in dashboard["status"]["bars"]}
    by_verdict = {bar.value: bar.count for bar in dashboard["verdict"]["bars"]}
    assert by_status == {"draft": 1, "in_review": 1, "changes_requested": 0, "published": 1, "rejected": 0, "retracted": 0}
    assert by_verdict["supported"] == 2 and by_verdict["refuted"] == 1
    assert dashboard["queue"] == "1"
    html = response.content.decode()
    assert html.count("<svg") >= 2 and "cb-fill-status-published" in html
    assert reverse("admin:claims_claim_review_queue") in html


def test_analysts_see_counts_but_no_queue(client_for, analyst, make_claim):
    make_claim(analyst)
    response = client_for(analyst).get(reverse("admin:index"))
    assert response.context["dashboard"]["queue"] is None
    assert "Waiting for your review" not in response.content.decode()
    assert [part["key"] for part in response.context["dashboard"]["my_work"]] == ["changes_requested", "draft", "attention", "in_review"]


def test_dashboard_costs_the_same_queries_whatever_the_number_of_claims(client_for, analyst, reviewer, make_claim):
    client = client_for(reviewer)
    make_claim(analyst)
    client.get(reverse("admin:index"))  # warm up: session, content types
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("admin:index"))
    for n in range(6):
        make_claim(analyst, status="in_review", text=f"More {n}.", verdict=["supported", "refuted"][n % 2], stance=["supports", "refutes"][n % 2])
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("admin:index"))
    assert len(many) == len(few)
    claim_queries = [q["sql"] for q in many.captured_queries if '"claims_claim"' in q["sql"]]
    # by status, by verdict, the four parts of "My work", the queue's count and its oldest
    assert len(claim_queries) == 8


def test_my_work_lists_drafts_claims_sent_back_with_the_comment_and_claims_needing_attention(
    client_for, analyst, analyst2, reviewer, make_claim
):
    from claims import services
    from claims.models import Claim

    draft = make_claim(analyst, text="My draft.")
    sent_back = make_claim(analyst, status="in_review", text="Sent back.")
    services.claim_request_changes(claim=sent_back, user=reviewer, comment="Name the source of the figure.")
    orphaned = make_claim(analyst, status="published", reviewer=reviewer, text="Lost its words.")
    Claim.objects.filter(pk=orphaned.pk).update(needs_attention=True)
    others = make_claim(analyst2, text="Someone else's draft.")
    response = client_for(analyst).get(reverse("admin:index"))
    parts = {part["key"]: part for part in response.context["dashboard"]["my_work"]}
    assert [item["claim"].pk for item in parts["draft"]["items"]] == [draft.pk]
    assert [item["claim"].pk for item in parts["changes_requested"]["items"]] == [sent_back.pk]
    assert parts["changes_requested"]["items"][0]["request"].comment == "Name the source of the figure."
    assert [item["claim"].pk for item in parts["attention"]["items"]] == [orphaned.pk]
    html = response.content.decode()
    assert "My work" in html and "Name the source of the figure." in html
    assert others.text not in html.split("cb-my-work")[1].split("cb-dashboard")[0]


def test_the_index_lists_the_domain_before_users_and_tokens(client_for, superuser):
    app_list = client_for(superuser).get("/admin/").context["app_list"]
    assert [app["app_label"] for app in app_list[:3]] == ["claims", "sources", "feed"]
    rest = [str(app["name"]) for app in app_list[3:]]
    assert "Authentication and Authorization" in rest and rest == sorted(rest, key=str.lower)


def test_a_reviewer_sees_the_claims_waiting_for_their_decision_first(client_for, analyst, reviewer, reviewer2, make_claim):
    """The oldest of the queue, as the queue orders them, with author and submission; the
    analyst's parts only when they hold a claim (a reviewer without drafts sees none)."""
    from claims import services
    from claims.models import ClaimContributor

    older = make_claim(analyst, status="in_review", text="Submitted first.")
    newer = make_claim(analyst, status="in_review", text="Submitted second.")
    own = make_claim(reviewer, status="in_review", text="The reviewer's own claim.")
    # One the reviewer changed: the four-eyes rule keeps it from their queue, and the count.
    ClaimContributor.objects.get_or_create(claim=make_claim(analyst, status="in_review", text="Touched."), user=reviewer)
    response = client_for(reviewer).get(reverse("admin:index"))
    parts = response.context["dashboard"]["my_work"]
    # Their own claim in review is theirs to wait for, not to decide.
    assert [part["key"] for part in parts] == ["review", "in_review"]
    assert [item["claim"].pk for item in parts[0]["items"]] == [older.pk, newer.pk]
    assert [item["claim"].pk for item in parts[1]["items"]] == [own.pk]
    assert parts[0]["count"] == "2" == response.context["dashboard"]["queue"]
    html = response.content.decode()
    assert "Waiting for your review" in html and f"by {analyst.username}, submitted just now" in html
    assert "Touched." not in html
    # A draft of their own shows its part; the empty ones stay hidden.
    make_claim(reviewer, text="A reviewer's draft.")
    parts = client_for(reviewer).get(reverse("admin:index")).context["dashboard"]["my_work"]
    assert [part["key"] for part in parts] == ["review", "draft", "in_review"]
    # An empty queue says so.
    for claim in (older, newer):
        services.claim_reject(claim=claim, user=reviewer2, comment="Not checkable as written.")
    response = client_for(reviewer).get(reverse("admin:index"))
    assert response.context["dashboard"]["my_work"][0]["count"] == "0"
    assert "Your review queue is empty" in response.content.decode()


def test_an_analyst_sees_their_claims_waiting_for_a_review_and_no_alarm_on_empty_parts(client_for, analyst, make_claim):
    first = make_claim(analyst, status="in_review", text="Submitted first.")
    second = make_claim(analyst, status="in_review", text="Submitted second.")
    response = client_for(analyst).get(reverse("admin:index"))
    parts = {part["key"]: part for part in response.context["dashboard"]["my_work"]}
    assert [item["claim"].pk for item in parts["in_review"]["items"]] == [first.pk, second.pk]
    assert parts["in_review"]["items"][0]["submitted"] == "Submitted just now"
    html = response.content.decode()
    assert "Waiting for a review" in html
    # "Need your attention" holds nothing: its part is drawn as quiet, not in red.
    assert 'class="cb-my-work-part cb-my-work-attention cb-my-work-none"' in html
    assert 'class="cb-my-work-part cb-my-work-in_review"' in html
    assert "View site" not in html


def _chart(html: str, title: str) -> str:
    return html.split(f"<figcaption>{title}</figcaption>")[1].split("</svg>")[0]


def test_counts_past_999_are_written_whole_with_thousands_separated(client_for, analyst, reviewer):
    """A count was drawn at a fixed place near the chart's edge: "18775" showed as "187"."""
    from claims.models import Claim

    Claim.objects.bulk_create(Claim(text=f"Claim {n}.", author=analyst) for n in range(1_234))
    html = client_for(reviewer).get(reverse("admin:index")).content.decode()
    chart = _chart(html, "By status")
    assert '<title>Draft: 1,234</title>' in chart
    assert re.search(r'<text x="(\d+)" [^>]*text-anchor="end" class="cb-bar-count">1,234</text>', chart)
    assert re.search(r'<span class="cb-card-number">1,234</span>\s*<span class="cb-card-label">claims in all', html)


@pytest.mark.parametrize("largest", [7, 999, 50_085, 18_775_000, 99_999_999])
def test_each_count_has_the_room_its_digits_need_beside_the_bars(largest):
    """The longest bar ends before the widest count starts, and that count ends in the chart."""
    from claims.admin import dashboard

    longest = dashboard.bar_width({"draft": largest, "published": 3}, {"supported": 1})
    widest = dashboard.count_width(largest)
    assert f"{largest:,}" in {"7", "999", "50,085", "18,775,000", "99,999,999"}
    assert dashboard.BAR_START + longest + dashboard.COUNT_GAP + widest <= dashboard.CHART_WIDTH
    assert longest >= 60  # still a chart
