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

import json
import threading
import time

import pytest
from django.db import connection, transaction

from claims import services
from claims.models import Claim, Entity
from claims.transfer import import_claims
from project.errors import NotAllowed
from sources.services import source_create, source_update

from ..support import SAMPLE_TEXT
from .test_concurrency import _claim_in_review, _user, transactional

HELD_OPEN = 0.5  # seconds the approval stays uncommitted after its statements ran


def _edit_during(write, edit) -> tuple[object, float]:
    """Run ``write`` in one thread, its transaction held open once it has run; then run
    ``edit`` in another. Returns what the edit raised (or returned) and how long it took."""
    written, outcome = threading.Event(), {}

    def run_write() -> None:
        try:
            with transaction.atomic():
                write()
                written.set()
                time.sleep(HELD_OPEN)
        finally:
            written.set()
            connection.close()

    def run_edit() -> None:
        try:
            connection.ensure_connection()
            assert written.wait(timeout=30)
            started = time.perf_counter()
            try:
                outcome["result"] = edit()
            except NotAllowed as error:
                outcome["result"] = error
            outcome["seconds"] = time.perf_counter() - started
        finally:
            connection.close()

    threads = [threading.Thread(target=run_write), threading.Thread(target=run_edit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcome["result"], outcome["seconds"]


def _edit_during_the_approval(claim: Claim, reviewer, edit) -> tuple[object, float]:
    return _edit_during(lambda: services.claim_approve(claim=claim, user=reviewer), edit)


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


@transactional
def test_an_analysts_entity_rename_during_an_import_of_a_published_claim_waits_and_is_refused(people, tmp_path):
    # An import is one long transaction: the entities it tags its claims with are held as
    # an approval holds them (the foreign key's own lock would let a rename through).
    analyst, reviewer = people
    source = source_create(user=analyst, title="Sample", text=SAMPLE_TEXT)
    entity = Entity.objects.create(name="Russia", slug="russia", kind="country")
    start = SAMPLE_TEXT.index("Russia voted six times")
    published_at = "2024-01-01T00:01:00+00:00"
    line = {
        "author": analyst.username, "text": "Russia voted six times.", "status": "published", "verdict": "supported",
        "confidence": "high", "reviewer": reviewer.username, "entities": ["russia"], "published_at": published_at,
        "evidence": [{"source_uid": str(source.uid), "start": start, "end": start + 22, "stance": "supports"}],
        "reviews": [
            {"actor": analyst.username, "action": "submit", "from_status": "draft", "to_status": "in_review"},
            {"actor": reviewer.username, "action": "approve", "from_status": "in_review", "to_status": "published",
             "comment": "Checked."},
        ],
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(line) + "\n")

    def import_held_open():
        with transaction.atomic():
            import_claims(str(path))

    def edit():
        return services.entity_update(entity=entity, user=analyst, name="Renamed")

    result, seconds = _edit_during(import_held_open, edit)
    assert isinstance(result, NotAllowed) and result.code == "reviewed_content", result
    assert seconds >= HELD_OPEN * 0.8
    entity.refresh_from_db()
    assert entity.name == "Russia" and Claim.objects.get(text="Russia voted six times.").status == "published"
