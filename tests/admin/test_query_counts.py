"""Lists cost a fixed number of queries, whatever the number of rows: no query per row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import services
from claims.admin.claim import ClaimAdmin
from sources.admin import SourceAdmin, SpanAdmin
from sources.services import source_create, span_create

from ..support import SAMPLE_TEXT

pytestmark = pytest.mark.django_db

PAGES = [
    "admin:claims_claim_changelist",
    "admin:claims_evidence_changelist",
    "admin:claims_review_changelist",
    "admin:claims_claim_review_queue",
    "admin:sources_source_changelist",
    "admin:sources_span_changelist",
    "admin:index",
]


def add_rows(analyst, reviewer, count: int, offset: int = 0) -> None:
    """``count`` more sources, each with a span cited by an in-review claim with a review."""
    for n in range(offset, offset + count):
        source = source_create(user=analyst, title=f"Source {n}", text=f"Document {n}. " + SAMPLE_TEXT)
        claim = services.claim_create(
            author=analyst,
            text=f"Claim number {n}.",
            verdict="supported",
            confidence="high",
            evidence=[services.EvidenceInput(source=source, quote="Moscow later said", stance="supports")],
        )
        services.claim_transition(claim=claim, user=analyst, action="submit")


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", PAGES)
def test_list_queries_do_not_grow_with_rows(client_for, analyst, reviewer, name):
    client = client_for(reviewer)
    url = reverse(name)
    add_rows(analyst, reviewer, 2)
    client.get(url)  # warm caches (content types, session)
    few = queries(client, url)
    add_rows(analyst, reviewer, 12, offset=2)
    many = queries(client, url)
    assert many == few, f"{name}: {few} queries with 2 rows, {many} with 14"


def test_source_page_queries_do_not_grow_with_spans(client_for, analyst, reviewer):
    source = source_create(user=analyst, title="Many spans", text=SAMPLE_TEXT * 4)
    client = client_for(analyst)
    url = reverse("admin:sources_source_change", args=[source.pk])

    def cite(start: int, end: int) -> None:
        span, _ = span_create(source=source, start=start, end=end)
        services.claim_create(author=analyst, text=f"Cites {start}.", evidence=[services.EvidenceInput(span=span)])

    cite(0, 6)
    client.get(url)
    few = queries(client, url)
    for start in range(10, 130, 10):
        cite(start, start + 5)
    assert queries(client, url) == few


def test_lists_are_configured_for_scale():
    for model_admin in (ClaimAdmin, SourceAdmin, SpanAdmin):
        assert model_admin.show_full_result_count is False
        assert model_admin.list_select_related not in (False, True)


def test_paginator_counts_exactly_unless_a_large_postgresql_table_is_unfiltered(analyst, reviewer, monkeypatch):
    from claims.models import Claim
    from project import admin as project_admin
    from project.admin import EstimatedCountPaginator

    add_rows(analyst, reviewer, 3)
    assert EstimatedCountPaginator(Claim.objects.all(), 50).count == 3
    assert EstimatedCountPaginator(Claim.objects.filter(status="draft"), 50).count == 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE claims_claim")
        monkeypatch.setattr(project_admin, "ESTIMATE_THRESHOLD", 1)
        add_rows(analyst, reviewer, 1, offset=3)
        # The planner's estimate (from the last ANALYZE) stands in; filtered lists count.
        assert EstimatedCountPaginator(Claim.objects.all(), 50).count == 3
        assert EstimatedCountPaginator(Claim.objects.filter(status="in_review"), 50).count == 4


def test_a_filtered_list_counts_up_to_the_cap_and_then_says_more_than(analyst, reviewer, client_for, superuser, monkeypatch):
    from claims.models import Claim
    from project import admin as project_admin
    from project.admin import EstimatedCountPaginator

    add_rows(analyst, reviewer, 4)
    monkeypatch.setattr(project_admin, "COUNT_CAP", 3)
    paginator = EstimatedCountPaginator(Claim.objects.filter(status="in_review").order_by("-created_at"), 2)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (3, True, 2)
    exact = EstimatedCountPaginator(Claim.objects.filter(status="in_review", text__contains="number 1"), 2)
    assert (exact.count, exact.capped) == (1, False)

    client = client_for(superuser)
    url = reverse("admin:claims_claim_changelist")
    page = client.get(url, {"status__exact": "in_review"}).content.decode()
    assert "More than 3 claims" in page
    searched = client.get(url, {"status__exact": "in_review", "q": "claim"}).content.decode()
    assert "More than 3 results" in searched
    assert "More than" not in client.get(url, {"status__exact": "in_review", "q": "Claim number 2"}).content.decode()
    # A search alone is counted in the index, up to the cap too.
    assert "More than 3 results" in client.get(url, {"q": "claim"}).content.decode()
    assert "1 result" in client.get(url, {"q": "Claim number 2"}).content.decode()


@pytest.mark.parametrize("capped", [True, False])
def test_counts_over_a_thousand_have_their_thousands_separated(capped):
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    cl = SimpleNamespace(
        result_count=12345, paginator=SimpleNamespace(capped=capped), opts=SimpleNamespace(verbose_name="claim", verbose_name_plural="claims"),
        show_all=False, can_show_all=False, multi_page=False, formset=None, list_editable=(),
    )
    html = render_to_string("admin/pagination.html", {"cl": cl, "pagination_required": False, "page_range": []})
    assert ("More than 12,345 claims" if capped else "12,345 claims") in html and "12345" not in html
