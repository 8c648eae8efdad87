"""Relations recorded at once by several people: one row, the others a conflict, on both
engines (row locks on PostgreSQL, IMMEDIATE transactions on SQLite)."""

from __future__ import annotations

from claims import relation_services, services
from claims.models import ClaimRelation

from .test_concurrency import _outcomes, race, transactional, world  # noqa: F401  (world: a fixture)


@transactional
def test_the_same_relation_recorded_at_once_either_way_round_is_stored_once(world):
    analyst, source = world
    first, second = (
        services.claim_create(
            author=analyst, text=text, evidence=[services.EvidenceInput(source=source, quote="Russia voted six times")]
        )
        for text in ("Russia voted six times for sanctions.", "Moscow backed sanctions six times.")
    )
    pairs = [(first, second), (second, first)] * 3

    def relate(index: int):
        from_claim, to_claim = pairs[index]
        return relation_services.relation_create(from_claim=from_claim, to_claim=to_claim, kind="contradicts", user=analyst)

    outcomes = _outcomes(race(len(pairs), relate))
    assert len(outcomes["ok"]) == 1
    assert {error.code for error in outcomes["domain"]} == {"relation_exists"}
    assert ClaimRelation.objects.count() == 1
