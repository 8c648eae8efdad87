"""Race safety with real threads: when people act on the same claim at once, exactly one
succeeds and the others get a domain error, on PostgreSQL (row locks) and on SQLite
(IMMEDIATE transactions serialise writers; the busy timeout makes them wait, not fail).

These tests commit for real (``transaction=True``) so that each thread, with its own
connection, sees what the others did. ``serialized_rollback`` restores the roles the data
migration created, which the flush after a transactional test removes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection

from claims import services
from claims.models import Claim, Review
from project.errors import Conflict, DomainError, StaleVersion
from sources.models import Source, Span
from sources.services import source_create, source_update_text, span_create

from ..support import SAMPLE_TEXT, postgres_only

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite-specific (IMMEDIATE transactions and the busy timeout); "
    "the PostgreSQL variants of these races run instead",
)
transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def race(count: int, action: Callable[[int], object]) -> list[tuple[str, object]]:
    """Run ``action(i)`` for ``i`` in ``range(count)`` in as many threads, released together.

    Returns one ``(outcome, value)`` per thread: ``("ok", result)``, ``("domain", error)``
    for a domain error, ``("error", exception)`` for anything else.
    """
    barrier = threading.Barrier(count)
    results: list[tuple[str, object]] = [("error", RuntimeError("thread did not finish"))] * count

    def run(index: int) -> None:
        try:
            # Connect before the barrier, so that the actions, not the connections, race.
            connection.ensure_connection()
            barrier.wait(timeout=30)
            results[index] = ("ok", action(index))
        except DomainError as error:
            results[index] = ("domain", error)
        except Exception as error:  # noqa: BLE001 - reported by the test
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def _outcomes(results) -> dict[str, list]:
    grouped: dict[str, list] = {"ok": [], "domain": [], "error": []}
    for outcome, value in results:
        grouped[outcome].append(value)
    assert grouped["error"] == [], f"unexpected errors: {grouped['error']!r}"
    return grouped


def _user(username: str, group: str) -> User:
    user = User.objects.create(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def _claim_in_review(author: User, source: Source) -> Claim:
    claim = services.claim_create(
        author=author,
        text="Russia voted six times for UN Security Council sanctions on Iran.",
        verdict="supported",
        confidence="moderate",
        evidence=[services.EvidenceInput(source=source, quote="Russia voted six times")],
    )
    return services.claim_submit(claim=claim, user=author)


@pytest.fixture
def world():
    """An analyst, a source, and reviewers, committed for the threads to see."""
    analyst = _user("race-analyst", "Analysts")
    source = source_create(user=analyst, title="Sample", text=SAMPLE_TEXT)
    return analyst, source


# ---------------------------------------------------------------------------------------------
# The races, written once; the tests below run them on each engine.


def simultaneous_approvals_publish_once(count: int, world) -> None:
    analyst, source = world
    claim = _claim_in_review(analyst, source)
    reviewers = [_user(f"race-reviewer-{index}", "Reviewers") for index in range(count)]
    version = Claim.objects.get(pk=claim.pk).version

    results = _outcomes(
        race(count, lambda index: services.claim_approve(claim=claim, user=reviewers[index]))
    )

    assert len(results["ok"]) == 1
    assert len(results["domain"]) == count - 1
    assert all(isinstance(error, Conflict) for error in results["domain"])
    assert {error.code for error in results["domain"]} == {"invalid_transition"}
    claim.refresh_from_db()
    winner = results["ok"][0]
    assert claim.status == Claim.Status.PUBLISHED
    assert claim.reviewer_id == winner.reviewer_id
    assert claim.version == version + 1
    assert Review.objects.filter(claim=claim, action="approve").count() == 1
    assert Review.objects.filter(claim=claim).count() == 2


def approve_racing_reject_one_wins(rounds: int, world) -> None:
    analyst, source = world
    approver = _user("race-approver", "Reviewers")
    rejecter = _user("race-rejecter", "Reviewers")
    winners = []
    for _ in range(rounds):
        claim = _claim_in_review(analyst, source)
        actions = [
            lambda: services.claim_approve(claim=claim, user=approver),
            lambda: services.claim_reject(claim=claim, user=rejecter, comment="Too vague."),
        ]
        results = _outcomes(race(2, lambda index: actions[index]()))

        assert len(results["ok"]) == 1 and len(results["domain"]) == 1
        loser = results["domain"][0]
        assert isinstance(loser, Conflict) and loser.code == "invalid_transition"
        claim.refresh_from_db()
        assert claim.status == results["ok"][0].status
        assert claim.status in {Claim.Status.PUBLISHED, Claim.Status.REJECTED}
        decisions = Review.objects.filter(claim=claim).exclude(action="submit")
        assert list(decisions.values_list("to_status", flat=True)) == [claim.status]
        winners.append(claim.status)
    assert len(winners) == rounds


def edits_on_the_same_version_one_wins(count: int, world) -> None:
    analyst, source = world
    claim = services.claim_create(author=analyst, text="First wording.")
    version = claim.version

    results = _outcomes(
        race(
            count,
            lambda index: services.claim_update(
                claim=claim, user=analyst, expected_version=version, text=f"Wording {index}."
            ),
        )
    )

    assert len(results["ok"]) == 1
    assert all(isinstance(error, StaleVersion) for error in results["domain"])
    claim.refresh_from_db()
    assert claim.version == version + 1
    assert claim.text == results["ok"][0].text


# ---------------------------------------------------------------------------------------------
# PostgreSQL: row locks (SELECT ... FOR UPDATE)


@postgres_only
@pytest.mark.postgres
@transactional
def test_twenty_simultaneous_approvals_publish_once_on_postgresql(world):
    simultaneous_approvals_publish_once(20, world)


@postgres_only
@pytest.mark.postgres
@transactional
def test_approve_racing_reject_one_wins_the_other_conflicts_on_postgresql(world):
    approve_racing_reject_one_wins(5, world)


@postgres_only
@pytest.mark.postgres
@transactional
def test_simultaneous_edits_on_the_same_version_one_wins_on_postgresql(world):
    edits_on_the_same_version_one_wins(10, world)


@postgres_only
@pytest.mark.postgres
@transactional
def test_evidence_added_while_the_source_text_changes_neither_deadlocks_nor_misanchors(world):
    # evidence_add locks the source, then the claim; source_update locks the source, then
    # flags the claims citing its spans. The same order on both sides: no deadlock.
    analyst, source = world
    for round_number in range(5):
        claim = services.claim_create(
            author=analyst,
            text=f"Round {round_number}.",
            evidence=[services.EvidenceInput(source=source, quote="Moscow later said")],
        )
        current = Source.objects.get(pk=source.pk)
        actions = [
            lambda: services.evidence_add(
                claim=claim,
                user=analyst,
                item=services.EvidenceInput(source=current, quote="the sanctions went too far"),
            ),
            lambda: source_update_text(
                source=current, text=f"Edit {round_number}. " + current.text, user=analyst
            ),
        ]
        results = _outcomes(race(2, lambda index: actions[index]()))
        assert results["domain"] == []
        text = Source.objects.get(pk=source.pk).text
        for span in Span.objects.filter(source=source).exclude(anchor_state="orphaned"):
            assert text[span.start : span.end] == span.quote


@postgres_only
@pytest.mark.postgres
@transactional
def test_span_created_while_the_source_text_changes_matches_the_final_text(world):
    analyst, source = world
    for round_number in range(5):
        stale = Source.objects.get(pk=source.pk)
        actions = [
            lambda: span_create(source=stale, user=analyst, quote="Russia voted again"),
            lambda: source_update_text(
                source=stale, text=f"Edit {round_number}. " + stale.text, user=analyst
            ),
        ]
        _outcomes(race(2, lambda index: actions[index]()))
        text = Source.objects.get(pk=source.pk).text
        for span in Span.objects.filter(source=source):
            assert span.anchor_state != Span.AnchorState.ORPHANED
            assert text[span.start : span.end] == span.quote


# ---------------------------------------------------------------------------------------------
# SQLite: the test database is a file (settings: TEST NAME), so the threads share it


@sqlite_only
@transactional
def test_simultaneous_approvals_publish_once_on_sqlite_without_locking_errors(world):
    # An OperationalError ("database is locked") would surface as an unexpected error.
    simultaneous_approvals_publish_once(10, world)


@sqlite_only
@transactional
def test_approve_racing_reject_one_wins_the_other_conflicts_on_sqlite(world):
    approve_racing_reject_one_wins(3, world)


@sqlite_only
@transactional
def test_simultaneous_edits_on_the_same_version_one_wins_on_sqlite(world):
    edits_on_the_same_version_one_wins(8, world)
