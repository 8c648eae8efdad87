"""Cursor pagination: complete, stable, bounded page sizes, constant query count."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.models import Claim, Entity, Evidence
from claims.views import ClaimViewSet
from sources.services import span_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_claims(analyst, reviewer, source):
    """``many_claims(n)``: n claims with two evidence rows and two entities each; every third
    is published, and several share a creation time (ties are broken by id)."""
    spans = [span_create(source=source, user=analyst, quote=quote)[0] for quote in ("Moscow", "“Curly quotes”")]
    entities = [Entity.objects.create(name=name, slug=name.lower()) for name in ("Iran", "Russia")]

    def make(count: int) -> list[Claim]:
        base = timezone.now() - datetime.timedelta(days=1)
        claims = Claim.objects.bulk_create(
            Claim(
                text=f"Claim number {number}.",
                author=analyst,
                created_at=base + datetime.timedelta(seconds=number // 3),
                **(
                    {"status": "published", "reviewer": reviewer, "confidence": "high", "verdict": "supported",
                     "published_at": base + datetime.timedelta(minutes=number % 7)}
                    if number % 3 == 0 else {}
                ),
            )
            for number in range(count)
        )
        Evidence.objects.bulk_create(
            Evidence(claim=claim, span=span, stance="supports") for claim in claims for span in spans
        )
        Claim.entities.through.objects.bulk_create(
            Claim.entities.through(claim=claim, entity=entity) for claim in claims for entity in entities
        )
        # auto_now_add ignored the given creation times; set them as intended.
        for claim in claims:
            Claim.objects.filter(pk=claim.pk).update(created_at=claim.created_at)
        return claims

    return make


def _walk(client, url):
    """Follow ``next`` links to the end; then ``previous`` links back to the start."""
    pages, seen = [], []
    while url:
        body = client.get(url).json()
        pages.append(body)
        seen.extend(row["id"] for row in body["results"])
        url = body["next"]
    back = []
    url = pages[-1]["previous"]
    while url:
        body = client.get(url).json()
        back = [row["id"] for row in body["results"]] + back
        url = body["previous"]
    return seen, back + [row["id"] for row in pages[-1]["results"]], len(pages)


@pytest.mark.parametrize(
    "ordering", ["-created_at", "created_at", "-published_at", "published_at", "id", "-updated_at"]
)
def test_walking_the_cursors_visits_every_claim_once_in_order(client_for, analyst, many_claims, ordering):
    many_claims(23)
    client = client_for(analyst)
    expected = [row["id"] for row in client.get(f"/api/v1/claims/?ordering={ordering}&page_size=200").json()["results"]]
    forward, backward, pages = _walk(client, f"/api/v1/claims/?ordering={ordering}&page_size=5")
    assert forward == expected and backward == expected
    assert len(set(forward)) == 23 and pages == 5


def test_default_order_is_newest_first(client_for, analyst, many_claims):
    claims = many_claims(6)
    rows = client_for(analyst).get("/api/v1/claims/").json()["results"]
    expected = sorted(claims, key=lambda claim: (claim.created_at, claim.pk), reverse=True)
    assert [row["id"] for row in rows] == [claim.pk for claim in expected]


def test_first_page_has_no_previous_and_last_no_next(client_for, analyst, many_claims):
    many_claims(3)
    body = client_for(analyst).get("/api/v1/claims/?page_size=3").json()
    assert body["previous"] is None and body["next"] is None and len(body["results"]) == 3


def test_filters_survive_in_the_links(client_for, analyst, many_claims):
    many_claims(12)
    body = client_for(analyst).get("/api/v1/claims/?status=published&page_size=2").json()
    query = parse_qs(urlsplit(body["next"]).query)
    assert query["status"] == ["published"] and query["page_size"] == ["2"]


@pytest.mark.parametrize(
    "size, status", [("200", 200), ("1", 200), ("201", 400), ("0", 400), ("-3", 400), ("ten", 400)]
)
def test_page_size_is_1_to_200(anonymous, size, status):
    response = anonymous.get(f"/api/v1/claims/?page_size={size}")
    assert response.status_code == status
    if status == 400:
        assert "page_size" in response.json()["errors"]


def _cursor(payload: dict) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "eyJ4IjogMX0",
        "%00",
        "e30",
        _cursor({"o": "-created_at", "v": "2024-01-01T00:00:00", "i": 1, "r": 0}),  # naive
        _cursor({"o": "-created_at", "v": "0001-01-01T00:00:00+05:00", "i": 1, "r": 0}),
        _cursor({"o": "-created_at", "v": "2024-01-01T00:00:00+00:00", "i": 2**64, "r": 0}),
        _cursor({"o": "-created_at", "v": None, "i": 1, "r": 0}),
        _cursor({"o": "-created_at", "v": 5, "i": 1, "r": 0}),
    ],
)
def test_invalid_cursor_answers_400(anonymous, cursor):
    response = anonymous.get(f"/api/v1/claims/?cursor={cursor}")
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_a_cursor_with_an_offset_postgresql_refuses_is_converted(anonymous):
    cursor = _cursor({"o": "-created_at", "v": "0267-11-25T20:56:31-19:37", "i": 1, "r": 0})
    assert anonymous.get(f"/api/v1/claims/?cursor={cursor}").status_code == 200


def test_cursor_of_another_ordering_answers_400(client_for, analyst, many_claims):
    many_claims(4)
    client = client_for(analyst)
    next_url = client.get("/api/v1/claims/?page_size=2").json()["next"]
    cursor = parse_qs(urlsplit(next_url).query)["cursor"][0]
    assert client.get(f"/api/v1/claims/?ordering=id&cursor={cursor}").status_code == 400


def test_list_query_count_does_not_grow_with_page_size(client_for, analyst, many_claims, monkeypatch):
    many_claims(200)
    # The list's own queries; the throttles' counts live in the cache (a constant few more).
    monkeypatch.setattr(ClaimViewSet, "throttle_classes", [])

    def queries(size: int) -> int:
        # A fresh user object each time: its permission cache is part of the cost.
        client = client_for(type(analyst).objects.get(pk=analyst.pk))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/v1/claims/?page_size={size}")
        assert response.status_code == 200
        rows = response.json()["results"]
        assert len(rows) == size
        assert all(len(row["evidence"]) == 2 and len(row["entities"]) == 2 for row in rows)
        return len(captured)

    # Permissions (2), claims, their evidence with spans and sources, their entities.
    assert queries(10) == queries(200) == 5


@pytest.mark.parametrize("value", ["a\u0000b", "\ud800"])
def test_a_cursor_holding_text_no_database_stores_answers_400(anonymous, value):
    # Entities are ordered by name: a forged cursor's name went to the driver (a 500 on PostgreSQL).
    cursor = _cursor({"o": "name", "v": value, "i": 1, "r": 0})
    response = anonymous.get(f"/api/v1/entities/?cursor={cursor}")
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]
