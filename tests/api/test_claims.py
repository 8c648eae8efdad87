"""Claims: create with inline evidence (all or nothing), detail, edit, delete."""

from __future__ import annotations

import pytest

from claims.models import Claim, Entity, Evidence
from sources.models import Span
from tests.support import SAMPLE_TEXT

pytestmark = pytest.mark.django_db


def _create(client, **payload):
    body = {"text": "Moscow said the sanctions went too far.", **payload}
    return client.post("/api/v1/claims/", body, format="json")


def test_create_with_inline_evidence_by_span_and_by_quote(client_for, analyst, corpus):
    entity = Entity.objects.create(name="Russia", slug="russia", kind="country")
    response = _create(
        client_for(analyst),
        verdict="supported",
        confidence="moderate",
        entities=[entity.pk],
        period_start="2006-06-01",
        period_end="2010-06-30",
        evidence=[
            {"span": corpus.public_span.pk, "stance": "supports"},
            {"source": corpus.source.pk, "quote": "Russia voted", "occurrence": 2, "stance": "context", "note": "n"},
        ],
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Location"].endswith(f"/api/v1/claims/{body['id']}/")
    assert body["status"] == "draft" and body["author"] == "analyst" and body["version"] == 1
    assert [entity["slug"] for entity in body["entities"]] == ["russia"]
    first, second = body["evidence"]
    assert first["span"]["id"] == corpus.public_span.pk
    assert first["span"]["source"] == {
        "id": corpus.source.pk,
        "title": "Sample",
        "publisher": "Example",
        "url": None,
        "reliability": "F",
    }
    assert second["stance"] == "context" and second["note"] == "n" and second["added_by"] == "analyst"
    assert second["span"]["start"] == SAMPLE_TEXT.rindex("Russia voted")


def test_failing_evidence_creates_nothing_and_names_the_item(client_for, analyst, source):
    claims, spans = Claim.objects.count(), Span.objects.count()
    response = _create(
        client_for(analyst),
        evidence=[
            {"source": source.pk, "quote": "Moscow later said"},
            {"source": source.pk, "quote": "Russia voted"},
        ],
    )
    assert response.status_code == 400
    body = response.json()
    assert body["evidence_index"] == 1
    assert body["code"] == "ambiguous_quote"
    assert body["detail"].startswith("evidence[1]:")
    assert len(body["candidates"]) == 2
    # The first item's span and the claim were rolled back with it.
    assert (Claim.objects.count(), Span.objects.count()) == (claims, spans)


def test_invalid_evidence_shape_names_the_item(client_for, analyst, source):
    response = _create(
        client_for(analyst),
        evidence=[{"span": 999_999}, {"source": source.pk, "quote": "x", "span": 1}],
    )
    assert response.status_code == 400
    errors = response.json()["errors"]["evidence"]  # keyed by item index
    assert "span" in errors["0"]
    assert errors["1"]
    assert response.json()["detail"].startswith("evidence[0].span:")
    assert not Claim.objects.exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"text": ""}, "text"),
        ({"text": "x" * 501}, "text"),
        ({"verdict": "true"}, "verdict"),
        ({"confidence": "total"}, "confidence"),
        ({"period_start": "2010-01-01", "period_end": "2009-01-01"}, "period_end"),
        ({"entities": [424242]}, "entities"),
        ({"supersedes": 424242}, "supersedes"),
        ({"evidence": {"span": 1}}, "evidence"),
    ],
)
def test_create_rejects_invalid_fields(client_for, analyst, payload, field):
    response = _create(client_for(analyst), **payload)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_period_day_that_does_not_exist_is_said_to_be_so(client_for, analyst):
    response = _create(client_for(analyst), period_start="2023-02-29")
    assert response.status_code == 400
    assert response.json()["errors"] == {"period_start": ["2023-02-29 is in the right format, but there is no such day."]}


def test_detail_nests_evidence_with_span_and_source(anonymous, corpus):
    response = anonymous.get(f"/api/v1/claims/{corpus.published.pk}/")
    assert response.status_code == 200
    body = response.json()
    [evidence] = body["evidence"]
    assert evidence["span"]["quote"] == "Russia voted six times"
    assert evidence["span"]["source"]["title"] == "Sample"
    assert body["reviewer"] == "reviewer2"
    assert body["published_at"] is not None


def test_patch_changes_content_and_bumps_version(client_for, analyst, corpus):
    claim = corpus.draft
    response = client_for(analyst).patch(
        f"/api/v1/claims/{claim.pk}/", {"text": "Edited.", "confidence": None}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["text"] == "Edited." and body["confidence"] is None
    assert body["version"] == claim.version + 1


def test_patch_of_a_published_claim_is_a_conflict(client_for, analyst, corpus):
    response = client_for(analyst).patch(f"/api/v1/claims/{corpus.published.pk}/", {"text": "No."}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "content_frozen"


def test_patch_by_another_analyst_is_forbidden(client_for, analyst2, corpus):
    response = client_for(analyst2).patch(f"/api/v1/claims/{corpus.draft.pk}/", {"text": "Mine."}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_editor"


def test_delete_draft_that_was_never_submitted(client_for, analyst, corpus):
    assert client_for(analyst).delete(f"/api/v1/claims/{corpus.draft.pk}/").status_code == 204
    assert not Claim.objects.filter(pk=corpus.draft.pk).exists()
    assert not Evidence.objects.filter(claim_id=corpus.draft.pk).exists()


def test_delete_with_a_stale_if_match_deletes_nothing(client_for, analyst, reviewer, corpus):
    """The reviewer's edit made since the analyst looked is not thrown away unseen."""
    url = f"/api/v1/claims/{corpus.draft.pk}/"
    seen = client_for(analyst).get(url)["ETag"]
    assert client_for(reviewer).patch(url, {"notes": "Important."}, format="json", HTTP_IF_MATCH=seen).status_code == 200
    response = client_for(analyst).delete(url, HTTP_IF_MATCH=seen)
    assert response.status_code == 412 and response.json()["code"] == "stale_version"
    assert Claim.objects.get(pk=corpus.draft.pk).notes == "Important."
    current = client_for(analyst).get(url)["ETag"]
    assert client_for(analyst).delete(url, HTTP_IF_MATCH=current).status_code == 204


@pytest.mark.parametrize("state", ["in_review", "published", "rejected", "retracted"])
def test_submitted_claims_are_never_deleted(client_for, analyst, corpus, state):
    claim = getattr(corpus, state)
    response = client_for(analyst).delete(f"/api/v1/claims/{claim.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "claim_was_submitted"


def test_anonymous_sees_only_published_and_retracted(anonymous, corpus):
    ids = {row["id"] for row in anonymous.get("/api/v1/claims/").json()["results"]}
    assert ids == {corpus.published.pk, corpus.retracted.pk}
    for hidden in (corpus.draft, corpus.in_review, corpus.rejected):
        assert anonymous.get(f"/api/v1/claims/{hidden.pk}/").status_code == 404


def test_outsider_reads_like_anonymous(client_for, outsider, corpus):
    ids = {row["id"] for row in client_for(outsider).get("/api/v1/claims/").json()["results"]}
    assert ids == {corpus.published.pk, corpus.retracted.pk}


def test_staff_see_every_claim(client_for, analyst2, corpus):
    rows = client_for(analyst2).get("/api/v1/claims/").json()["results"]
    assert len(rows) == 5
