"""The invariants the database holds by itself, whatever code writes to it.

Each test goes around the services (``Model.objects.create``, ``QuerySet.update``) to show
that the database, not only the service, refuses the bad row.
"""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from project.errors import Conflict
from claims.models import Claim, Evidence, Review
from sources.models import Source, Span
from sources.services import source_create, source_update

from ..support import SAMPLE_TEXT

pytestmark = pytest.mark.django_db


def refused_by_database(write) -> None:
    """``write`` raises IntegrityError; the savepoint keeps the test's transaction usable."""
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def _span(source: Source, start: int, end: int) -> Span:
    return Span.objects.create(source=source, start=start, end=end, quote=source.text[start:end])


# ---------------------------------------------------------------------------------------------
# Span offsets


def test_span_start_cannot_be_negative_in_the_database(source):
    refused_by_database(lambda: _span(source, -1, 5))
    span = _span(source, 0, 6)
    refused_by_database(lambda: Span.objects.filter(pk=span.pk).update(start=-1))


@pytest.mark.parametrize(("start", "end"), [(10, 10), (10, 9)], ids=["empty", "reversed"])
def test_span_start_must_be_before_end_in_the_database(source, start, end):
    refused_by_database(lambda: _span(source, start, end))
    span = _span(source, 0, 6)
    refused_by_database(lambda: Span.objects.filter(pk=span.pk).update(start=start, end=end))


def test_span_with_valid_offsets_is_stored(source):
    span = _span(source, 0, 6)
    assert Span.objects.get(pk=span.pk).quote == "Russia"


@pytest.mark.parametrize(
    ("start", "end", "quote"),
    [(0, len(SAMPLE_TEXT) + 1, SAMPLE_TEXT), (0, 6, "Moscow")],
    ids=["past-the-end", "quote-elsewhere"],
)
def test_span_model_validation_checks_the_source_text(source, start, end, quote):
    # What a CHECK constraint cannot see (the source's length and text) the model checks.
    with pytest.raises(ValidationError):
        Span(source=source, start=start, end=end, quote=quote).full_clean()


def test_orphaned_span_keeps_a_quote_that_left_the_text(source):
    Span(source=source, start=0, end=6, quote="Moscow", anchor_state="orphaned").full_clean()


def test_span_anchor_state_is_one_of_the_three_in_the_database(source):
    span = _span(source, 0, 6)
    refused_by_database(lambda: Span.objects.filter(pk=span.pk).update(anchor_state="lost"))


# ---------------------------------------------------------------------------------------------
# Evidence


def test_one_evidence_row_per_claim_and_span(make_claim, analyst):
    claim = make_claim(analyst)
    existing = claim.evidence.get()
    refused_by_database(
        lambda: Evidence.objects.create(claim=claim, span=existing.span, stance="refutes")
    )
    # The same span may back another claim.
    other = make_claim(analyst, text="Another claim on the same words.")
    assert other.evidence.get().span_id == existing.span_id


def test_evidence_stance_is_one_of_the_three_in_the_database(make_claim, analyst):
    claim = make_claim(analyst)
    refused_by_database(lambda: claim.evidence.update(stance="neutral"))


# ---------------------------------------------------------------------------------------------
# Sources


def test_source_url_is_unique_when_set(analyst):
    Source.objects.create(title="A", text="a", url="https://example.org/a")
    refused_by_database(
        lambda: Source.objects.create(title="B", text="b", url="https://example.org/a")
    )


def test_many_sources_may_have_no_url(analyst):
    for index in range(3):
        Source.objects.create(title=f"No URL {index}", text="text", url=None)
    # A blank URL means "no URL" too.
    for index in range(2):
        Source.objects.create(title=f"Blank URL {index}", text="text", url="")
    assert Source.objects.filter(url__isnull=True).count() == 5


def test_source_create_service_answers_a_taken_url_as_a_conflict(analyst):
    taken = source_create(user=analyst, title="A", text="a", url="https://example.org/a")
    with pytest.raises(Conflict) as caught:
        source_create(user=analyst, title="B", text="b", url="https://example.org/a")
    assert caught.value.code == "duplicate_url"
    assert caught.value.extra["errors"] == {"url": [f"A source with this URL already exists: #{taken.pk} (“A”, https://example.org/a)."]}
    assert Source.objects.count() == 1


def test_source_update_answers_a_taken_url_as_a_conflict(analyst):
    source_create(user=analyst, title="A", text="a", url="https://example.org/a")
    other = source_create(user=analyst, title="B", text="b", url="https://example.org/b")
    with pytest.raises(Conflict) as caught:
        source_update(source=other, user=analyst, url="https://example.org/a")
    assert caught.value.code == "duplicate_url"
    assert caught.value.extra["errors"]["url"][0].startswith("A source with this URL already exists: #")
    assert Source.objects.get(pk=other.pk).url == "https://example.org/b"
    # Keeping one's own URL is no conflict.
    source_update(source=other, user=analyst, title="B2", url="https://example.org/b")


