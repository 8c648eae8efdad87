"""OPTIONS names the endpoint and points at the OpenAPI schema; it describes no fields (DRF's
per-field ``actions`` came from one serializer per view and were wrong on most endpoints)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/claims/",
        "/api/v1/claims/{claim}/",
        "/api/v1/claims/{claim}/relations/",
        "/api/v1/spans/",
        "/api/v1/sources/",
        "/api/v1/evidence/",
        "/api/v1/entities/",
        "/api/v1/review-queue/",
        "/api/v1/changes/",
    ],
)
def test_options_points_at_the_schema_and_lists_no_fields(client_for, reviewer, corpus, path):
    response = client_for(reviewer).options(path.format(claim=corpus.draft.pk))
    assert response.status_code == 200, response.content
    body = response.json()
    assert "actions" not in body
    assert body["schema"] == "http://testserver/api/schema/"
    assert body["renders"] == ["application/json"] or "application/json" in body["renders"]
    assert response["Allow"]
