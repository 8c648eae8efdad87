"""The claim list's date drill-down: years, months, days from MIN/MAX, never a scan."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.models import Claim

pytestmark = pytest.mark.django_db

URL = "/admin/claims/claim/"


@pytest.fixture
def spread_claims(make_claim, analyst):
    """Three claims created in March 2024, March 2024 and June 2025."""
    claims = [make_claim(analyst, text=f"Claim {n}.") for n in range(3)]
    moments = [(2024, 3, 5), (2024, 3, 20), (2025, 6, 1)]
    for claim, (year, month, day) in zip(claims, moments):
        at = timezone.make_aware(datetime.datetime(year, month, day, 12))
        Claim.objects.filter(pk=claim.pk).update(created_at=at)
    return claims


def test_years_span_the_first_to_the_last_claim(client_for, superuser, spread_claims):
    with CaptureQueriesContext(connection) as queries:
        response = client_for(superuser).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "created_at__year=2024" in body and "created_at__year=2025" in body
    # No per-row date truncation: Django's own drill-down runs SELECT DISTINCT over dates.
    assert not [q["sql"] for q in queries.captured_queries if "DISTINCT" in q["sql"].upper()]


def test_a_year_offers_its_months_between_first_and_last(client_for, superuser, spread_claims):
    body = client_for(superuser).get(URL, {"created_at__year": 2024}).content.decode()
    assert "created_at__month=3" in body
    assert "created_at__month=4" not in body
    assert "Claim 2." not in body  # the June 2025 claim is filtered out
    assert "Claim 0." in body and "Claim 1." in body


def test_a_month_offers_its_days_and_a_day_filters_the_list(client_for, superuser, spread_claims):
    client = client_for(superuser)
    body = client.get(URL, {"created_at__year": 2024, "created_at__month": 3}).content.decode()
    assert "created_at__day=5" in body and "created_at__day=20" in body
    assert "created_at__day=4&" not in body and "created_at__day=21" not in body
    day = client.get(URL, {"created_at__year": 2024, "created_at__month": 3, "created_at__day": 5})
    assert "Claim 0." in day.content.decode() and "Claim 1." not in day.content.decode()


def test_an_empty_list_shows_no_drill_down(client_for, superuser):
    response = client_for(superuser).get(URL)
    assert response.status_code == 200
    assert "created_at__year=" not in response.content.decode()
