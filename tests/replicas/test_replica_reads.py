"""The router against a real PostgreSQL streaming replica (``.ci/run`` starts one and sets
``DATABASE_REPLICA_URLS``): reads go to the replica, except the reads that must see the
primary; the changes feed read on a replica still misses nothing."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import connections
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims import services
from claims.models import Claim
from feed.models import Event
from feed.recording import record
from sources.services import source_create

from ..support import SAMPLE_TEXT

pytestmark = [
    pytest.mark.skipif(
        "replica1" not in settings.DATABASES,
        reason="no read replica: set DATABASE_REPLICA_URLS (.ci/run starts a PostgreSQL streaming replica)",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True, databases="__all__"),
]


def caught_up(timeout: float = 10.0) -> None:
    """Wait until the replica has replayed everything the primary wrote so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections["replica1"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.02)
    raise AssertionError("the replica did not catch up")


@pytest.fixture(autouse=True)
def _clean_cache(empty_cache):
    yield


@pytest.fixture
def people():
    analyst = User.objects.create(username="replica-analyst", is_staff=True)
    analyst.groups.add(Group.objects.using("default").get(name="Analysts"))
    reviewer = User.objects.create(username="replica-reviewer", is_staff=True)
    reviewer.groups.add(Group.objects.using("default").get(name="Reviewers"))
    source = source_create(user=analyst, title="Sample", text=SAMPLE_TEXT)
    return analyst, reviewer, source


def _claim(analyst, source, status="draft", reviewer=None) -> Claim:
    claim = services.claim_create(
        author=analyst, text="Russia voted six times.", verdict="supported", confidence="high",
        evidence=[services.EvidenceInput(source=source, quote="Russia voted six times")],
    )
    if status == "published":
        services.claim_submit(claim=claim, user=analyst)
        services.claim_approve(claim=claim, user=reviewer, comment="Read against its source.")
    return Claim.objects.using("default").get(pk=claim.pk)


def test_the_replica_is_a_standby_that_streams_the_primary(people):
    analyst, _, source = people
    with connections["replica1"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True
    claim = _claim(analyst, source)
    caught_up()
    assert Claim.objects.using("replica1").filter(pk=claim.pk).exists()


def test_anonymous_reads_are_served_by_the_replica(people):
    analyst, reviewer, source = people
    claim = _claim(analyst, source, "published", reviewer)
    caught_up()
    with CaptureQueriesContext(connections["replica1"]) as on_replica, \
            CaptureQueriesContext(connections["default"]) as on_primary:
        assert APIClient().get(f"/api/v1/claims/{claim.pk}/").status_code == 200
        assert APIClient().get("/api/v1/claims/").status_code == 200
    assert len(on_replica) > 0
    # The primary sees only the throttles' bookkeeping (their counts live in its tables).
    on_primary_rows = [
        q["sql"] for q in on_primary.captured_queries
        if '"claimbase_cache"' not in q["sql"] and '"claimbase_throttle"' not in q["sql"] and q["sql"].split()[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
    ]
    assert on_primary_rows == [], [sql[:300] for sql in on_primary_rows]


def test_a_writer_reads_its_writes_from_the_primary_right_after(people):
    analyst, _, source = people
    claim = _claim(analyst, source)
    token = Token.objects.create(user=analyst)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    for round_ in range(15):
        text = f"Russia voted six times (edit {round_})."
        assert client.patch(f"/api/v1/claims/{claim.pk}/", {"text": text}, format="json").status_code == 200
        with CaptureQueriesContext(connections["replica1"]) as on_replica:
            shown = client.get(f"/api/v1/claims/{claim.pk}/").json()
        assert shown["text"] == text  # never the replica's older copy
        assert len(on_replica) == 0, [q["sql"][:200] for q in on_replica.captured_queries]


def test_after_the_pin_expires_the_writer_reads_the_replica_again(people, settings):
    settings.REPLICA_PIN_SECONDS = 1
    analyst, _, source = people
    claim = _claim(analyst, source)
    token = Token.objects.create(user=analyst)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.patch(f"/api/v1/claims/{claim.pk}/", {"notes": "x"}, format="json")
    time.sleep(1.2)
    caught_up()
    with CaptureQueriesContext(connections["replica1"]) as on_replica:
        assert client.get(f"/api/v1/claims/{claim.pk}/").status_code == 200
    assert len(on_replica) > 0


def test_workflow_checks_read_the_primary(people):
    analyst, reviewer, source = people
    claim = _claim(analyst, source)
    with CaptureQueriesContext(connections["replica1"]) as on_replica:
        services.claim_submit(claim=claim, user=analyst)
        services.claim_approve(claim=claim, user=reviewer, comment="Read against its source.")
        services.claim_retract(claim=claim, user=reviewer, comment="Wrong.")
    assert len(on_replica) == 0, [q["sql"][:200] for q in on_replica.captured_queries]


def test_a_feed_follower_reading_the_replica_misses_nothing(people):
    analyst, _, _ = people
    client = APIClient()
    seen: list[int] = []
    done = threading.Event()
    failures: list[BaseException] = []

    def follow() -> None:
        try:
            while True:
                finished = done.is_set()
                cache.clear()
                page = client.get("/api/v1/changes/", {"after": seen[-1] if seen else 0, "limit": 9}).json()
                seen.extend(event["seq"] for event in page["results"])
                if finished and not page["has_more"]:
                    return
                time.sleep(0.003)
        except BaseException as error:  # noqa: BLE001
            failures.append(error)
        finally:
            for alias in connections:
                connections[alias].close()

    def write(index: int) -> None:
        try:
            from django.db import transaction

            for number in range(20):
                with transaction.atomic():
                    record("claim.published", using="default", public=True, claim=index * 100 + number)
                    time.sleep(0.002 * ((index + number) % 3))
        finally:
            connections["default"].close()

    follower = threading.Thread(target=follow)
    follower.start()
    writers = [threading.Thread(target=write, args=(index,)) for index in range(6)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    caught_up()
    done.set()
    follower.join(timeout=120)
    assert failures == []
    assert seen == sorted(set(seen))
    assert seen == list(Event.objects.using("default").filter(public=True).order_by("seq").values_list("seq", flat=True))
