"""``manage.py check_claims``: the editorial checks over a whole database."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from claims.models import Claim

pytestmark = pytest.mark.django_db

TEXT = "Russia voted seven times for UN Security Council sanctions on Iran."


def run(*args) -> str:
    out = StringIO()
    call_command("check_claims", "--no-progress", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_check_claims_reports_each_warning_and_a_summary(make_claim, analyst, reviewer):
    flagged = make_claim(analyst, text=TEXT, status="in_review")
    make_claim(analyst)
    output = run()
    assert f"claim {flagged.pk} (in_review) number_not_in_evidence:" in output
    assert '"seven"' in output
    assert "2 claims checked, 1 with warnings (50.0%)." in output
    assert "  number_not_in_evidence: 1" in output
    assert "Stored warnings" not in output  # what is stored was already current


def test_check_claims_filters_by_status(make_claim, analyst):
    make_claim(analyst, text=TEXT, status="in_review")
    assert "0 claims checked" in run("--status", "published")
    assert "1 claims checked, 1 with warnings" in run("--status", "in_review", "--summary")


def test_check_claims_brings_stale_stored_warnings_up_to_date(make_claim, analyst):
    claim = make_claim(analyst, text=TEXT)
    Claim.objects.filter(pk=claim.pk).update(check_warnings=[], has_checks=False)
    assert "Stored warnings would be updated: 1." in run("--dry-run")
    assert not Claim.objects.get(pk=claim.pk).has_checks
    assert "Stored warnings updated: 1." in run()
    assert Claim.objects.get(pk=claim.pk).has_checks


def test_check_claims_reads_in_batches_the_same_as_in_one(make_claim, analyst):
    for n in ("seven", "eight", "nine"):
        make_claim(analyst, text=f"Russia voted {n} times.")
    make_claim(analyst)
    assert run("--batch-size", "1") == run("--batch-size", "1000")
