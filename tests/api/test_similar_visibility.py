"""Similar claims choose their candidates among the claims the caller may see: hidden claims
never take a visible claim's place, and what a caller is answered does not depend on how many
hidden claims match (claims/similar.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from claims.models import Claim, Entity
from claims.selectors import PUBLIC_STATUSES, visible_claims
from claims.similar import CANDIDATES, SCANNED_PER_MATCH, IndexLookups, similar_claims, visible_statuses

pytestmark = pytest.mark.django_db

URL = "/api/v1/claims/similar/"
TEXT = "Gazprom cut gas deliveries to Ukraine in January 2009."


def hidden_copies(author, count: int, *, text: str = TEXT, status: str = Claim.Status.DRAFT) -> list[Claim]:
    """``count`` claims of ``text`` nobody outside the staff may see, written in bulk (the
    full-text index's triggers index them as any insert)."""
    return Claim.objects.bulk_create(Claim(text=text, author=author, status=status) for _ in range(count))


@pytest.fixture
def public_claim(analyst, reviewer2, make_claim) -> Claim:
    return make_claim(analyst, status="published", reviewer=reviewer2, text=TEXT)


def ids_of(response) -> list[int]:
    assert response.status_code == 200, response.content[:500]
    return [item["claim"]["id"] for item in response.json()]


def test_hidden_claims_do_not_take_the_candidate_places_of_a_public_one(anonymous, analyst, public_claim):
    hidden_copies(analyst, CANDIDATES)
    assert ids_of(anonymous.get(URL, {"text": TEXT})) == [public_claim.pk]


def test_an_anonymous_answer_does_not_depend_on_how_many_hidden_claims_match(
    anonymous, analyst, reviewer2, make_claim, public_claim
):
    retracted = make_claim(
        analyst, status="retracted", reviewer=reviewer2, text="Gazprom cut gas deliveries to Ukraine in 2006."
    )
    answers = []
    for count in (0, 5, CANDIDATES + 5):
        hidden_copies(analyst, count - Claim.objects.exclude(status__in=PUBLIC_STATUSES).count())
        answers.append(anonymous.get(URL, {"text": TEXT, "limit": 50}).json())
    assert answers[0] == answers[1] == answers[2]
    assert [item["claim"]["id"] for item in answers[0]] == [public_claim.pk, retracted.pk]


def test_staff_still_find_hidden_claims(client_for, analyst, reviewer, public_claim):
    draft, = hidden_copies(analyst, 1)
    assert set(ids_of(client_for(reviewer).get(URL, {"text": TEXT}))) == {public_claim.pk, draft.pk}


def test_hidden_claims_tagged_with_an_entity_do_not_take_its_public_claim_s_place(anonymous, analyst, public_claim):
    gazprom = Entity.objects.create(name="Gazprom", slug="gazprom", kind="organization")
    public_claim.entities.add(gazprom)
    for claim in hidden_copies(analyst, CANDIDATES, text="Gazprom"):
        claim.entities.add(gazprom)
    assert ids_of(anonymous.get(URL, {"text": "Gazprom"})) == [public_claim.pk]


def test_every_index_lookup_reads_only_the_statuses_it_is_given(analyst, reviewer2, make_claim, public_claim):
    gazprom = Entity.objects.create(name="Gazprom", slug="gazprom", kind="organization")
    hidden = hidden_copies(analyst, 3) + hidden_copies(analyst, 2, status=Claim.Status.REJECTED)
    for claim in [public_claim, *hidden]:
        claim.entities.add(gazprom)
    groups = [["gazprom"], ["ukraine"]]
    public, everyone = IndexLookups(statuses=PUBLIC_STATUSES), IndexLookups()
    total, found, tagged = public.survey(groups, [gazprom.pk])
    assert total == everyone.total()
    assert [list(ids) for ids in found] == [[public_claim.pk]] * 2 == [list(ids) for ids in public.groups(groups)]
    assert dict(tagged) == {gazprom.pk: [public_claim.pk]} == {gazprom.pk: list(public.entity(gazprom.pk))}
    assert list(public.both(groups)) == [public_claim.pk]
    assert sorted(everyone.both(groups)) == sorted([public_claim.pk, *(claim.pk for claim in hidden)])


def test_visible_statuses_say_what_visible_claims_says(corpus, analyst, reviewer, outsider, superuser):
    changes_requested, = hidden_copies(analyst, 1, status=Claim.Status.CHANGES_REQUESTED)
    every_claim = set(Claim.objects.values_list("pk", flat=True))
    for user in (AnonymousUser(), None, outsider, analyst, reviewer, superuser):
        statuses = visible_statuses(user)
        by_status = every_claim if statuses is None else set(
            Claim.objects.filter(status__in=statuses).values_list("pk", flat=True)
        )
        assert set(visible_claims(user).values_list("pk", flat=True)) == by_status, user
    assert changes_requested.pk not in set(visible_claims(None).values_list("pk", flat=True))


def test_a_lookup_among_given_claims_still_reads_every_status(analyst, public_claim):
    """``find_duplicates`` looks among the claims it is given, as the operator who sees them all."""
    draft, = hidden_copies(analyst, 1)
    found = similar_claims(TEXT, user=None, claims=Claim.objects.all(), limit=10)
    assert {result.claim["id"] for result in found} == {public_claim.pk, draft.pk}


def test_a_lookup_reads_a_bounded_number_of_hidden_matches(analyst, reviewer2, make_claim):
    """Past ``SCANNED_PER_MATCH`` times its limit of matches, a lookup stops reading: however
    many hidden claims hold a word, a caller's lookup costs the same."""
    limit = 2
    hidden_copies(analyst, SCANNED_PER_MATCH * limit)
    public_claim = make_claim(analyst, status="published", reviewer=reviewer2, text=TEXT)
    if connection.vendor == "postgresql":
        # The search rows in claim order, the order they were written in: the lookup, which
        # reads them in the table's order, meets the hidden copies first. (Where a row's new
        # version lands, after the claim's status was copied to it, is PostgreSQL's choice.)
        with connection.cursor() as cursor:
            cursor.execute("CLUSTER claims_claim_search USING claims_claim_search_pkey")
    public = IndexLookups(statuses=PUBLIC_STATUSES).index
    assert public.matches([["gazprom"]], limit) == []
    assert public.matches([["gazprom"]], limit + 1) == [public_claim.pk]
