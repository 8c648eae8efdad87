"""Relations between claims through the API: create, list, delete; the rules of
``claims.relation_services``; who sees which relation; history, detail and ClaimReview."""

from __future__ import annotations

import pytest

from claims import relation_services, services
from claims.models import Claim, ClaimRelation

pytestmark = pytest.mark.django_db


def relations_url(claim) -> str:
    return f"/api/v1/claims/{claim.pk}/relations/"


def relate(client, claim, other, kind="related", note=""):
    return client.post(relations_url(claim), {"to_claim": other.pk, "kind": kind, "note": note}, format="json")


def test_analyst_relates_two_claims_and_both_list_it(client_for, analyst, corpus):
    response = relate(client_for(analyst), corpus.draft, corpus.published, "duplicate_of", "Same vote count.")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["from_claim"] == corpus.draft.pk and body["to_claim"] == corpus.published.pk
    assert body["kind"] == "duplicate_of" and body["note"] == "Same vote count."
    assert body["created_by"] == "analyst"
    for claim in (corpus.draft, corpus.published):
        listed = client_for(analyst).get(relations_url(claim)).json()
        assert [relation["id"] for relation in listed] == [body["id"]]


def test_relation_to_itself_is_refused_with_400(client_for, analyst, corpus):
    response = relate(client_for(analyst), corpus.draft, corpus.draft)
    assert response.status_code == 400
    assert response.json()["code"] == "self_relation"
    assert not ClaimRelation.objects.exists()


def test_the_database_refuses_a_self_relation_too(corpus, analyst):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimRelation.objects.create(from_claim=corpus.draft, to_claim=corpus.draft, kind="related")


def test_same_relation_twice_is_a_conflict(client_for, analyst, corpus):
    assert relate(client_for(analyst), corpus.draft, corpus.published).status_code == 201
    again = relate(client_for(analyst), corpus.draft, corpus.published)
    assert again.status_code == 409 and again.json()["code"] == "relation_exists"
    assert ClaimRelation.objects.count() == 1


def test_same_relation_the_other_way_round_is_a_conflict(client_for, analyst, corpus):
    assert relate(client_for(analyst), corpus.draft, corpus.published, "contradicts").status_code == 201
    reverse = relate(client_for(analyst), corpus.published, corpus.draft, "contradicts")
    assert reverse.status_code == 409
    # Another kind between the same claims is another relation.
    assert relate(client_for(analyst), corpus.published, corpus.draft, "related").status_code == 201


