"""A reader that follows the feed while many writers commit misses nothing and sees nothing
twice: the proof of the numbering design (``feed/sequencing.py``).

Writers commit in an order unrelated to the order in which they inserted their events (each
sleeps a random moment between its insert and its commit), some roll back, and a reader
polls ``?after=<last seq>`` throughout. With numbers assigned at insert, the reader would
skip the events of a slow transaction that commits after a faster, later one.

Real commits (``transaction=True``), so that each thread sees what the others committed.
On PostgreSQL the writers truly overlap; on SQLite they are serialised by the write lock.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import connection, transaction
from rest_framework.test import APIClient

from claims import services
from claims.models import Claim
from feed.models import Event
from feed.recording import record
from sources.services import source_create

from ..support import SAMPLE_TEXT

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class Follower(threading.Thread):
    """Polls the feed as ``user`` until told to stop and the feed is drained."""

    def __init__(self, user):
        super().__init__()
        self.client = APIClient()
        self.client.force_authenticate(user)
        self.seen: list[dict] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def poll(self) -> dict:
        after = self.seen[-1]["seq"] if self.seen else 0
        cache.clear()  # the test polls faster than a consumer would; throttles are not under test
        response = self.client.get("/api/v1/changes/", {"after": after, "limit": 7})
        assert response.status_code == 200, response.content
        page = response.json()
        self.seen += page["results"]
        return page

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.poll()
                time.sleep(0.002)
            while self.poll()["has_more"]:
                pass
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.error = error
        finally:
            connection.close()


def _run_writers(count: int, work) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            work(index)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    return errors


def _assert_followed_exactly(follower: Follower) -> None:
    assert follower.error is None, follower.error
    seqs = [event["seq"] for event in follower.seen]
    assert seqs == sorted(set(seqs)), "the reader saw a seq twice or out of order"
    committed = list(Event.objects.order_by("seq").values_list("seq", flat=True))
    assert None not in committed, "an event was left unnumbered"
    assert seqs == committed, "the reader missed events"


@transactional
def test_a_follower_misses_nothing_and_sees_nothing_twice_while_writers_commit_out_of_order():
    reader = User.objects.create_superuser("feed-reader", password="x")
    writers, per_writer = 8, 25
    rolled_back = []
    follower = Follower(reader)
    follower.start()

    def work(index: int) -> None:
        randomness = random.Random(index)
        for number in range(per_writer):
            marker = index * 1000 + number
            try:
                with transaction.atomic():
                    record("claim.updated", using="default", public=True, claim=marker)
                    time.sleep(randomness.random() * 0.01)  # commit later than others inserted
                    if randomness.random() < 0.1:
                        raise LookupError("roll back")
            except LookupError:
                rolled_back.append(marker)

    errors = _run_writers(writers, work)
    follower.stop.set()
    follower.join(timeout=120)
    assert errors == []
    _assert_followed_exactly(follower)
    markers = [event["claim"] for event in follower.seen]
    assert sorted(markers) == sorted(
        index * 1000 + number for index in range(writers) for number in range(per_writer)
        if index * 1000 + number not in rolled_back
    )


@transactional
def test_a_follower_sees_every_workflow_change_of_concurrent_analysts_and_reviewers():
    analysts = [User.objects.create(username=f"feed-analyst-{n}", is_staff=True) for n in range(4)]
    reviewers = [User.objects.create(username=f"feed-reviewer-{n}", is_staff=True) for n in range(2)]
    for user in analysts:
        user.groups.add(Group.objects.get(name="Analysts"))
    for user in reviewers:
        user.groups.add(Group.objects.get(name="Reviewers"))
    source = source_create(user=analysts[0], title="Sample", text=SAMPLE_TEXT)
    follower = Follower(reviewers[0])
    follower.start()

    def work(index: int) -> None:
        author, reviewer = analysts[index], reviewers[index % 2]
        for number in range(4):
            claim = services.claim_create(
                author=author, text=f"Claim {number} by {author.username}.", verdict="supported",
                confidence="high",
                evidence=[services.EvidenceInput(source=source, quote="Russia voted six times")],
            )
            services.claim_update(claim=claim, user=author, notes="checked twice")
            services.claim_submit(claim=claim, user=author)
            services.claim_approve(claim=claim, user=reviewer, comment="Read against its source.")

    errors = _run_writers(len(analysts), work)
    follower.stop.set()
    follower.join(timeout=120)
    assert errors == []
    _assert_followed_exactly(follower)
    by_claim: dict[int, list[tuple[str, int]]] = {}
    for event in follower.seen:
        if event["claim"] is not None:
            by_claim.setdefault(event["claim"], []).append((event["type"], event["version"]))
    assert len(by_claim) == 16 == Claim.objects.count()
    assert set(map(tuple, by_claim.values())) == {
        (("claim.created", 1), ("claim.updated", 2), ("claim.status_changed", 3), ("claim.published", 4))
    }
