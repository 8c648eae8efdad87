"""The admin of relations: recorded and removed through the services; a claim's relations on
its page; published contradictions on the review queue; a new claim recorded as a duplicate."""

from __future__ import annotations

import pytest

from claims import relation_services
from claims.models import Claim, ClaimRelation

from .helpers import claim_url, messages_of, said

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/claims/claimrelation/add/"


@pytest.fixture
def two_published(analyst, reviewer2, make_claim):
    first = make_claim(analyst, status="published", reviewer=reviewer2, text="Russia voted six times for sanctions.")
    second = make_claim(analyst, status="published", reviewer=reviewer2, text="Russia never voted for sanctions.")
    return first, second


def test_admin_records_a_relation_through_the_services(client_for, analyst, reviewer, two_published):
    first, second = two_published
    data = {"from_claim": first.pk, "to_claim": second.pk, "kind": "contradicts", "note": "n"}
    # Between two published claims, a reviewer's to record (what a published claim shows is reviewed).
    refused = client_for(analyst).post(ADD_URL, data, follow=True)
    assert any("only a reviewer may change it" in message for message in said(refused))
    assert not ClaimRelation.objects.exists()
    response = client_for(reviewer).post(ADD_URL, data)
    assert response.status_code == 302, response.content[:2000]
    relation = ClaimRelation.objects.get()
    assert (relation.created_by_id, relation.kind) == (reviewer.pk, "contradicts")
    # The service's side effects: versions bumped, the contradiction flagged.
    assert set(Claim.objects.filter(needs_attention=True).values_list("pk", flat=True)) == {first.pk, second.pk}


def test_admin_refuses_a_duplicate_relation_with_a_message(client_for, reviewer, two_published):
    first, second = two_published
    relation_services.relation_create(from_claim=first, to_claim=second, kind="related", user=reviewer)
    response = client_for(reviewer).post(
        ADD_URL, {"from_claim": second.pk, "to_claim": first.pk, "kind": "related", "note": ""}, follow=True
    )
    assert any("already have this relation" in message for message in said(response))
    assert ClaimRelation.objects.count() == 1


def test_admin_delete_goes_through_the_services(client_for, analyst, analyst2, make_claim, two_published):
    first, _ = two_published
    draft = make_claim(analyst, text="A draft relating itself to a published claim.")
    relation = relation_services.relation_create(from_claim=draft, to_claim=first, kind="related", user=analyst)
    url = f"/admin/claims/claimrelation/{relation.pk}/delete/"
    refused = client_for(analyst2).post(url, {"post": "yes"}, follow=True)
    assert ClaimRelation.objects.filter(pk=relation.pk).exists(), refused.status_code
    client_for(analyst).post(url, {"post": "yes"})
    assert not ClaimRelation.objects.exists()


def test_claim_page_shows_its_relations_and_the_contradiction_emergency(client_for, reviewer, analyst, two_published):
    first, second = two_published
    relation_services.relation_create(from_claim=first, to_claim=second, kind="contradicts", user=reviewer)
    page = client_for(reviewer).get(claim_url(first)).content.decode()
    assert 'id="cb-relations"' in page
    assert f"#{second.pk} Russia never voted for sanctions." in page
    assert "two published claims contradict each other" in page


@pytest.mark.parametrize("kind, forward, backward", [
    ("duplicate_of", "is a duplicate of", "is duplicated by"),
    ("contradicts", "contradicts", "is contradicted by"),
    ("related", "is related to", "is related to"),
])
def test_a_relation_reads_as_a_sentence_from_either_claim(client_for, reviewer, analyst, two_published, kind, forward, backward):
    first, second = two_published
    relation_services.relation_create(from_claim=first, to_claim=second, kind=kind, user=reviewer)
    client = client_for(reviewer)
    assert f"This claim <strong>{forward}</strong>" in client.get(claim_url(first)).content.decode()
    assert f"This claim <strong>{backward}</strong>" in client.get(claim_url(second)).content.decode()