def test_source_reliability_is_a_to_f_in_the_database(source):
    refused_by_database(lambda: Source.objects.filter(pk=source.pk).update(reliability="G"))


def test_source_text_sha256_and_length_are_derived_from_the_text(analyst):
    text = "Emoji 🙂 count once; “quotes” too.\n"
    source = source_create(user=analyst, title="Derived", text=text)
    stored = Source.objects.get(pk=source.pk)
    assert stored.text_sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    # Code points, not UTF-8 bytes nor UTF-16 units.
    assert stored.text_length == len(text) == 34

    new_text = text + "More."
    source_update(source=stored, user=analyst, text=new_text)
    stored.refresh_from_db()
    assert stored.text_sha256 == hashlib.sha256(new_text.encode("utf-8")).hexdigest()
    assert stored.text_length == len(new_text)


def test_source_derived_fields_ignore_what_the_caller_sets(analyst):
    source = Source(title="Forged", text="abc", text_sha256="0" * 64, text_length=99)
    source.save()
    assert (source.text_sha256, source.text_length) == (hashlib.sha256(b"abc").hexdigest(), 3)


def test_source_text_is_stored_verbatim(analyst):
    text = "  <sup>1</sup> leading and trailing spaces stay  \n"
    source = source_create(user=analyst, title="Verbatim", text=text)
    assert Source.objects.get(pk=source.pk).text == text


# ---------------------------------------------------------------------------------------------
# Claims


def test_reviewer_cannot_be_the_author_even_bypassing_the_services(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="published", reviewer=reviewer)
    refused_by_database(lambda: Claim.objects.filter(pk=claim.pk).update(reviewer=analyst))
    refused_by_database(lambda: Claim.objects.filter(pk=claim.pk).update(author=reviewer))
    claim.refresh_from_db()
    assert (claim.author, claim.reviewer) == (analyst, reviewer)


def test_reviewer_constraint_allows_no_reviewer(make_claim, analyst):
    claim = make_claim(analyst)
    Claim.objects.filter(pk=claim.pk).update(reviewer=None)


def test_published_claim_needs_a_reviewer(make_claim, analyst):
    claim = make_claim(analyst, status="in_review")
    refused_by_database(lambda: Claim.objects.filter(pk=claim.pk).update(status="published"))


def test_published_claim_needs_a_confidence(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="published", reviewer=reviewer)
    refused_by_database(lambda: Claim.objects.filter(pk=claim.pk).update(confidence=""))
    # Before publication, confidence is optional.
    draft = make_claim(analyst, text="A draft.")
    Claim.objects.filter(pk=draft.pk).update(confidence="")


def test_claim_period_must_be_ordered(make_claim, analyst):
    claim = make_claim(analyst)
    refused_by_database(
        lambda: Claim.objects.filter(pk=claim.pk).update(
            period_start=datetime.date(2010, 6, 1), period_end=datetime.date(2006, 6, 1)
        )
    )
    # One-day periods and open ends are fine.
    Claim.objects.filter(pk=claim.pk).update(
        period_start=datetime.date(2006, 6, 1), period_end=datetime.date(2006, 6, 1)
    )
    Claim.objects.filter(pk=claim.pk).update(period_start=None, period_end=datetime.date(2006, 6, 1))


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "archived"), ("verdict", "true"), ("confidence", "certain")],
)
def test_claim_choices_are_enforced_by_the_database(make_claim, analyst, field, value):
    claim = make_claim(analyst)
    refused_by_database(lambda: Claim.objects.filter(pk=claim.pk).update(**{field: value}))


def test_claim_cannot_supersede_itself_in_the_database(make_claim, analyst):
    claim = make_claim(analyst)
    refused_by_database(lambda: Claim.objects.filter(pk=claim.pk).update(supersedes=claim))


# ---------------------------------------------------------------------------------------------
# The moderation log is append-only


@pytest.fixture
def review(make_claim, analyst) -> Review:
    claim = make_claim(analyst, status="in_review")
    return claim.reviews.get()


def test_review_cannot_be_changed(review):
    original = review.comment
    review.comment = "Rewritten history."
    with pytest.raises(ValueError):
        review.save()
    assert Review.objects.get(pk=review.pk).comment == original


def test_review_cannot_be_deleted(review):
    with pytest.raises(ValueError):
        review.delete()
    assert Review.objects.filter(pk=review.pk).exists()


def test_reviews_cannot_be_changed_or_deleted_in_bulk(review):
    original = review.comment
    with pytest.raises(ValueError):
        Review.objects.filter(pk=review.pk).update(comment="Rewritten history.")
    with pytest.raises(ValueError):
        Review.objects.filter(pk=review.pk).delete()
    with pytest.raises(ValueError):
        review.claim.reviews.all().delete()
    assert Review.objects.get(pk=review.pk).comment == original


def test_claim_with_reviews_cannot_be_deleted_around_the_services(review):
    # The log protects its claim: deleting the claim would orphan the log.
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        review.claim.delete()
