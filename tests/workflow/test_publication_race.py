"""What a published claim shows was reviewed, also when an analyst edits a source it cites,
or an entity it is tagged with, at the moment a reviewer publishes it.

The analyst's edit asks whether a published claim shows the source (or entity); the
approval makes the claim published. Without a lock between them, the edit asked while the
approval was not yet committed, found the claim in review, and landed just after the
publication: an unreviewed change of a published claim, announced as ``claim.updated``.
Here the approval is held open, committed, at the worst moment, and the edit must wait for
it and be refused, on every engine (SQLite serialises the two by its write lock).
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from claims import services
from claims.models import Claim, Entity
from project.errors import NotAllowed
from sources.services import source_create, source_update

from ..support import SAMPLE_TEXT
from .test_concurrency import _claim_in_review, _user, transactional

HELD_OPEN = 0.5  # seconds the approval stays uncommitted after its statements ran


def _edit_during_the_approval(claim: Claim, reviewer, edit) -> tuple[object, float]:
    """Approve ``claim`` in one thread and hold its transaction open; once approved (not yet
    committed), run ``edit`` in another. Returns what the edit raised (or returned) and how
    long it took."""
    approved, outcome = threading.Event(), {}

    def approve() -> None:
        try:
            with transaction.atomic():
                services.claim_approve(claim=claim, user=reviewer)
                approved.set()
                time.sleep(HELD_OPEN)
        finally:
            approved.set()
            connection.close()

    def run_edit() -> None:
        try:
            connection.ensure_connection()
            assert approved.wait(timeout=30)
            started = time.perf_counter()
            try:
                outcome["result"] = edit()
            except NotAllowed as error:
                outcome["result"] = error
            outcome["seconds"] = time.perf_counter() - started
        finally:
            connection.close()

    threads = [threading.Thread(target=approve), threading.Thread(target=run_edit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcome["result"], outcome["seconds"]


@pytest.fixture
def people():
    return _user("race-analyst", "Analysts"), _user("race-reviewer", "Reviewers")


@transactional
def test_an_analysts_source_edit_during_a_publication_waits_for_it_and_is_refused(people):
    analyst, reviewer = people
    source = source_create(user=analyst, title="Sample", text=SAMPLE_TEXT)
    claim = _claim_in_review(analyst, source)

    def edit():
        return source_update(source=source, user=analyst, text=SAMPLE_TEXT.replace("six times", "five times"))

    result, seconds = _edit_during_the_approval(claim, reviewer, edit)
    assert isinstance(result, NotAllowed) and result.code == "reviewed_content", result
    assert seconds >= HELD_OPEN * 0.8  # it waited for the approval's commit
    claim.refresh_from_db()
    evidence = claim.evidence.select_related("span").get()
    assert claim.status == "published" and evidence.span.anchor_state == "anchored"
    assert evidence.span.source.text == SAMPLE_TEXT


@transactional
def test_an_analysts_entity_rename_during_a_publication_waits_for_it_and_is_refused(people):
    analyst, reviewer = people
    source = source_create(user=analyst, title="Sample", text=SAMPLE_TEXT)
    entity = Entity.objects.create(name="Russia", slug="russia", kind="country")
    claim = _claim_in_review(analyst, source)
    claim.entities.add(entity)

    def edit():
        return services.entity_update(entity=entity, user=analyst, name="Renamed")

    result, seconds = _edit_during_the_approval(claim, reviewer, edit)
    assert isinstance(result, NotAllowed) and result.code == "reviewed_content", result
    assert seconds >= HELD_OPEN * 0.8
    entity.refresh_from_db()
    assert entity.name == "Russia"
    claim.refresh_from_db()
    assert claim.status == "published"
