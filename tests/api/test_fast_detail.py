"""A claim's detail (``claims.fast_detail``) answers the same bytes as ``ClaimWithRelationsSerializer``.

Each case asks the API for a claim, as each role, and compares the bytes with the
serializer's over the prefetched claim (the representation the detail had before it was
built from rows). Besides ``rich_corpus``: relations the public may and may not see, one
whose author was deleted, evidence with a note and without the user who added it, a
contributor besides the author, and the editorial checks' warnings.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIRequestFactory, force_authenticate

from claims import relation_services, selectors, services
from claims.models import Claim, ClaimRelation, Evidence
from claims.views import ClaimViewSet

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "analyst", "reviewer", "superuser"]


def _reference(pk: int, user) -> bytes:
    """The detail as ``ClaimWithRelationsSerializer`` writes it, for ``user``."""
    request = APIRequestFactory().get(f"/api/v1/claims/{pk}/")
    if user.is_authenticated:
        force_authenticate(request, user)
    # The viewset's reference action, unthrottled (the tests count requests of their own).
    view = ClaimViewSet.as_view({"get": "serialized_detail"}, throttle_classes=[])
    response = view(request, pk=pk)
    response.render()
    assert response.status_code == 200, response.content
    return bytes(response.content)


@pytest.fixture
def detailed_corpus(rich_corpus, analyst, reviewer, reviewer2, superuser, make_claim):
    published = list(Claim.objects.filter(status="published").order_by("id"))
    draft = Claim.objects.filter(status="draft").order_by("id").first()
    relation_services.relation_create(
        from_claim=published[0], to_claim=published[1], kind="related", user=reviewer,
        note='See also: "the other vote" \\ \u2028 🙂',
    )
    relation_services.relation_create(from_claim=draft, to_claim=published[0], kind="duplicate_of", user=analyst)
    gone = relation_services.relation_create(from_claim=published[2], to_claim=published[0], kind="related", user=reviewer)
    ClaimRelation.objects.filter(pk=gone.pk).update(created_by=None)  # its author's account was deleted
    # A reviewer's edit makes them a contributor, after the author.
    services.claim_update(claim=draft, user=reviewer2, text=draft.text + " Reworded.",
                          notes="Checked against the Kommersant text.\nTwo lines.")
    evidence = Evidence.objects.filter(claim__text__startswith="Claim with").order_by("id")
    services.evidence_update(evidence=evidence.first(), user=analyst, note="The vote count, verbatim.")
    Evidence.objects.filter(pk=evidence.last().pk).update(added_by=None)
    assert Claim.objects.exclude(check_warnings=[]).exists(), "some claim must carry editorial warnings"
    return {"anonymous": AnonymousUser(), "analyst": analyst, "reviewer": reviewer, "superuser": superuser}


@pytest.mark.parametrize("role", ROLES)
def test_detail_bytes_equal_the_serializers_for_every_claim_and_role(detailed_corpus, client_for, role):
    user = detailed_corpus[role]
    client = client_for(None if role == "anonymous" else user)
    visible = set(selectors.visible_claims(user).values_list("pk", flat=True))
    compared = 0
    for pk in Claim.objects.order_by("id").values_list("pk", flat=True):
        response = client.get(f"/api/v1/claims/{pk}/")
        if pk not in visible:
            assert response.status_code == 404
            continue
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert response.content == _reference(pk, user), pk
        compared += 1
    assert compared >= 4
    if role == "anonymous":
        assert compared < Claim.objects.count()  # drafts and claims in review are not public


def test_detail_shows_relations_contributors_and_checks_as_the_serializer_does(detailed_corpus, client_for):
    """The corpus exercises what the bytes comparison is for: each part is present somewhere."""
    reviewer, analyst = detailed_corpus["reviewer"], detailed_corpus["analyst"]
    seen = [client_for(reviewer).get(f"/api/v1/claims/{pk}/").json() for pk in Claim.objects.values_list("pk", flat=True)]
    assert any(claim["relations"] and claim["relations"][0]["created_by"] is None for claim in seen)
    assert any(len(claim["contributors"]) > 1 for claim in seen)
    assert any(claim["checks"] for claim in seen)
    assert any(item["note"] and item["added_by"] == analyst.username for claim in seen for item in claim["evidence"])
    assert any(item["added_by"] is None for claim in seen for item in claim["evidence"])
    public = client_for(None).get(f"/api/v1/claims/{Claim.objects.filter(status='published').order_by('id').first().pk}/").json()
    assert "contributors" not in public and "checks" not in public
    # The draft's relation to it is not public: only the relations between public claims.
    assert {relation["kind"] for relation in public["relations"]} == {"related"}


def test_detail_bytes_equal_in_another_time_zone(detailed_corpus, client_for, settings):
    settings.TIME_ZONE = "Asia/Tehran"
    timezone.activate("Asia/Tehran")
    try:
        reviewer = detailed_corpus["reviewer"]
        for pk in Claim.objects.values_list("pk", flat=True):
            assert client_for(reviewer).get(f"/api/v1/claims/{pk}/").content == _reference(pk, reviewer)
    finally:
        timezone.deactivate()


def test_writes_answer_the_same_bytes_as_a_read(detailed_corpus, client_for, source):
    analyst, reviewer = detailed_corpus["analyst"], detailed_corpus["reviewer"]
    created = client_for(analyst).post(
        "/api/v1/claims/",
        {"text": "Iran said so, twice.", "verdict": "supported", "confidence": "high",
         "evidence": [{"source": source.pk, "quote": "Russia voted six times", "note": "a note"}]},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.content == _reference(pk, analyst)
    assert created["ETag"].startswith(f'"claim-{pk}-v1-r') and created["Location"].endswith(f"/api/v1/claims/{pk}/")
    edited = client_for(analyst).patch(f"/api/v1/claims/{pk}/", {"notes": "Edited."}, format="json",
                                       HTTP_IF_MATCH=created["ETag"])
    assert edited.status_code == 200 and edited.content == _reference(pk, analyst)
    assert edited["ETag"].startswith(f'"claim-{pk}-v2-r')
    submitted = client_for(analyst).post(f"/api/v1/claims/{pk}/submit/", {}, format="json")
    assert submitted.status_code == 200 and submitted.content == _reference(pk, analyst)
    approved = client_for(reviewer).post(f"/api/v1/claims/{pk}/approve/", {"comment": "The warnings do not apply."},
                                         format="json")
    assert approved.status_code == 200, approved.content
    assert approved.content == _reference(pk, reviewer)
    assert approved.json()["status"] == "published" and approved.json()["reviewer"] == reviewer.username


def test_detail_queries_do_not_grow_with_evidence_entities_or_relations(detailed_corpus, client_for):
    reviewer = detailed_corpus["reviewer"]
    client_for(reviewer).get("/api/v1/claims/1/")  # the user's permissions, read once per user
    counts = {}
    for pk in Claim.objects.values_list("pk", flat=True):
        with CaptureQueriesContext(connection) as statements:
            assert client_for(reviewer).get(f"/api/v1/claims/{pk}/").status_code == 200
        counts[pk] = len([q for q in statements.captured_queries if "throttle" not in q["sql"]])
    assert len(set(counts.values())) == 1, counts


def test_a_claim_that_is_not_visible_is_404_with_an_etag_or_not(detailed_corpus, client_for):
    draft = Claim.objects.filter(status="draft").first()
    etag = f'"claim-{draft.pk}-v{draft.version}"'
    assert client_for(None).get(f"/api/v1/claims/{draft.pk}/").status_code == 404
    assert client_for(None).get(f"/api/v1/claims/{draft.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 404
    for path in ("/api/v1/claims/abc/", "/api/v1/claims/99999999999999999999999/", "/api/v1/claims/0/"):
        assert client_for(None).get(path).status_code == 404, path

