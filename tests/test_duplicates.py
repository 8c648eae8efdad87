"""Likely duplicates across the database: the batched path (``claims.duplicates.duplicate_pairs``,
what ``manage.py find_duplicates`` runs) finds exactly the pairs, scores and order of one
similar-claims lookup per claim, and its fast parts answer what their definitions answer."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest
from django.contrib.auth.models import User

from claims import duplicates
from claims.demo import load_demo
from claims.models import Claim, ClaimRelation, Entity
from claims.similar import best_voted
from claims.similar_quality import load_labelled_set
from claims.similarity import EntityMatcher, score, score_if_at_least


def best_voted_naively(votes, count: int) -> list[int]:
    """``best_voted`` by definition: each claim's votes summed, all claims sorted."""
    total: dict[int, float] = defaultdict(float)
    for weight, claim_ids in votes:
        for claim_id in claim_ids:
            total[claim_id] += weight
    ranked = sorted(total.items(), key=lambda item: (-item[1], -item[0]))
    return [claim_id for claim_id, _ in ranked[:count]]


@pytest.fixture
def corpus(db) -> list[int]:
    """The demo corpus, plus the labelled set's paraphrases and near misses as claims, plus
    reworded copies (words shuffled, one dropped) of every demo claim."""
    load_demo(password="pw-demo")
    admin = User.objects.get(username="admin")
    labelled = load_labelled_set()
    texts = [item["text"] for item in labelled["paraphrases"] + labelled["near_misses"]]
    rng = random.Random(3)
    for text in Claim.objects.order_by("pk").values_list("text", flat=True):
        words = text.rstrip(".").split()
        if len(words) > 4:
            del words[rng.randrange(len(words))]
            rng.shuffle(words)
            texts.append(" ".join(words))
    Claim.objects.bulk_create(Claim(text=text[:500], author=admin) for text in texts)
    return list(Claim.objects.values_list("pk", flat=True))


def _as_tuples(pairs) -> list[tuple]:
    return [(pair.first["id"], pair.second["id"], pair.score) for pair in pairs]


def test_batched_pairs_are_the_pairs_of_one_lookup_per_claim(corpus, monkeypatch):
    for threshold in (0.3, 0.6):
        expected = _as_tuples(duplicates.duplicate_pairs_one_by_one(threshold=threshold))
        assert len(expected) >= 20  # enough pairs for the comparison to mean something
        told = []
        assert _as_tuples(duplicates.duplicate_pairs(threshold=threshold, batch_size=37,
                                                     progress=told.append)) == expected
        assert sum(told) == len(corpus)
    # The same when the caches are emptied often.
    monkeypatch.setattr(duplicates, "LOOKUP_CACHE_IDS", 50)
    monkeypatch.setattr(duplicates, "CANDIDATE_CACHE", 40)
    assert _as_tuples(duplicates.duplicate_pairs(threshold=0.3, batch_size=11)) == expected_at(None, 0.3)


def expected_at(statuses, threshold: float) -> list[tuple]:
    return _as_tuples(duplicates.duplicate_pairs_one_by_one(statuses, threshold=threshold))


def test_batched_pairs_respect_the_claims_asked_for_and_recorded_duplicates(corpus):
    published = [Claim.Status.PUBLISHED]
    found = _as_tuples(duplicates.duplicate_pairs(published, threshold=0.3, batch_size=25))
    assert found == expected_at(published, 0.3) and found
    ids = set(Claim.objects.filter(status__in=published).values_list("pk", flat=True))
    assert all(first in ids and second in ids for first, second, _ in found)

    first, second, _ = found[0]
    ClaimRelation.objects.create(
        from_claim_id=second, to_claim_id=first, kind="duplicate_of", created_by=User.objects.get(username="admin")
    )
    again = _as_tuples(duplicates.duplicate_pairs(published, threshold=0.3, batch_size=25))
    assert again == expected_at(published, 0.3)
    assert (first, second) not in {(a, b) for a, b, _ in again}


def test_best_voted_is_the_naive_ranking_ties_included():
    rng = random.Random(7)
    for _ in range(2000):
        weights = [rng.choice([0.3, 1.0, 1.7, 2.5, 2.5]) + (rng.random() if rng.random() < 0.3 else 0.0)
                   for _ in range(rng.randint(0, 8))]
        universe = rng.randint(1, 300)
        votes = [(weight, tuple(rng.sample(range(1, universe + 1), rng.randint(0, min(universe, 120)))))
                 for weight in weights]
        count = rng.choice([1, 5, 60])
        assert best_voted(votes, count) == best_voted_naively(votes, count)


def test_score_if_at_least_is_score_when_it_reaches_the_minimum(corpus):
    matcher = EntityMatcher(list(Entity.objects.values_list("id", "name", "aliases")))
    texts = list(Claim.objects.order_by("pk").values_list("text", flat=True))
    forms = [matcher.form(text) for text in texts]
    tags = frozenset(Entity.objects.values_list("id", flat=True)[:3])
    checked = reached = 0
    for query in forms[::3]:
        for candidate in forms[::2]:
            value = score(query, candidate, tags)
            for minimum in (0.2, 0.45, 0.6, 0.75, 1.0):
                bounded = score_if_at_least(query, candidate, tags, minimum)
                assert bounded == (value if value >= minimum else None)
                checked += 1
                reached += bounded is not None
    assert checked > 10_000 and reached > 100
