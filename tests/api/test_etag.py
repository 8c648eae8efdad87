"""Strong ETags on claim detail; If-Match on PATCH and transitions (stale: 412, no write)."""

from __future__ import annotations

import re

import pytest

from claims.models import Claim, Review

pytestmark = pytest.mark.django_db


def _etag(client, claim) -> str:
    response = client.get(f"/api/v1/claims/{claim.pk}/")
    assert response.status_code == 200
    return response["ETag"]


def test_detail_has_a_strong_etag_from_id_and_version(client_for, analyst, outsider, corpus):
    public = _etag(client_for(None), corpus.published)
    assert public == f'"claim-{corpus.published.pk}-v{corpus.published.version}"'
    assert not public.startswith("W/")
    # Staff's representation is another (editorial checks, contributors): so is its tag.
    staff = _etag(client_for(analyst), corpus.published)
    assert re.fullmatch(f'"claim-{corpus.published.pk}-v{corpus.published.version}-r[0-9a-f]+"', staff)
    assert client_for(None).get(f"/api/v1/claims/{corpus.published.pk}/", HTTP_IF_NONE_MATCH=staff).status_code == 200
    # So is that of anybody signed in (the contributors, the editorial checks).
    signed_in = _etag(client_for(outsider), corpus.published)
    assert signed_in != public and signed_in.startswith(public[:-1] + "-r")
    assert client_for(None).get(f"/api/v1/claims/{corpus.published.pk}/", HTTP_IF_NONE_MATCH=signed_in).status_code == 200
    response = client_for(analyst).get(f"/api/v1/claims/{corpus.published.pk}/", HTTP_IF_NONE_MATCH=staff)
    assert response.status_code == 304
    for answer in (response, client_for(None).get("/api/v1/claims/")):
        assert {"Authorization", "Cookie"} <= {name.strip() for name in answer["Vary"].split(",")}


def test_etag_changes_with_every_change(client_for, analyst, corpus):
    client = client_for(analyst)
    before = _etag(client, corpus.draft)
    client.patch(f"/api/v1/claims/{corpus.draft.pk}/", {"notes": "x"}, format="json")
    assert _etag(client, corpus.draft) != before


def test_patch_with_the_current_etag_succeeds_and_returns_the_new_one(client_for, analyst, corpus):
    client = client_for(analyst)
    etag = _etag(client, corpus.draft)
    response = client.patch(f"/api/v1/claims/{corpus.draft.pk}/", {"text": "New."}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"].startswith(f'"claim-{corpus.draft.pk}-v{corpus.draft.version + 1}-r')


@pytest.mark.parametrize(
    "if_match",
    [
        '"claim-{pk}-v{stale}"',
        'W/"claim-{pk}-v{version}"',  # If-Match compares strongly
        '"claim-{other}-v{version}"',
        '"garbage"',
        "no quotes at all",
        '"claim-{pk}-v' + "9" * 5000 + '"',  # int() refuses 4,300 digits or more: was a 500
        '"claim-' + "0" * 5000 + '{pk}-v{version}"',
        '"claim-{pk}-v0{version}"',  # not the tag, written otherwise: If-Match compares strongly
        '"claim-0{pk}-v{version}"',
    ],
)
def test_stale_if_match_on_patch_answers_412_and_writes_nothing(client_for, analyst, corpus, if_match):
    claim = corpus.draft
    header = if_match.format(pk=claim.pk, stale=claim.version - 1 or 99, version=claim.version, other=claim.pk + 1)
    history = claim.history.count()
    response = client_for(analyst).patch(
        f"/api/v1/claims/{claim.pk}/", {"text": "Lost update."}, format="json", HTTP_IF_MATCH=header
    )
    assert response.status_code == 412
    assert response.json()["code"] == "stale_version"
    assert response.json()["current_version"] == claim.version
    fresh = Claim.objects.get(pk=claim.pk)
    assert (fresh.text, fresh.version, fresh.history.count()) == (claim.text, claim.version, history)


def test_lost_update_is_prevented(client_for, analyst, reviewer, corpus):
    first, second = client_for(analyst), client_for(reviewer)
    etag = _etag(first, corpus.draft)
    assert second.patch(
        f"/api/v1/claims/{corpus.draft.pk}/", {"notes": "reviewer"}, format="json", HTTP_IF_MATCH=etag
    ).status_code == 200
    response = first.patch(
        f"/api/v1/claims/{corpus.draft.pk}/", {"notes": "analyst"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 412
    assert Claim.objects.get(pk=corpus.draft.pk).notes == "reviewer"


@pytest.mark.parametrize("action, comment", [("submit", ""), ("approve", ""), ("reject", "No.")])
def test_stale_if_match_on_a_transition_answers_412_and_logs_nothing(
    client_for, analyst, reviewer, corpus, action, comment
):
    claim = corpus.draft if action == "submit" else corpus.in_review
    user = analyst if action == "submit" else reviewer
    stale = f'"claim-{claim.pk}-v{claim.version + 5}"'
    response = client_for(user).post(
        f"/api/v1/claims/{claim.pk}/{action}/", {"comment": comment}, format="json", HTTP_IF_MATCH=stale
    )
    assert response.status_code == 412
    fresh = Claim.objects.get(pk=claim.pk)
    assert (fresh.status, fresh.version) == (claim.status, claim.version)
    assert Review.objects.filter(claim=claim).count() == claim.reviews.count()


def test_transition_with_the_current_etag_succeeds(client_for, reviewer, corpus):
    client = client_for(reviewer)
    etag = _etag(client, corpus.in_review)
    response = client.post(f"/api/v1/claims/{corpus.in_review.pk}/approve/", {}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["status"] == "published"


def test_if_match_star_matches_any_version(client_for, analyst, corpus):
    response = client_for(analyst).patch(
        f"/api/v1/claims/{corpus.draft.pk}/", {"notes": "x"}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 200


def test_if_none_match_answers_304(anonymous, corpus):
    etag = _etag(anonymous, corpus.published)
    response = anonymous.get(f"/api/v1/claims/{corpus.published.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert anonymous.get(f"/api/v1/claims/{corpus.published.pk}/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_claim_is_read_once_and_its_relations_only_when_the_answer_needs_them(anonymous, corpus):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path = f"/api/v1/claims/{corpus.published.pk}/"
    etag = _etag(anonymous, corpus.published)

    def claim_reads(**headers) -> tuple[int, int, int]:
        with CaptureQueriesContext(connection) as statements:
            status = anonymous.get(path, **headers).status_code
        claims = [q["sql"] for q in statements.captured_queries if q["sql"].startswith('SELECT "claims_claim"."id"')]
        evidence = [q["sql"] for q in statements.captured_queries if re.search(r'FROM "?claims_evidence\b', q["sql"])]
        return status, len(claims), len(evidence)

    assert claim_reads() == (200, 1, 1)
    assert claim_reads(HTTP_IF_NONE_MATCH=etag) == (304, 1, 0)
