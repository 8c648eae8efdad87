"""The demo corpus: seeds verbatim, every span exact, statuses consistent, loading idempotent."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.demo import load_corpus
from claims.models import Claim, Entity, Evidence, Review
from sources.models import Source, Span

from .support import SEEDS_DIR, STATUS_PATHS

pytestmark = pytest.mark.django_db

# The path through the workflow behind each status, as Review actions.
EXPECTED_ACTIONS = STATUS_PATHS


@pytest.fixture
def seeded(db):
    call_command("seed_demo", "--password", "demo-password-1", stdout=StringIO())


def snapshot() -> dict:
    return {
        "sources": list(Source.objects.values_list("pk", "text_sha256", "updated_at")),
        "spans": list(Span.objects.values_list("pk", "start", "end", "quote", "updated_at")),
        "entities": list(Entity.objects.values_list("pk", "slug")),
        "claims": list(Claim.objects.values_list("pk", "status", "version", "updated_at")),
        "evidence": list(Evidence.objects.values_list("pk", "claim_id", "span_id", "stance")),
        "reviews": list(Review.objects.values_list("pk", "claim_id", "action")),
        "users": list(User.objects.values_list("pk", "username", "password")),
    }


def test_every_seed_is_stored_byte_for_byte(seeded):
    seeds = sorted(SEEDS_DIR.glob("*.txt"))
    assert len(seeds) == 5
    stored = set(Source.objects.values_list("text_sha256", flat=True))
    for seed in seeds:
        digest = hashlib.sha256(seed.read_bytes()).hexdigest()
        assert digest in stored, f"{seed.name} is not stored verbatim"
    for source in Source.objects.all():
        assert hashlib.sha256(source.text.encode("utf-8")).hexdigest() == source.text_sha256
        assert source.text_length == len(source.text)


def test_seed_004_keeps_its_literal_markup(seeded):
    text = Source.objects.get(authors__icontains="Vatanka").text
    assert "<sup>" in text
    assert "\\$" in text


def test_every_span_quote_equals_the_source_text(seeded):
    spans = Span.objects.select_related("source")
    assert spans.count() >= 40
    for span in spans:
        assert span.anchor_state == Span.AnchorState.ANCHORED
        assert span.source.text[span.start : span.end] == span.quote
        assert span.source.text[max(0, span.start - 32) : span.start] == span.prefix
        assert span.source.text[span.end : span.end + 32] == span.suffix


def test_demo_claims_cover_every_seed_and_status(seeded):
    corpus = load_corpus()
    assert Claim.objects.count() == len(corpus["claims"]) >= 40
    assert Entity.objects.count() >= 15
    for source in Source.objects.all():
        assert Claim.objects.filter(evidence__span__source=source).distinct().count() >= 4
    counts = {status: Claim.objects.filter(status=status).count() for status in EXPECTED_ACTIONS}
    assert counts["published"] >= 10
    assert counts["in_review"] >= 1 and counts["draft"] >= 1
    assert counts["changes_requested"] >= 1 and counts["rejected"] >= 1
    assert counts["retracted"] >= 1
    assert Claim.objects.filter(verdict__in=["disputed", "refuted"]).exists()


def test_the_six_votes_claim_is_published_with_evidence(seeded):
    claim = Claim.objects.get(text__icontains="voted six times")
    assert claim.status == "published"
    quotes = " ".join(claim.evidence.values_list("span__quote", flat=True))
    assert "six occasions" in quotes


def test_statuses_reviewers_and_review_rows_agree(seeded):
    for claim in Claim.objects.prefetch_related("reviews", "evidence"):
        actions = [review.action for review in claim.reviews.all()]
        assert actions == EXPECTED_ACTIONS[claim.status], claim
        statuses = [(r.from_status, r.to_status) for r in claim.reviews.all()]
        for (_, previous_to), (next_from, _) in zip(statuses, statuses[1:]):
            assert previous_to == next_from
        if statuses:
            assert statuses[-1][1] == claim.status
        assert claim.evidence.exists()
        if claim.status in ("published", "retracted"):
            assert claim.reviewer_id and claim.reviewer_id != claim.author_id
            assert claim.confidence and claim.verdict != "unverified"
            assert claim.published_at is not None


def test_retracted_demo_claim_is_superseded_by_a_published_correction(seeded):
    retracted = Claim.objects.get(status="retracted")
    successor = retracted.superseded_by.get()
    assert successor.status == "published"
    assert retracted.reviews.last().comment


def test_seed_demo_twice_changes_nothing(seeded):
    before = snapshot()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert snapshot() == before
    assert "claims created: 0" in out.getvalue()


def test_seed_demo_again_keeps_what_people_did_since_the_last_load(seeded, django_user_model):
    """Reloading the same corpus (``run.py demo`` does it at every start) changes nothing
    people did meanwhile: a retracted claim stays retracted, with no approval in anybody's
    name; a renamed entity and a source's edited metadata stay as they were edited."""
    from claims import services
    from claims.roles import REVIEWERS
    from django.contrib.auth.models import Group
    from sources.services import source_update

    other = django_user_model.objects.create_user("reviewer2", is_staff=True)
    other.groups.add(Group.objects.get(name=REVIEWERS))
    claim = Claim.objects.filter(status="published").order_by("pk").first()
    services.claim_transition(claim=claim, user=other, action="retract", comment="The source misreports the vote count.")
    entity = Entity.objects.get(slug="iran")
    services.entity_update(entity=entity, user=other, name="Iran (Islamic Republic)")
    source = Source.objects.order_by("pk").first()
    source_update(source=source, user=other, title="Retitled by a reviewer")
    before = snapshot()
    reviews = Review.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert snapshot() == before and Review.objects.count() == reviews
    claim.refresh_from_db()
    assert claim.status == "retracted"
    assert Entity.objects.get(slug="iran").name == "Iran (Islamic Republic)"
    assert Source.objects.get(pk=source.pk).title == "Retitled by a reviewer"


