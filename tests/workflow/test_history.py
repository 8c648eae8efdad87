"""Field-level history (django-simple-history) on Source, Span, Claim and Evidence: every
change the services make is recorded with the acting user, and diffs name the fields."""

from __future__ import annotations

import pytest

from claims import services
from claims.models import Evidence
from project.errors import NotAllowed
from sources.models import Span
from sources.services import source_create, source_update, span_create, span_delete

pytestmark = pytest.mark.django_db

# Bookkeeping that changes on every save; the diffs below are about everything else.
BOOKKEEPING = {"updated_at"}


def _changed(record, *, all_fields: bool = False) -> set[str]:
    """The fields ``record`` changed compared with the record before it.

    ``diff_against`` compares editable fields only (it goes through ``model_to_dict``), so
    ``version``, ``submitted_at``, ``published_at`` and the derived source fields need a
    comparison over every tracked field: ``all_fields``.
    """
    previous = record.prev_record
    assert previous is not None, "expected an earlier history record"
    if all_fields:
        changed = {
            field.name
            for field in record.tracked_fields
            if getattr(record, field.attname) != getattr(previous, field.attname)
        }
    else:
        changed = set(record.diff_against(previous).changed_fields)
    return changed - BOOKKEEPING


def test_source_creation_and_edit_are_recorded_with_the_user(analyst, reviewer):
    source = source_create(user=analyst, title="Report", text="Iran and Russia met.")
    created = source.history.latest()
    assert (created.history_type, created.history_user) == ("+", analyst)

    source_update(source=source, user=reviewer, title="Report (final)", text="Iran and Russia met twice.")

    edited = source.history.latest()
    assert (edited.history_type, edited.history_user) == ("~", reviewer)
    assert _changed(edited) == {"title", "text"}
    assert _changed(edited, all_fields=True) == {"title", "text", "text_sha256", "text_length"}
    change = {c.field: (c.old, c.new) for c in edited.diff_against(edited.prev_record).changes}
    assert change["title"] == ("Report", "Report (final)")


def test_span_creation_and_reanchoring_are_recorded_with_the_user(analyst, reviewer):
    source = source_create(user=analyst, title="Report", text="Iran and Russia met.")
    span, _ = span_create(source=source, user=analyst, quote="Russia met")
    assert span.history.latest().history_user == analyst

    source_update(source=source, user=reviewer, text="In 2016, Iran and Russia met.")

    moved = span.history.latest()
    assert (moved.history_type, moved.history_user) == ("~", reviewer)
    assert {"start", "end", "anchor_state"} <= _changed(moved)
    assert (moved.start, moved.anchor_state) == (18, Span.AnchorState.RELOCATED)


def test_span_deletion_is_recorded_with_the_user(analyst, reviewer):
    source = source_create(user=analyst, title="Report", text="Iran and Russia met.")
    span, _ = span_create(source=source, user=analyst, quote="Iran")
    span_id = span.pk
    span_delete(span=span, user=reviewer)
    record = Span.history.filter(id=span_id).latest()
    assert (record.history_type, record.history_user) == ("-", reviewer)


def test_claim_creation_is_recorded_with_its_author(make_claim, analyst):
    claim = make_claim(analyst)
    record = claim.history.earliest()
    assert (record.history_type, record.history_user, record.status) == ("+", analyst, "draft")


def test_each_transition_is_recorded_with_the_acting_user_and_changed_fields(
    make_claim, analyst, reviewer
):
    claim = make_claim(analyst)
    services.claim_submit(claim=claim, user=analyst)
    submitted = claim.history.latest()
    assert submitted.history_user == analyst
    assert _changed(submitted) == {"status"}
    assert _changed(submitted, all_fields=True) == {"status", "version", "submitted_at"}
    assert submitted.history_change_reason == "submit"

    services.claim_approve(claim=claim, user=reviewer, comment="Solid.")
    approved = claim.history.latest()
    assert approved.history_user == reviewer
    assert _changed(approved) == {"status", "reviewer"}
    assert _changed(approved, all_fields=True) == {"status", "version", "reviewer", "published_at"}
    assert approved.history_change_reason == "approve: Solid."
    change = {c.field: (c.old, c.new) for c in approved.diff_against(submitted).changes}
    assert change["status"] == ("in_review", "published")
    assert change["reviewer"] == (None, reviewer.pk)


def test_failed_transition_records_no_history(make_claim, analyst, analyst2):
    claim = make_claim(analyst, status="in_review")
    count = claim.history.count()
    with pytest.raises(NotAllowed):
        services.claim_approve(claim=claim, user=analyst2)
    assert claim.history.count() == count


def test_content_edit_diff_shows_exactly_the_changed_fields(make_claim, analyst, reviewer):
    claim = make_claim(analyst, verdict="supported", confidence="high")
    services.claim_update(claim=claim, user=reviewer, verdict="disputed", confidence="low")
    record = claim.history.latest()
    assert record.history_user == reviewer
    assert _changed(record) == {"verdict", "confidence"}
    assert _changed(record, all_fields=True) == {"verdict", "confidence", "version"}
    change = {c.field: (c.old, c.new) for c in record.diff_against(record.prev_record).changes}
    assert change["verdict"] == ("supported", "disputed")
    assert (record.prev_record.version, record.version) == (1, 2)


def test_evidence_add_change_and_removal_are_recorded_with_the_user(make_claim, analyst, reviewer, source):
    claim = make_claim(analyst)
    evidence = services.evidence_add(
        claim=claim,
        user=reviewer,
        item=services.EvidenceInput(source=source, quote="Moscow later said", stance="context"),
    )
    assert (evidence.history.latest().history_type, evidence.history.latest().history_user) == (
        "+",
        reviewer,
    )
    # The claim's version moved, and its history says who moved it.
    assert claim.history.latest().history_user == reviewer
    assert claim.history.latest().history_change_reason == "Evidence added"

    services.evidence_update(evidence=evidence, user=analyst, stance="refutes")
    changed = evidence.history.latest()
    assert changed.history_user == analyst
    assert _changed(changed) == {"stance"}

    services.evidence_remove(evidence=evidence, user=reviewer)
    removed = Evidence.history.filter(id=evidence.pk).latest()
    assert (removed.history_type, removed.history_user) == ("-", reviewer)


def test_deleting_a_draft_records_who_deleted_it_and_its_evidence(make_claim, analyst):
    claim = make_claim(analyst)
    claim_id, evidence_id = claim.pk, claim.evidence.get().pk
    services.claim_delete(claim=claim, user=analyst)
    claim_record = claim.history.model.objects.filter(id=claim_id).latest()
    evidence_record = Evidence.history.filter(id=evidence_id).latest()
    assert (claim_record.history_type, claim_record.history_user) == ("-", analyst)
    assert (evidence_record.history_type, evidence_record.history_user) == ("-", analyst)