def test_the_database_holds_one_row_per_pair_and_kind(corpus):
    from django.db import IntegrityError, transaction

    ClaimRelation.objects.create(from_claim=corpus.draft, to_claim=corpus.published, kind="related")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimRelation.objects.create(from_claim=corpus.draft, to_claim=corpus.published, kind="related")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"to_claim": "x", "kind": "related"}, "to_claim"),
        ({"to_claim": 1.5, "kind": "related"}, "to_claim"),
        ({"kind": "related"}, "to_claim"),
        ({"to_claim": 1, "kind": "same_as"}, "kind"),
        ({"to_claim": 1, "kind": "related", "note": 5}, "note"),
        ({"to_claim": 1, "kind": "related", "note": "x" * 10_001}, "note"),
    ],
)
def test_bad_relation_input_is_a_400_naming_the_field(client_for, analyst, corpus, body, field):
    response = client_for(analyst).post(relations_url(corpus.draft), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_relation_to_an_unknown_claim_is_a_400(client_for, analyst, corpus):
    response = client_for(analyst).post(
        relations_url(corpus.draft), {"to_claim": 999_999, "kind": "related"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "unknown_claim"


def test_anonymous_cannot_relate_claims(anonymous, corpus):
    assert relate(anonymous, corpus.published, corpus.retracted).status_code == 401


def test_user_without_a_role_cannot_relate_claims(client_for, outsider, corpus):
    assert relate(client_for(outsider), corpus.published, corpus.retracted).status_code == 403


def test_both_claims_must_be_visible_to_the_actor(outsider, corpus):
    # The services refuse what the actor cannot see, whatever the adapter lets through.
    from project.errors import InvalidInput, NotAllowed

    with pytest.raises((InvalidInput, NotAllowed)):
        relation_services.relation_create(from_claim=corpus.published, to_claim=corpus.draft, kind="related", user=outsider)


def test_anonymous_sees_relations_between_public_claims_only(client_for, anonymous, analyst, reviewer, corpus):
    analyst_client = client_for(analyst)
    public = relate(client_for(reviewer), corpus.published, corpus.retracted, "related").json()
    relate(analyst_client, corpus.published, corpus.draft, "contradicts")
    relate(analyst_client, corpus.in_review, corpus.published, "duplicate_of")
    listed = anonymous.get(relations_url(corpus.published)).json()
    assert [relation["id"] for relation in listed] == [public["id"]]
    detail = anonymous.get(f"/api/v1/claims/{corpus.published.pk}/").json()
    assert [relation["id"] for relation in detail["relations"]] == [public["id"]]
    # Staff see all three.
    assert len(analyst_client.get(relations_url(corpus.published)).json()) == 3


def test_anonymous_cannot_read_a_relation_to_a_draft_by_its_address(client_for, anonymous, analyst, corpus):
    hidden = relate(client_for(analyst), corpus.published, corpus.draft, "related").json()
    assert anonymous.get(f"/api/v1/relations/{hidden['id']}/").status_code == 404
    assert client_for(analyst).get(f"/api/v1/relations/{hidden['id']}/").status_code == 200


def test_claim_detail_includes_relations_and_they_change_its_etag(client_for, analyst, corpus):
    client = client_for(analyst)
    before = client.get(f"/api/v1/claims/{corpus.draft.pk}/")
    relation = relate(client, corpus.draft, corpus.published, "related").json()
    after = client.get(f"/api/v1/claims/{corpus.draft.pk}/")
    assert [item["id"] for item in after.json()["relations"]] == [relation["id"]]
    assert before["ETag"] != after["ETag"]


def test_claimreview_lists_public_relations(client_for, anonymous, analyst, reviewer, corpus):
    relate(client_for(reviewer), corpus.published, corpus.retracted, "contradicts")
    relate(client_for(analyst), corpus.published, corpus.draft, "related")
    review = anonymous.get(f"/api/v1/claims/{corpus.published.pk}/claimreview/").json()
    related = review["claimbase:relations"]
    assert len(related) == 1
    assert related[0]["relation"] == "contradicts"
    assert related[0]["claim"].endswith(f"/api/v1/claims/{corpus.retracted.pk}/")


def test_relations_are_in_the_claim_history_with_who_made_and_removed_them(client_for, analyst, reviewer, corpus):
    relation = relate(client_for(analyst), corpus.draft, corpus.published, "related").json()
    assert client_for(reviewer).delete(f"/api/v1/relations/{relation['id']}/").status_code == 204
    history = client_for(analyst).get(f"/api/v1/claims/{corpus.draft.pk}/history/").json()
    entries = [entry for entry in history if entry["object"] == "relation"]
    assert [(entry["type"], entry["user"]) for entry in entries] == [("created", "analyst"), ("deleted", "reviewer")]
    assert {"field": "kind", "old": None, "new": "related"} in entries[0]["changes"]


def test_anonymous_history_has_no_relation_to_a_draft(client_for, anonymous, analyst, corpus):
    relate(client_for(analyst), corpus.published, corpus.draft, "related")
    history = anonymous.get(f"/api/v1/claims/{corpus.published.pk}/history/")
    if history.status_code == 200:
        assert not [entry for entry in history.json() if entry["object"] == "relation"]


def test_author_of_a_relation_may_delete_it(client_for, analyst, corpus):
    relation = relate(client_for(analyst), corpus.draft, corpus.published).json()
    assert client_for(analyst).delete(f"/api/v1/relations/{relation['id']}/").status_code == 204
    assert not ClaimRelation.objects.exists()


def test_another_analyst_may_not_delete_a_relation(client_for, analyst, analyst2, corpus):
    relation = relate(client_for(analyst), corpus.draft, corpus.published).json()
    response = client_for(analyst2).delete(f"/api/v1/relations/{relation['id']}/")
    assert response.status_code == 403
    assert ClaimRelation.objects.filter(pk=relation["id"]).exists()


def test_anonymous_may_not_delete_a_relation(client_for, anonymous, reviewer, corpus):
    relation = relate(client_for(reviewer), corpus.published, corpus.retracted).json()
    assert anonymous.delete(f"/api/v1/relations/{relation['id']}/").status_code == 401


def test_a_relation_between_published_claims_is_a_reviewers_to_record_or_remove(client_for, analyst, reviewer, corpus):
    """What a published claim shows is reviewed: a relation everybody sees with two
    published (or retracted) claims, its note and a contradiction's public flag, is not an
    analyst's to add or take away, even one the analyst recorded while a side was a draft."""
    refused = relate(client_for(analyst), corpus.published, corpus.retracted, "contradicts", "Claim 1 is a lie.")
    assert refused.status_code == 403 and refused.json()["code"] == "reviewed_content"
    assert "only a reviewer" in refused.json()["detail"] and not ClaimRelation.objects.exists()
    mine = relate(client_for(analyst), corpus.in_review, corpus.published, "related").json()
    services.claim_approve(claim=corpus.in_review, user=reviewer)
    removal = client_for(analyst).delete(f"/api/v1/relations/{mine['id']}/")
    assert removal.status_code == 403 and removal.json()["code"] == "reviewed_content"
    assert client_for(reviewer).delete(f"/api/v1/relations/{mine['id']}/").status_code == 204
    assert relate(client_for(reviewer), corpus.published, corpus.retracted, "related").status_code == 201


# ---------------------------------------------------------------------------------------------
# Contradictions between published claims need attention


def test_published_claims_that_contradict_each_other_need_attention(client_for, analyst, reviewer2, make_claim, corpus):
    other = make_claim(analyst, status="published", reviewer=reviewer2, text="Russia never voted for sanctions.")
    relate(client_for(reviewer2), other, corpus.published, "contradicts")
    assert set(Claim.objects.filter(needs_attention=True).values_list("pk", flat=True)) == {other.pk, corpus.published.pk}
    flagged = client_for(analyst).get("/api/v1/claims/?needs_attention=true").json()["results"]
    assert {claim["id"] for claim in flagged} == {other.pk, corpus.published.pk}


def test_contradiction_with_an_unpublished_claim_needs_no_attention(client_for, analyst, reviewer, corpus):
    relate(client_for(analyst), corpus.draft, corpus.published, "contradicts")
    relate(client_for(reviewer), corpus.retracted, corpus.published, "contradicts")
    assert not Claim.objects.filter(needs_attention=True).exists()


def test_retracting_one_side_ends_the_contradiction(client_for, analyst, reviewer2, make_claim, corpus):
    other = make_claim(analyst, status="published", reviewer=reviewer2, text="Russia never voted for sanctions.")
    relate(client_for(reviewer2), other, corpus.published, "contradicts")
    services.claim_retract(claim=other, user=reviewer2, comment="Wrong.")
    assert not Claim.objects.filter(needs_attention=True).exists()


def test_publishing_the_second_side_starts_the_contradiction(client_for, analyst, reviewer2, make_claim, corpus):
    other = make_claim(analyst, status="in_review", reviewer=reviewer2, text="Russia never voted for sanctions.")
    relate(client_for(analyst), other, corpus.published, "contradicts")
    assert not Claim.objects.filter(needs_attention=True).exists()
    services.claim_approve(claim=other, user=reviewer2)
    assert set(Claim.objects.filter(needs_attention=True).values_list("pk", flat=True)) == {other.pk, corpus.published.pk}


def test_removing_the_relation_ends_the_contradiction(client_for, analyst, reviewer2, make_claim, corpus):
    other = make_claim(analyst, status="published", reviewer=reviewer2, text="Russia never voted for sanctions.")
    relation = relate(client_for(reviewer2), other, corpus.published, "contradicts").json()
    client_for(reviewer2).delete(f"/api/v1/relations/{relation['id']}/")
    assert not Claim.objects.filter(needs_attention=True).exists()


def test_reanchoring_keeps_the_contradiction_flag(client_for, analyst, reviewer2, make_claim, corpus):
    other = make_claim(analyst, status="published", reviewer=reviewer2, text="Russia never voted for sanctions.")
    relate(client_for(reviewer2), other, corpus.published, "contradicts")
    services.refresh_attention([other.pk, corpus.published.pk])
    assert Claim.objects.filter(needs_attention=True).count() == 2
