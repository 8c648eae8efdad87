"""The admin offers what the services allow (``can_edit``, ``can_delete``,
``allowed_actions``, ``possible_actions``) and saves a claim with its evidence in one
service call: one lock order (sources, then the claim), one version bump."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from claims import services
from claims.admin.claim import ClaimAdmin
from claims.admin.moderation import actions_for
from claims.models import Claim
from django.contrib.admin.sites import site
from sources.services import span_create

from .helpers import claim_url, draft_with_evidence, form_data

pytestmark = pytest.mark.django_db


def test_a_superseded_draft_offers_no_delete_and_refuses_one(client_for, analyst, source):
    previous = draft_with_evidence(analyst, source)
    services.claim_create(author=analyst, text="The correction.", supersedes=previous)
    client = client_for(analyst)
    assert claim_url(previous, "delete") not in client.get(claim_url(previous)).content.decode()
    assert client.post(claim_url(previous, "delete"), {"post": "yes"}).status_code == 302
    assert "is not deleted: Another claim supersedes this one." in client.get(claim_url(previous)).content.decode()
    assert Claim.objects.filter(pk=previous.pk).exists()


def test_a_delete_page_without_the_groups_right_is_still_a_403(client_for, analyst, outsider, source):
    claim = draft_with_evidence(analyst, source)
    outsider.is_staff = True
    outsider.save()
    assert client_for(outsider).post(claim_url(claim, "delete"), {"post": "yes"}).status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_the_admins_delete_permission_is_the_services_rule(analyst, source):
    claim = draft_with_evidence(analyst, source)
    request = RequestFactory().get("/")
    request.user = analyst
    model_admin = ClaimAdmin(Claim, site)
    assert model_admin.has_delete_permission(request, claim) is services.can_delete(analyst, claim) is True
    services.claim_create(author=analyst, text="A correction.", supersedes=claim)
    assert model_admin.has_delete_permission(request, claim) is services.can_delete(analyst, claim) is False


def test_bulk_actions_offered_are_those_the_roles_allow(analyst, reviewer):
    everything = {f"{action}_selected": None for action in services.TRANSITIONS}
    assert sorted(actions_for(analyst, everything)) == ["reopen_selected", "submit_selected"]
    assert sorted(actions_for(reviewer, everything)) == sorted(everything)


def test_a_claim_save_with_new_changed_and_removed_evidence_bumps_the_version_once(client_for, analyst, source):
    claim = draft_with_evidence(analyst, source)
    extra, _ = span_create(source=source, quote="Russia voted again.")
    services.evidence_add(claim=claim, user=analyst, item=services.EvidenceInput(span=extra, stance="context"))
    claim.refresh_from_db()
    version = claim.version
    client = client_for(analyst)
    data = form_data(client.get(claim_url(claim)), "claim_form")
    another, _ = span_create(source=source, quote="Curly quotes")
    data.update({
        "text": "Reworded with its evidence.",
        "evidence-0-stance": "refutes",
        "evidence-1-DELETE": "on",
        "evidence-2-0-span": str(another.pk),
        "evidence-2-0-stance": "context",
    })
    assert client.post(claim_url(claim), data).status_code == 302
    claim.refresh_from_db()
    assert claim.text == "Reworded with its evidence."
    assert claim.version == version + 1
    assert sorted(claim.evidence.values_list("stance", flat=True)) == ["context", "refutes"]


def test_a_refused_part_of_a_claim_save_keeps_nothing(client_for, analyst, analyst2, source):
    claim = draft_with_evidence(analyst, source)
    version = claim.version
    client = client_for(analyst)
    data = form_data(client.get(claim_url(claim)), "claim_form")
    used = claim.evidence.get().span
    data.update({"text": "This must not stay.", "evidence-2-0-span": str(used.pk), "evidence-2-0-stance": "context"})
    client.post(claim_url(claim), data)
    claim.refresh_from_db()
    assert (claim.text, claim.version) != ("This must not stay.", version + 1)
    assert claim.version == version
