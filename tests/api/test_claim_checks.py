"""Editorial checks over HTTP: ``checks`` in claim detail (authenticated), the
``has_checks`` filter, and approval that asks for a comment."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

TEXT = "Russia voted seven times for UN Security Council sanctions on Iran."


def test_claim_detail_shows_checks_to_authenticated_users_only(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, text=TEXT, status="published", reviewer=reviewer)
    body = client_for(analyst).get(f"/api/v1/claims/{claim.pk}/").json()
    assert [check["code"] for check in body["checks"]] == ["number_not_in_evidence"]
    assert '"seven"' in body["checks"][0]["message"]
    assert "checks" not in client_for(None).get(f"/api/v1/claims/{claim.pk}/").json()


def test_has_checks_filter(client_for, analyst, make_claim):
    flagged = make_claim(analyst, text=TEXT)
    clean = make_claim(analyst)
    client = client_for(analyst)
    ids = [row["id"] for row in client.get("/api/v1/claims/?has_checks=true").json()["results"]]
    assert ids == [flagged.pk]
    ids = [row["id"] for row in client.get("/api/v1/claims/?has_checks=false").json()["results"]]
    assert ids == [clean.pk]
    assert client.get("/api/v1/claims/?has_checks=maybe").status_code == 400


def test_has_checks_filter_is_not_for_anonymous_callers(client_for):
    response = client_for(None).get("/api/v1/claims/?has_checks=true")
    assert response.status_code in (401, 403)
    assert response.json()["code"]


def test_approve_without_comment_on_a_claim_with_warnings_is_a_400_naming_them(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, text=TEXT, status="in_review")
    response = client_for(reviewer).post(f"/api/v1/claims/{claim.pk}/approve/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "comment_required"
    assert any('"seven"' in message for message in body["errors"]["comment"])
    response = client_for(reviewer).post(
        f"/api/v1/claims/{claim.pk}/approve/", {"comment": "A seventh vote is on record elsewhere."}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "published"
    reviews = client_for(reviewer).get(f"/api/v1/claims/{claim.pk}/reviews/").json()
    rows = reviews["results"] if isinstance(reviews, dict) else reviews
    assert rows[-1]["comment"] == "A seventh vote is on record elsewhere."
