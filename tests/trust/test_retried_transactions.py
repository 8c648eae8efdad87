"""A deadlock or serialization failure is retried once, then answers 409: never a 500."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from claims import services
from claims.models import Claim
from project.concurrency import retried_transaction
from project.errors import Conflict
from tests.workflow.test_concurrency import _outcomes, _user, race, transactional

from ..support import postgres_only


class _DeadlockDetected(Exception):
    sqlstate = "40P01"


def _aborted() -> OperationalError:
    error = OperationalError("deadlock detected")
    error.__cause__ = _DeadlockDetected()
    return error


@pytest.mark.django_db
def test_a_deadlock_is_retried_once():
    calls = []

    @retried_transaction
    def operation():
        calls.append(1)
        if len(calls) == 1:
            raise _aborted()
        return "done"

    assert operation() == "done"
    assert len(calls) == 2


@pytest.mark.django_db
def test_a_second_deadlock_answers_409():
    @retried_transaction
    def operation():
        raise _aborted()

    with pytest.raises(Conflict) as refused:
        operation()
    assert refused.value.code == "concurrent_update"
    assert refused.value.status_code == 409


@pytest.mark.django_db
def test_other_database_errors_are_not_retried():
    calls = []

    @retried_transaction
    def operation():
        calls.append(1)
        raise OperationalError("disk I/O error")

    with pytest.raises(OperationalError):
        operation()
    assert len(calls) == 1


@postgres_only
@pytest.mark.postgres
@transactional
def test_two_drafts_set_to_supersede_each_other_at_once_never_500_nor_cycle():
    analyst = _user("race-analyst", "Analysts")
    for round_number in range(10):
        first = services.claim_create(author=analyst, text=f"First {round_number}.")
        second = services.claim_create(author=analyst, text=f"Second {round_number}.")
        pairs = [(first, second), (second, first)]
        results = _outcomes(
            race(2, lambda index: services.claim_update(claim=pairs[index][0], user=analyst, supersedes=pairs[index][1]))
        )
        assert len(results["ok"]) >= 1
        assert all(error.status_code in (400, 409) for error in results["domain"])
        links = dict(Claim.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "supersedes_id"))
        assert not (links[first.pk] == second.pk and links[second.pk] == first.pk), "a cycle of corrections"


@postgres_only
@pytest.mark.postgres
@transactional
def test_a_claim_saved_with_its_evidence_while_its_source_changes_neither_deadlocks_nor_fails():
    # The admin's save (claim_save: the cited sources, then the claim) against source_update
    # (the source, then the claims citing it): one lock order on both sides.
    from sources.models import Source
    from sources.services import source_create, source_update_text

    from ..support import SAMPLE_TEXT

    analyst = _user("race-analyst", "Analysts")
    source = source_create(user=analyst, title="Sample", text=SAMPLE_TEXT)
    for round_number in range(5):
        claim = services.claim_create(
            author=analyst, text=f"Round {round_number}.",
            evidence=[services.EvidenceInput(source=source, quote="Moscow later said")],
        )
        current = Source.objects.get(pk=source.pk)
        actions = [
            lambda: services.claim_save(
                claim=claim, user=analyst, changes={"text": f"Round {round_number}, edited."},
                add=[services.EvidenceInput(source=current, quote="the sanctions went too far")],
                change=[(claim.evidence.get(), "context", None)],
            ),
            lambda: source_update_text(source=current, text=f"Edit {round_number}. " + current.text, user=analyst),
        ]
        results = _outcomes(race(2, lambda index: actions[index]()))
        assert results["domain"] == []
