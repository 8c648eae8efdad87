"""Everything approval needs is checked at submission: a claim never waits in the review
queue for something its author must fix, and the refusal names every missing thing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from claims import services
from claims.models import Claim
from project.errors import Conflict

pytestmark = pytest.mark.django_db


def test_submit_lists_everything_approval_still_needs(make_claim, analyst):
    claim = make_claim(analyst, verdict="unverified", confidence="")
    with pytest.raises(Conflict) as refused:
        services.claim_submit(claim=claim, user=analyst)
    assert refused.value.message == (
        "Before submitting it, the claim needs a verdict other than unverified and a confidence."
    )
    assert refused.value.extra["missing"] == ["verdict_unverified", "confidence_missing"]
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.DRAFT


def test_submit_needs_stances_that_agree_with_the_verdict(make_claim, analyst):
    claim = make_claim(analyst, verdict="refuted", stance="supports")
    with pytest.raises(Conflict) as refused:
        services.claim_submit(claim=claim, user=analyst)
    assert refused.value.code == "evidence_mismatch"
    assert "'refutes' evidence for a refuted verdict" in refused.value.message


def test_api_submit_answers_409_with_what_is_missing(make_claim, analyst):
    claim = make_claim(analyst, verdict="supported", confidence="", stance="context")
    client = APIClient()
    client.force_authenticate(analyst)
    response = client.post(f"/api/v1/claims/{claim.pk}/submit/")
    assert response.status_code == 409
    body = response.json()
    assert body["missing"] == ["confidence_missing", "evidence_mismatch"]
    assert "a confidence and 'supports' evidence for a supported verdict" in body["detail"]


def test_a_complete_claim_is_submitted(make_claim, analyst):
    claim = make_claim(analyst, verdict="unverifiable", stance="context", confidence="low")
    assert services.claim_submit(claim=claim, user=analyst).status == Claim.Status.IN_REVIEW
