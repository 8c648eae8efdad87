"""Every admin page of the project opens for the people who use it."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "admin:index",
        "admin:claims_claim_changelist",
        "admin:claims_claim_add",
        "admin:claims_entity_changelist",
        "admin:claims_evidence_changelist",
        "admin:claims_review_changelist",
        "admin:sources_source_changelist",
        "admin:sources_source_add",
        "admin:sources_span_changelist",
        "admin:sources_span_add",
        "admin:claims_claim_review_queue",
    ],
)
def test_admin_pages_open_for_a_reviewer(client_for, reviewer, make_claim, analyst, name):
    make_claim(analyst, status="in_review")
    response = client_for(reviewer).get(reverse(name))
    assert response.status_code == 200
