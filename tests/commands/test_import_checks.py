"""Imported claims carry their editorial checks, as claims made through the services do."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from claims.models import Claim, Entity, Evidence, Review
from sources.models import Source, Span

pytestmark = pytest.mark.django_db


def test_import_stores_the_editorial_checks_of_the_claims_it_writes(analyst, reviewer, make_claim, tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_claim(analyst, status="in_review", text="Russia voted seven times.")
    make_claim(analyst, text="Russia voted six times.")
    path = tmp_path / "claims.jsonl"
    call_command("export_claims", "--output", str(path), "--with-sources", "--no-progress", stderr=io.StringIO())
    Review.objects.all()._raw_delete(Review.objects.db)
    Evidence.objects.all().delete()
    Claim.objects.all().delete()
    Span.objects.all().delete()
    Source.objects.all().delete()
    Entity.objects.all().delete()
    call_command("import_claims", str(path), "--no-progress", stdout=io.StringIO())
    flagged = Claim.objects.get(text="Russia voted seven times.")
    assert flagged.has_checks
    assert [warning["code"] for warning in flagged.check_warnings] == ["number_not_in_evidence"]
    assert not Claim.objects.get(text="Russia voted six times.").has_checks
