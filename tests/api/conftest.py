"""Fixtures of the API tests: clients per role, and a small corpus in every state."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from claims import services
from claims.models import Claim
from sources.models import Span
from sources.services import span_create


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
