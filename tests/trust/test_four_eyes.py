"""Four-eyes by contribution: nobody approves, rejects or requests changes on a claim they
contributed to (its author, and anyone who changed its text, verdict, confidence, entities,
period or evidence), on every path: services, API, admin, review queues."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims import selectors, services
from claims.models import Claim, ClaimContributor, Entity
from project.errors import NotAllowed

pytestmark = pytest.mark.django_db



@pytest.mark.parametrize(
    "change",
    [
        {"text": "Reworded by the reviewer."},
        {"verdict": "disputed"},
        {"confidence": "low"},
        {"period_start": "2006-06-01"},
    ],
)
def test_reviewer_who_changed_the_content_cannot_approve_it(make_claim, analyst, reviewer, reviewer2, change):
    claim = make_claim(analyst)
    if change.get("verdict") == "disputed":
        services.evidence_add(
            claim=claim, user=analyst,
            item=services.EvidenceInput(source=claim.evidence.get().span.source, quote="Moscow later said", stance="refutes"),
        )
    services.claim_update(claim=claim, user=reviewer, **change)
    services.claim_submit(claim=claim, user=reviewer)
    with pytest.raises(NotAllowed) as refused:
        services.claim_approve(claim=claim, user=reviewer)
    assert refused.value.code == "four_eyes"
    assert "you contributed to this claim" in refused.value.message
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.IN_REVIEW
    # Someone else's eyes can.
    assert services.claim_approve(claim=claim, user=reviewer2, comment="Checked against the source.").status == Claim.Status.PUBLISHED


def test_reviewer_who_changed_the_entities_cannot_reject_it(make_claim, analyst, reviewer):
    claim = make_claim(analyst)
    iran = Entity.objects.create(name="Iran", slug="iran", kind="country")
    services.claim_update(claim=claim, user=reviewer, entities=[iran])
    services.claim_submit(claim=claim, user=analyst)
    with pytest.raises(NotAllowed) as refused:
        services.claim_reject(claim=claim, user=reviewer, comment="No.")
    assert refused.value.code == "four_eyes"


@pytest.mark.parametrize("move", ["add", "stance", "remove"])
def test_reviewer_who_changed_the_evidence_cannot_request_changes(make_claim, analyst, reviewer, source, move):
    claim = make_claim(analyst)
    evidence = claim.evidence.get()
    extra = services.evidence_add(
        claim=claim, user=analyst, item=services.EvidenceInput(source=source, quote="Russia voted again")
    )
    if move == "add":
        services.evidence_add(claim=claim, user=reviewer, item=services.EvidenceInput(source=source, quote="Moscow later said", stance="context"))
    elif move == "stance":
        services.evidence_update(evidence=extra, user=reviewer, stance="context")
    else:
        services.evidence_remove(evidence=extra, user=reviewer)
    services.claim_submit(claim=claim, user=analyst)
    with pytest.raises(NotAllowed) as refused:
        services.claim_request_changes(claim=claim, user=reviewer, comment="Fix it.")
    assert refused.value.code == "four_eyes"
    assert evidence.pk


@pytest.mark.parametrize("field", ["notes", "supersedes"])
def test_the_notes_and_the_claim_corrected_are_content_too(make_claim, analyst, reviewer, reviewer2, field):
    """A published claim shows both to everybody, and publishing a correction retracts the
    claim it corrects: a reviewer who wrote either would publish it unseen by anyone else."""
    corrected = make_claim(analyst, status="published", reviewer=reviewer2, text="The figure as first reported.")
    claim = make_claim(analyst)
    services.claim_update(claim=claim, user=reviewer, **{field: "A note slipped in." if field == "notes" else corrected})
    services.claim_submit(claim=claim, user=analyst)
    assert reviewer.username in services.contributors(claim)
    with pytest.raises(NotAllowed):
        services.claim_approve(claim=claim, user=reviewer)
    assert services.claim_approve(claim=claim, user=reviewer2).status == Claim.Status.PUBLISHED


def test_the_contribution_stays_after_the_content_is_changed_back(make_claim, analyst, reviewer):
    claim = make_claim(analyst)
    original = claim.text
    services.claim_update(claim=claim, user=reviewer, text="Something else.")
    services.claim_update(claim=claim, user=analyst, text=original)
    services.claim_submit(claim=claim, user=analyst)
    with pytest.raises(NotAllowed):
        services.claim_approve(claim=claim, user=reviewer)


def test_superusers_are_bound_by_their_contributions(make_claim, analyst, superuser):
    claim = make_claim(analyst)
    services.claim_update(claim=claim, user=superuser, text="Edited by the superuser.")
    services.claim_submit(claim=claim, user=analyst)
    assert services.allowed_actions(claim, superuser) == []
    with pytest.raises(NotAllowed):
        services.claim_approve(claim=claim, user=superuser)


def test_api_reviewer_patches_submits_and_approves_another_analysts_draft_is_refused(make_claim, analyst, reviewer, client_for):
    claim = make_claim(analyst)
    client = client_for(reviewer)
    assert client.patch(f"/api/v1/claims/{claim.pk}/", {"text": "The reviewer's words."}, format="json").status_code == 200
    assert client.post(f"/api/v1/claims/{claim.pk}/submit/").status_code == 200
    response = client.post(f"/api/v1/claims/{claim.pk}/approve/")
    assert response.status_code == 403
    assert response.json()["code"] == "four_eyes"
    assert "you contributed to this claim" in response.json()["detail"]
    claim.refresh_from_db()
    assert (claim.status, claim.reviewer) == (Claim.Status.IN_REVIEW, None)


def test_claim_detail_lists_contributors_to_authenticated_callers_only(make_claim, analyst, reviewer, reviewer2, client_for):
    claim = make_claim(analyst)
    services.claim_update(claim=claim, user=reviewer, text="Reworded.")
    services.claim_submit(claim=claim, user=analyst)
    services.claim_approve(claim=claim, user=reviewer2)
    detail = client_for(analyst).get(f"/api/v1/claims/{claim.pk}/").json()
    assert detail["contributors"] == ["analyst", "reviewer"]
    assert "contributors" not in client_for().get(f"/api/v1/claims/{claim.pk}/").json()


def test_review_queues_leave_out_claims_the_reviewer_contributed_to(make_claim, analyst, reviewer, reviewer2, client_for):
    claim = make_claim(analyst)
    services.claim_update(claim=claim, user=reviewer, confidence="low")
    services.claim_submit(claim=claim, user=analyst)
    assert list(selectors.review_queue(reviewer)) == []
    assert list(selectors.review_queue(reviewer2)) == [claim]
    assert client_for(reviewer).get("/api/v1/review-queue/").json()["results"] == []


def test_admin_offers_no_decision_to_a_contributor_and_refuses_one(make_claim, analyst, reviewer, client):
    claim = make_claim(analyst)
    services.claim_update(claim=claim, user=reviewer, text="Reworded in the admin.")
    services.claim_submit(claim=claim, user=analyst)
    client.force_login(reviewer)
    page = client.get(reverse("admin:claims_claim_change", args=[claim.pk]))
    assert reverse("admin:claims_claim_moderate", args=[claim.pk, "approve"]) not in page.content.decode()
    client.post(reverse("admin:claims_claim_moderate", args=[claim.pk, "approve"]), {"version": claim.version + 1})
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.IN_REVIEW


def test_the_author_is_recorded_as_the_first_contributor(make_claim, analyst):
    claim = make_claim(analyst)
    assert list(ClaimContributor.objects.filter(claim=claim).values_list("user__username", flat=True)) == ["analyst"]


def test_restoring_an_old_version_in_the_admin_makes_a_contributor(make_claim, analyst, reviewer, rf):
    from django.contrib.admin.sites import site

    from claims.admin.claim import ClaimAdmin

    claim = make_claim(analyst)
    services.claim_update(claim=claim, user=analyst, text="Second wording.")
    original = claim.history.order_by("history_date", "history_id").first()
    request = rf.post("/")
    request.user = reviewer
    ClaimAdmin(Claim, site).restore_version(request, Claim.objects.get(pk=claim.pk), original)
    assert Claim.objects.get(pk=claim.pk).text == original.text
    services.claim_submit(claim=claim, user=analyst)
    with pytest.raises(NotAllowed):
        services.claim_approve(claim=claim, user=reviewer)


def test_who_changes_a_source_a_claim_in_review_cites_may_not_decide_on_it(make_claim, source, analyst, reviewer, reviewer2):
    """Re-grading the sources of a claim in review silenced its editorial warnings; the
    reviewer who did it then approved it alone."""
    from sources.services import source_update

    claim = make_claim(analyst, status="in_review")
    source_update(source=source, user=reviewer, reliability="A", title="Reuters")
    assert reviewer.username in services.contributors(claim)
    assert "approve" not in services.allowed_actions(claim, reviewer)
    with pytest.raises(NotAllowed):
        services.claim_approve(claim=claim, user=reviewer)
    assert claim not in selectors.review_queue(reviewer)
    assert services.claim_approve(claim=claim, user=reviewer2).status == Claim.Status.PUBLISHED


@pytest.mark.parametrize(
    "change", [{"notes": "Checked against the print edition."}, {"kind": "report"}, {"language": "ru"}, {"retrieved_at": "2025-01-02T03:04:05Z"}]
)
def test_who_changes_what_no_claim_shows_of_a_source_it_cites_may_still_decide_on_it(
    make_claim, source, analyst, reviewer, reviewer2, change
):
    """A source's notes, kind, language and the day it was read are not what a claim shows
    or checks: correcting them changes no claim (no contributor, no new version). Once each
    reviewer had corrected a much-cited source's notes, no claim citing it could be decided.
    Only a reviewer changes them when a published claim cites the source, as before."""
    from django.utils.dateparse import parse_datetime

    from project.errors import NotAllowed as Refused
    from sources.services import source_update

    if "retrieved_at" in change:
        change = {"retrieved_at": parse_datetime(change["retrieved_at"])}
    claim = make_claim(analyst, status="in_review")
    version = claim.version
    source_update(source=source, user=reviewer, **change)
    assert services.contributors(claim) == [analyst.username]
    assert Claim.objects.get(pk=claim.pk).version == version
    assert services.claim_approve(claim=claim, user=reviewer).status == Claim.Status.PUBLISHED
    with pytest.raises(Refused) as refused:
        source_update(source=source, user=analyst, notes="Changed by an analyst.")
    assert refused.value.code == "reviewed_content"


@pytest.mark.parametrize("how", ["rename", "delete"])
def test_who_changes_or_deletes_an_entity_a_claim_in_review_is_tagged_with_may_not_decide_on_it(
    make_claim, analyst, reviewer2, superuser, how
):
    entity = Entity.objects.create(name="Gazprom", slug="gazprom", kind="organization")
    claim = make_claim(analyst)
    services.claim_update(claim=claim, user=analyst, entities=[entity])
    services.claim_submit(claim=claim, user=analyst)
    if how == "rename":
        services.entity_update(entity=entity, user=superuser, name="Gazprom Neft")
    else:
        services.entity_delete(entity=entity, user=superuser)
    with pytest.raises(NotAllowed):
        services.claim_approve(claim=claim, user=superuser)
    assert services.claim_approve(claim=claim, user=reviewer2).status == Claim.Status.PUBLISHED


def test_who_changes_what_a_published_claim_shows_may_not_decide_on_it_after_a_reopening(make_claim, source, analyst, reviewer, reviewer2):
    """A reviewer changed a published claim's source, retracted and reopened it, and
    approved alone what no second person had seen."""
    from sources.services import source_update

    claim = make_claim(analyst, status="published", reviewer=reviewer2)
    source_update(source=source, user=reviewer, reliability="A")
    assert reviewer.username in services.contributors(claim)
    services.claim_retract(claim=claim, user=reviewer, comment="The source was re-graded.")
    services.claim_reopen(claim=claim, user=reviewer, comment="To be reviewed again.")
    services.claim_submit(claim=claim, user=analyst)
    with pytest.raises(NotAllowed):
        services.claim_approve(claim=claim, user=reviewer, comment="Fine.")
    assert services.claim_approve(claim=claim, user=reviewer2, comment="Checked.").status == Claim.Status.PUBLISHED

