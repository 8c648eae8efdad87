"""Content (text, verdict, confidence, entities, period, evidence) changes only in draft and
changes requested, by the claim's author or a reviewer; anything else is a domain error."""

from __future__ import annotations

import datetime

import pytest

from claims import services
from claims.models import Claim, Entity, Evidence
from project.errors import Conflict, InvalidInput, NotAllowed, StaleVersion
from sources.models import Span
from sources.services import span_create

pytestmark = pytest.mark.django_db

FROZEN = ["in_review", "published", "rejected", "retracted"]
EDITABLE = ["draft", "changes_requested"]


@pytest.fixture
def entity(db) -> Entity:
    return Entity.objects.create(name="Russia", slug="russia", kind="country", wikidata_id="Q159")


@pytest.fixture
def other_span(source) -> Span:
    span, _ = span_create(source=source, quote="Moscow later said the sanctions went too far.")
    return span


def _content(claim: Claim) -> tuple:
    claim.refresh_from_db()
    evidence = sorted(claim.evidence.values_list("span_id", "stance", "note"))
    entities = sorted(claim.entities.values_list("pk", flat=True))
    return (
        claim.text,
        claim.verdict,
        claim.confidence,
        claim.period_start,
        claim.period_end,
        claim.notes,
        claim.version,
        evidence,
        entities,
    )


# Every way of changing content, as (name, call(claim, user, context)).
EDITS = {
    "text": lambda claim, user, ctx: services.claim_update(claim=claim, user=user, text="Reworded."),
    "verdict": lambda claim, user, ctx: services.claim_update(claim=claim, user=user, verdict="refuted"),
    "confidence": lambda claim, user, ctx: services.claim_update(
        claim=claim, user=user, confidence="low"
    ),
    "entities": lambda claim, user, ctx: services.claim_update(
        claim=claim, user=user, entities=[ctx["entity"]]
    ),
    "period": lambda claim, user, ctx: services.claim_update(
        claim=claim,
        user=user,
        period_start=datetime.date(2006, 6, 1),
        period_end=datetime.date(2010, 6, 30),
    ),
    "notes": lambda claim, user, ctx: services.claim_update(claim=claim, user=user, notes="See p. 2."),
    "evidence_add": lambda claim, user, ctx: services.evidence_add(
        claim=claim, user=user, item=services.EvidenceInput(span=ctx["other_span"], stance="context")
    ),
    "evidence_add_by_quote": lambda claim, user, ctx: services.evidence_add(
        claim=claim,
        user=user,
        item=services.EvidenceInput(source=ctx["source"], quote="Russia voted again", stance="refutes"),
    ),
    "evidence_update": lambda claim, user, ctx: services.evidence_update(
        evidence=claim.evidence.get(), user=user, stance="refutes", note="On reflection."
    ),
    "evidence_remove": lambda claim, user, ctx: services.evidence_remove(
        evidence=claim.evidence.get(), user=user
    ),
}


@pytest.fixture
def context(entity, other_span, source) -> dict:
    return {"entity": entity, "other_span": other_span, "source": source}


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("status", FROZEN)
def test_content_is_frozen_outside_draft_and_changes_requested(
    make_claim, analyst, reviewer, context, status, edit
):
    claim = make_claim(analyst, status=status, reviewer=reviewer)
    before = _content(claim)
    for user in (analyst, reviewer):
        with pytest.raises(Conflict) as caught:
            EDITS[edit](claim, user, context)
        assert caught.value.code == "content_frozen"
        assert caught.value.status_code == 409
    assert _content(claim) == before


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("status", EDITABLE)
def test_author_edits_content_in_draft_and_changes_requested(
    make_claim, analyst, reviewer, context, status, edit
):
    claim = make_claim(analyst, status=status, reviewer=reviewer)
    before = _content(claim)

    EDITS[edit](claim, analyst, context)

    after = _content(claim)
    assert after != before
    # One edit, one version.
    assert after[6] == before[6] + 1


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_reviewer_may_edit_someone_elses_draft(make_claim, analyst, reviewer, context, edit):
    claim = make_claim(analyst)
    before = _content(claim)
    EDITS[edit](claim, reviewer, context)
    assert _content(claim) != before


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("who", ["analyst2", "outsider"])
def test_only_author_or_reviewer_edits_content(make_claim, analyst, context, request, edit, who):
    claim = make_claim(analyst)
    before = _content(claim)
    with pytest.raises(NotAllowed) as caught:
        EDITS[edit](claim, request.getfixturevalue(who), context)
    assert caught.value.code == "not_editor"
    assert _content(claim) == before


def test_content_edit_stays_frozen_for_superuser_too(make_claim, analyst, reviewer, superuser):
    claim = make_claim(analyst, status="published", reviewer=reviewer)
    with pytest.raises(Conflict):
        services.claim_update(claim=claim, user=superuser, text="Quietly changed.")


def test_edit_unfreezes_after_changes_are_requested(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="in_review")
    with pytest.raises(Conflict):
        services.claim_update(claim=claim, user=analyst, confidence="moderate")
    services.claim_request_changes(claim=claim, user=reviewer, comment="Lower the confidence.")
    updated = services.claim_update(claim=claim, user=analyst, confidence="moderate")
    assert updated.confidence == "moderate"


def test_reopened_claim_is_editable_again(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="rejected", reviewer=reviewer)
    services.claim_reopen(claim=claim, user=analyst, comment="Will fix.")
    assert services.claim_update(claim=claim, user=analyst, text="Fixed.").text == "Fixed."


