"""A write that waited past SQLite's busy timeout answers 503 with Retry-After, not 500."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from claims import views
from claims.admin.claim import ClaimAdmin

pytestmark = pytest.mark.django_db


def _locked(*args, **kwargs):
    raise OperationalError("database is locked")


def test_api_answers_503_when_the_database_is_locked(client_for, analyst, monkeypatch):
    monkeypatch.setattr(views.ClaimViewSet, "create", _locked)
    response = client_for(analyst).post("/api/v1/claims/", {"text": "x"}, format="json")
    assert response.status_code == 503
    assert response.json()["code"] == "database_busy" and int(response["Retry-After"]) > 0


def test_admin_answers_503_when_the_database_is_locked(client, django_user_model, monkeypatch):
    admin = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(admin)
    monkeypatch.setattr(ClaimAdmin, "get_queryset", _locked)
    response = client.get("/admin/claims/claim/")
    assert response.status_code == 503 and int(response["Retry-After"]) > 0


def test_other_database_errors_stay_errors(client_for, analyst, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("no such table: claims_claim")

    monkeypatch.setattr(views.ClaimViewSet, "create", broken)
    with pytest.raises(OperationalError):
        client_for(analyst).post("/api/v1/claims/", {"text": "x"}, format="json")
