"""Typed text keeps its line breaks as LF, as a source's text does: browsers post a
textarea's breaks as CR LF, so an admin form saved without a change would change the
claim's text (a new version, a history entry, and a contribution that bars the reviewer
who saved it from deciding on the claim)."""

from __future__ import annotations

import pytest

from claims import services
from claims.models import Claim
from sources.services import source_create

pytestmark = pytest.mark.django_db

TEXT = "Russia voted six times for sanctions on Iran.\nChina voted with it."


def test_a_claim_saved_with_crlf_breaks_is_unchanged(make_claim, analyst, reviewer):
    claim = services.claim_update(claim=make_claim(analyst), user=analyst, text=TEXT, notes="First line.\nSecond.")
    services.claim_submit(claim=claim, user=analyst)
    services.claim_request_changes(claim=Claim.objects.get(pk=claim.pk), user=reviewer, comment="Add the dates.")
    claim = Claim.objects.get(pk=claim.pk)
    version, contributors = claim.version, set(claim.contributions.values_list("user__username", flat=True))

    services.claim_update(claim=claim, user=reviewer, text=TEXT.replace("\n", "\r\n"), notes="First line.\r\nSecond.")

    claim = Claim.objects.get(pk=claim.pk)
    assert (claim.text, claim.notes, claim.version) == (TEXT, "First line.\nSecond.", version)
    assert set(claim.contributions.values_list("user__username", flat=True)) == contributors == {"analyst"}


def test_a_claim_and_its_evidence_note_are_stored_with_lf_breaks(source, analyst):
    claim = services.claim_create(
        author=analyst, text=TEXT.replace("\n", "\r\n"), verdict="supported", confidence="moderate", notes="a\rb",
        evidence=[services.EvidenceInput(source=source, quote="Russia voted six times", stance="supports", note="x\r\ny")],
    )
    assert (claim.text, claim.notes, claim.evidence.get().note) == (TEXT, "a\nb", "x\ny")
    evidence = claim.evidence.get()
    services.evidence_update(evidence=evidence, user=analyst, note="p\r\nq")
    evidence.refresh_from_db()
    assert evidence.note == "p\nq"


def test_a_quote_copied_with_crlf_breaks_is_found_in_the_text(analyst):
    source = source_create(user=analyst, title="Two lines", text="The council met.\nIt voted twice.\n")
    claim = services.claim_create(
        author=analyst, text="The council voted twice.", verdict="supported", confidence="moderate",
        evidence=[services.EvidenceInput(source=source, quote="met.\r\nIt voted", stance="supports")],
    )
    span = claim.evidence.get().span
    assert span.quote == "met.\nIt voted" == source.text[span.start:span.end]