def test_edit_that_changes_nothing_keeps_the_version_and_the_history(make_claim, analyst, entity):
    claim = make_claim(analyst, text="Same words.", verdict="supported", confidence="high")
    services.claim_update(claim=claim, user=analyst, entities=[entity])
    before, records = _content(claim), claim.history.count()

    services.claim_update(
        claim=claim, user=analyst, text="Same words.", verdict="supported", entities=[entity.pk]
    )
    services.evidence_update(evidence=claim.evidence.get(), user=analyst, stance="supports")

    assert _content(claim) == before
    assert claim.history.count() == records
    # Whereas a real change moves it on.
    services.claim_update(claim=claim, user=analyst, text="Other words.")
    assert _content(claim)[6] == before[6] + 1


def test_content_edit_with_stale_version_is_refused(make_claim, analyst):
    claim = make_claim(analyst)
    before = _content(claim)
    with pytest.raises(StaleVersion):
        services.claim_update(
            claim=claim, user=analyst, expected_version=claim.version - 1, text="Too late."
        )
    assert _content(claim) == before
    services.claim_update(claim=claim, user=analyst, expected_version=claim.version, text="In time.")
    assert _content(claim)[0] == "In time."


@pytest.mark.parametrize(
    "changes",
    [
        {"verdict": "probably"},
        {"confidence": "certain"},
        {"text": "x" * 501},
        {"text": ""},
        {"period_start": datetime.date(2010, 1, 1), "period_end": datetime.date(2009, 1, 1)},
    ],
    ids=["verdict", "confidence", "text-too-long", "text-empty", "period-reversed"],
)
def test_invalid_content_is_refused_as_invalid_input(make_claim, analyst, changes):
    claim = make_claim(analyst)
    before = _content(claim)
    with pytest.raises(InvalidInput):
        services.claim_update(claim=claim, user=analyst, **changes)
    assert _content(claim) == before


def test_workflow_fields_are_not_content(make_claim, analyst):
    claim = make_claim(analyst)
    for field in ("status", "reviewer", "version", "author", "published_at"):
        with pytest.raises(InvalidInput):
            services.claim_update(claim=claim, user=analyst, **{field: None})
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.DRAFT


def test_confidence_none_clears_it(make_claim, analyst):
    claim = make_claim(analyst, confidence="high")
    assert services.claim_update(claim=claim, user=analyst, confidence=None).confidence == ""


def test_same_span_cannot_be_evidence_twice_for_a_claim(make_claim, analyst, source):
    claim = make_claim(analyst, quote="Russia voted six times")
    before = _content(claim)
    with pytest.raises(Conflict) as caught:
        services.evidence_add(
            claim=claim,
            user=analyst,
            item=services.EvidenceInput(source=source, quote="Russia voted six times", stance="refutes"),
        )
    assert caught.value.code == "duplicate_evidence"
    assert _content(claim) == before


def test_orphaned_span_cannot_become_evidence(make_claim, analyst, other_span):
    claim = make_claim(analyst)
    Span.objects.filter(pk=other_span.pk).update(anchor_state=Span.AnchorState.ORPHANED)
    # The caller's copy still says anchored; the service reads the span afresh.
    assert other_span.anchor_state == Span.AnchorState.ANCHORED
    with pytest.raises(InvalidInput) as caught:
        services.evidence_add(claim=claim, user=analyst, item=services.EvidenceInput(span=other_span))
    assert caught.value.code == "span_orphaned"
    assert claim.evidence.count() == 1


def test_unknown_stance_is_refused(make_claim, analyst, other_span):
    claim = make_claim(analyst)
    with pytest.raises(InvalidInput):
        services.evidence_add(
            claim=claim, user=analyst, item=services.EvidenceInput(span=other_span, stance="maybe")
        )
    with pytest.raises(InvalidInput):
        services.evidence_update(evidence=claim.evidence.get(), user=analyst, stance="maybe")
    assert list(claim.evidence.values_list("stance", flat=True)) == ["supports"]


def test_claim_create_is_all_or_nothing(analyst, source):
    claims_before, evidence_before, spans_before = (
        Claim.objects.count(),
        Evidence.objects.count(),
        Span.objects.count(),
    )
    with pytest.raises(InvalidInput) as caught:
        services.claim_create(
            author=analyst,
            text="Two pieces of evidence, the second one not in the source.",
            evidence=[
                services.EvidenceInput(source=source, quote="Moscow later said"),
                services.EvidenceInput(source=source, quote="not in the text at all"),
            ],
        )
    assert caught.value.extra["evidence_index"] == 1
    assert (Claim.objects.count(), Evidence.objects.count(), Span.objects.count()) == (
        claims_before,
        evidence_before,
        spans_before,
    )


def test_claim_create_needs_an_analyst(outsider):
    with pytest.raises(NotAllowed):
        services.claim_create(author=outsider, text="Not allowed to say this.")
    assert not Claim.objects.exists()


def test_deleting_a_draft_by_a_version_that_is_no_longer_current_deletes_nothing(make_claim, analyst, reviewer):
    """The check under the claim's lock, where the API's early If-Match check cannot see an
    edit that raced in after it."""
    claim = make_claim(analyst)
    seen = claim.version
    services.claim_update(claim=claim, user=reviewer, notes="Edited meanwhile.")
    with pytest.raises(StaleVersion):
        services.claim_delete(claim=claim, user=analyst, expected_version=seen)
    assert Claim.objects.filter(pk=claim.pk).exists()
    services.claim_delete(claim=claim, user=analyst, expected_version=Claim.objects.get(pk=claim.pk).version)
    assert not Claim.objects.filter(pk=claim.pk).exists()