def test_review_queue_lists_published_contradictions(client_for, reviewer, analyst, two_published):
    first, second = two_published
    queue = client_for(reviewer).get("/admin/claims/claim/review-queue/").content.decode()
    assert 'id="cb-contradictions"' not in queue
    relation_services.relation_create(from_claim=first, to_claim=second, kind="contradicts", user=reviewer)
    queue = client_for(reviewer).get("/admin/claims/claim/review-queue/").content.decode()
    assert 'id="cb-contradictions"' in queue
    assert f"#{first.pk} Russia voted six times" in queue and f"#{second.pk} Russia never voted" in queue


def test_new_claim_from_the_admin_form_is_recorded_as_the_picked_duplicate(client_for, analyst, two_published):
    original, _ = two_published
    from .helpers import form_data

    client = client_for(analyst)
    data = form_data(client.get("/admin/claims/claim/add/"), "claim_form")
    data.update({"text": "Moscow backed sanctions six times.", "verdict": "unverified", "duplicate_of": str(original.pk)})
    response = client.post("/admin/claims/claim/add/", data)
    assert response.status_code == 302, messages_of(response)
    new_claim = Claim.objects.get(text="Moscow backed sanctions six times.")
    assert ClaimRelation.objects.filter(from_claim=new_claim, to_claim=original, kind="duplicate_of").exists()


def test_new_claim_with_a_bad_duplicate_pick_is_not_created(client_for, analyst, two_published):
    from .helpers import form_data

    client = client_for(analyst)
    data = form_data(client.get("/admin/claims/claim/add/"), "claim_form")
    data.update({"text": "Moscow backed sanctions six times.", "verdict": "unverified", "duplicate_of": "999999"})
    client.post("/admin/claims/claim/add/", data, follow=True)
    assert not Claim.objects.filter(text="Moscow backed sanctions six times.").exists()


def test_published_claim_page_lists_similar_claims(client_for, reviewer, analyst, reviewer2, make_claim, two_published):
    first, _ = two_published
    twin = make_claim(analyst, status="published", reviewer=reviewer2, text="Russia voted for sanctions six times.")
    page = client_for(reviewer).get(claim_url(first)).content.decode()
    assert 'data-role="similar-on-page"' in page
    assert f'data-claim-id="{twin.pk}"' in page
    assert f'data-claim-id="{first.pk}"' not in page


def test_a_bulk_removal_refused_says_why_and_never_that_it_succeeded(client_for, analyst, analyst2, reviewer, make_claim, two_published):
    """An analyst selecting another's relation was told "Successfully deleted 1 claim
    relation." beside the refusal; nothing had been removed."""
    first, _ = two_published
    draft = make_claim(analyst, text="A draft relating itself to a published claim.")
    relation = relation_services.relation_create(from_claim=draft, to_claim=first, kind="related", user=analyst)
    data = {"action": "delete_selected", "_selected_action": [relation.pk], "post": "yes"}
    response = client_for(analyst2).post("/admin/claims/claimrelation/", data, follow=True)
    texts = messages_of(response)
    assert any("Only the relation's author or a reviewer may remove it." in text for text in texts)
    assert not any("Successfully" in text for text in texts)
    assert ClaimRelation.objects.filter(pk=relation.pk).exists()
    response = client_for(analyst).post("/admin/claims/claimrelation/", data, follow=True)
    assert messages_of(response) == ["Removed 1 relation(s)."] and not ClaimRelation.objects.exists()


def test_a_relation_version_is_not_restored_and_the_page_says_so_not_a_permission(client_for, analyst, make_claim, two_published):
    first, _ = two_published
    draft = make_claim(analyst, text="A draft relating itself to a published claim.")
    relation = relation_services.relation_create(from_claim=draft, to_claim=first, kind="related", user=analyst)
    version = relation.history.first()
    url = f"/admin/claims/claimrelation/{relation.pk}/history/{version.history_id}/"
    client = client_for(analyst)
    assert 'name="_save"' not in client.get(url).content.decode()  # no Revert offered
    response = client.post(url, {"_save": "Revert"}, follow=True)
    assert response.status_code == 200
    assert "A claim relation is not restored from its history." in messages_of(response)