def test_seed_demo_again_does_not_bring_back_or_copy_what_people_changed_or_deleted(seeded, django_user_model):
    """A claim reworded through review, a source's text extended, a draft deleted: the next
    load finds the first two by the rows it loaded, not by their words, and does not make
    the deleted one again."""
    from claims import services
    from claims.roles import REVIEWERS
    from django.contrib.auth.models import Group
    from sources.services import source_update

    other = django_user_model.objects.create_user("reviewer2", is_staff=True)
    other.groups.add(Group.objects.get(name=REVIEWERS))
    analyst = User.objects.get(username="analyst")
    reworded = Claim.objects.filter(status="in_review", author=analyst).order_by("pk").first()
    services.claim_transition(claim=reworded, user=other, action="request_changes", comment="Say which vote.")
    services.claim_update(claim=reworded, user=analyst, text=reworded.text + " (reworded)")
    services.claim_transition(claim=reworded, user=analyst, action="submit")
    source = Source.objects.order_by("pk").first()
    source_update(source=source, user=other, text=source.text + "\nA line added by a person.")
    draft = Claim.objects.filter(status="draft", author=analyst).exclude(pk=reworded.pk).order_by("pk").first()
    services.claim_delete(claim=draft, user=analyst)
    counts = (Claim.objects.count(), Source.objects.count())
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert (Claim.objects.count(), Source.objects.count()) == counts, out.getvalue()
    assert "claims created: 0" in out.getvalue() and "Sources created: 0" in out.getvalue()


def test_an_entity_the_corpus_changed_is_changed_as_an_edit_is(seeded):
    """Each claim tagged with it gets a new version (its ETag) and the feed's event."""
    from claims.demo import load_demo
    from feed.models import Event

    corpus = load_corpus()
    entry = next(entry for entry in corpus["entities"] if entry["slug"] == "iran")
    entry["name"] = "Islamic Republic of Iran"
    tagged = {claim.pk: claim.version for claim in Claim.objects.filter(entities__slug="iran")}
    events = Event.objects.count()
    report = load_demo(corpus=corpus)
    assert report.entities_updated == 1 and Entity.objects.get(slug="iran").name == "Islamic Republic of Iran"
    assert tagged and all(Claim.objects.get(pk=pk).version > version for pk, version in tagged.items())
    assert Event.objects.count() >= events + len(tagged)


def test_seed_demo_creates_users_in_their_roles(seeded):
    assert User.objects.get(username="analyst").groups.filter(name="Analysts").exists()
    assert User.objects.get(username="reviewer").groups.filter(name="Reviewers").exists()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password("demo-password-1")


