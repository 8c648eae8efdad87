"""Fixtures of the API tests: clients per role, and a small corpus in every state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from claims import services
from claims.models import Claim, Entity
from sources.models import Span
from sources.services import source_create, span_create


@pytest.fixture(autouse=True)
def _fast_test_clients(settings):
    # The role fixtures create up to six users per test; the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test client builds its own middleware, and whitenoise then indexes every static
    # file the finders know (50 ms). API tests need none; test_docs turns it back on.
    settings.WHITENOISE_USE_FINDERS = False


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counters live in the cache; each test starts with none used.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client_for():
    """``client_for(user)``: an API client acting as ``user`` (None: anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def anonymous(client_for) -> APIClient:
    return client_for(None)


@dataclass
class Corpus:
    """Claims by ``analyst`` in each state (decided by ``reviewer2``), on ``source``."""

    source: object
    draft: Claim
    in_review: Claim
    published: Claim
    rejected: Claim
    retracted: Claim
    public_span: Span
    draft_span: Span
    free_span: Span


@pytest.fixture
def corpus(db, source, analyst, reviewer2, make_claim) -> Corpus:
    published = make_claim(analyst, status="published", reviewer=reviewer2, text="Published claim about sanctions.")
    retracted = make_claim(analyst, status="retracted", reviewer=reviewer2, text="Retracted claim.")
    in_review = make_claim(analyst, status="in_review", reviewer=reviewer2, text="Claim in review.")
    rejected = make_claim(analyst, status="rejected", reviewer=reviewer2, text="Rejected claim.")
    draft = services.claim_create(
        author=analyst,
        text="Draft claim: Moscow said the sanctions went too far.",
        verdict="supported",
        confidence="high",
        evidence=[services.EvidenceInput(source=source, quote="Moscow later said", stance="supports")],
    )
    free_span, _ = span_create(source=source, user=analyst, quote="an emoji 🙂 sits")
    return Corpus(
        source=source,
        draft=draft,
        in_review=in_review,
        published=published,
        rejected=rejected,
        retracted=retracted,
        public_span=published.evidence.get().span,
        draft_span=draft.evidence.get().span,
        free_span=free_span,
    )


@pytest.fixture
def rich_corpus(analyst, reviewer, reviewer2, source, make_claim):
    """What tends to break a hand-made encoder (``claims.fast_list``, ``claims.fast_detail``):
    entities sorted by name, several evidence rows from two sources, an orphaned span, null
    and set periods, empty and set confidence, a claim that supersedes another, text with
    U+2028, an emoji, a control character, quotes and backslashes, a source without URL,
    timestamps with and without microseconds. Returns the entities by name."""
    other = source_create(
        user=analyst,
        title='A "quoted" title \\ with a backslash',
        text="Second source.\u2028 A line separator; a tab\tand a bell \x07 here. Iran said so.",
        publisher="Другое издание",
    )
    entities = {
        name: Entity.objects.create(name=name, slug=slug, kind=kind)
        for name, slug, kind in (
            ("Russia", "russia", "country"),
            ("Iran", "iran", "country"),
            ("Ali Rahimi", "ali-rahimi", "person"),
        )
    }
    first = make_claim(analyst, status="published", reviewer=reviewer, text="Russia voted six times.")
    services.claim_update(claim=make_claim(analyst, text="Draft: \u2028 line separator 🙂 \x01 control."),
                          user=analyst, entities=list(entities.values()))
    disputed = services.claim_create(
        author=analyst,
        text='Claim with "quotes", a backslash \\ and ünïcödé.',
        verdict="disputed",
        confidence="",
        period_start=dt.date(2006, 6, 1),
        period_end=dt.date(2010, 6, 30),
        supersedes=first,
        entities=[entities["Iran"], entities["Russia"]],
        evidence=[
            services.EvidenceInput(source=source, quote="Russia voted six times", stance="supports"),
            services.EvidenceInput(source=other, quote="Iran said so.", stance="refutes"),
            services.EvidenceInput(source=other, start=0, end=15, stance="context"),
        ],
    )
    # An orphaned span: its quote left the source.
    Span.objects.filter(pk=disputed.evidence.order_by("id").last().span_id).update(anchor_state="orphaned")
    Claim.objects.filter(pk=disputed.pk).update(needs_attention=True)
    for number in range(7):
        make_claim(analyst, status=["published", "retracted", "in_review"][number % 3], reviewer=reviewer2,
                   text=f"Claim number {number}.")
    # Microseconds zero on one claim: isoformat drops them, as DRF does.
    Claim.objects.filter(pk=first.pk).update(
        created_at=timezone.now().replace(microsecond=0) - dt.timedelta(days=3)
    )
    return entities