def test_seed_demo_prints_random_passwords_when_none_given(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    output = out.getvalue()
    for username in ("analyst", "reviewer", "admin"):
        line = next(line for line in output.splitlines() if line.strip().startswith(username))
        password = line.split("password:")[1].strip()
        assert User.objects.get(username=username).check_password(password)


def test_check_spans_is_clean_on_the_demo(seeded):
    out = StringIO()
    call_command("check_spans", stdout=out)
    assert "match their sources" in out.getvalue()


def test_check_spans_reports_a_corrupted_span_and_fails(seeded):
    span = Span.objects.order_by("pk").first()
    # Bypass the services, as a bad migration or manual SQL would.
    Span.objects.filter(pk=span.pk).update(start=span.start + 1, end=span.end + 1)
    err = StringIO()
    with pytest.raises(CommandError, match="1 of"):
        call_command("check_spans", stdout=StringIO(), stderr=err)
    assert f"span {span.pk} " in err.getvalue()


def test_check_spans_exits_non_zero_from_the_shell(seeded):
    span = Span.objects.order_by("pk").first()
    Span.objects.filter(pk=span.pk).update(quote="not the text")
    with pytest.raises(SystemExit) as exit_info:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["manage.py", "check_spans"])
    assert exit_info.value.code != 0


def test_seed_demo_updates_an_existing_database_in_place(db):
    """A database loaded from an older corpus is corrected, not duplicated: source metadata
    rewritten, a corrected claim found by its former wording and taken back through review."""
    import copy

    from claims.demo import load_demo

    corpus = load_corpus()
    old = copy.deepcopy(corpus)
    partnership = next(c for c in old["claims"] if c["key"] == "c16")
    report_seed = partnership["seed"]
    partnership.update(
        text=partnership["previous_texts"][0],
        verdict="disputed",
        comment="Approved before the checks were read.",
        evidence=[
            {"quote": 'Russian and Iranian officials have labeled their bilateral relations "strategic" as early as the dawn of the 1990s.',
             "occurrence": None, "stance": "supports", "note": "", "seed": report_seed},
            {"quote": "few in Tehran presumably expect a real strategic partnership to emerge",
             "occurrence": None, "stance": "refutes", "note": "", "seed": report_seed},
        ],
    )
    undated = next(s for s in old["sources"] if s["seed"] == report_seed)
    undated.update(published_on="2017-03-15", reliability="C", notes="Old notes.")
    load_demo(password="demo-password-1", corpus=old)
    claim = Claim.objects.get(text=partnership["text"])
    assert claim.status == "published" and claim.verdict == "disputed"

    report = load_demo(corpus=corpus)
    assert report.claims_created == 0
    assert report.claims_updated == 1 and report.sources_updated == 1
    claim.refresh_from_db()
    current = next(c for c in corpus["claims"] if c["key"] == "c16")
    assert (claim.text, claim.verdict, claim.status) == (current["text"], "refuted", "published")
    actions = list(claim.reviews.values_list("action", flat=True))
    assert actions == ["submit", "approve", "retract", "reopen", "submit", "approve"]
    assert sorted(claim.evidence.values_list("stance", flat=True)) == ["context", "refutes", "refutes"]
    source = Source.objects.get(authors="Alex Vatanka")
    assert (source.published_on.isoformat(), source.reliability) == (undated_date(corpus, report_seed), "B")

    before = snapshot()
    assert load_demo(corpus=corpus).claims_updated == 0
    assert snapshot() == before


def undated_date(corpus, seed):
    return next(s for s in corpus["sources"] if s["seed"] == seed)["published_on"]


def test_demo_claims_cite_several_sources_and_every_source_is_dated(seeded):
    assert not Source.objects.filter(published_on__isnull=True).exists()
    multi = [claim for claim in Claim.objects.all() if claim.evidence.values("span__source").distinct().count() >= 2]
    assert len(multi) >= 3


def test_published_demo_claims_with_warnings_carry_an_approval_comment(seeded):
    for claim in Claim.objects.filter(status="published", has_checks=True):
        approval = claim.reviews.filter(action="approve").last()
        assert approval.comment, (claim.pk, claim.check_warnings)
