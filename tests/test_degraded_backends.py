"""A replica or a shared cache that stops answering is no 500 and no hang.

A replica refused, down or silent is left out by the process for ``REPLICA_RETRY_SECONDS``,
its reads going to another replica or the primary, within ``REPLICA_CONNECT_TIMEOUT``; a
Redis refused or silent makes the throttles count in the process's own memory, and read-
your-writes keep to its cookie, within ``CACHE_TIMEOUT_SECONDS``. Real connections to a
closed port and to a port that accepts and never answers."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time

import pytest
from django.db import DatabaseError, connection, connections
from django.http import HttpResponse
from django.test import RequestFactory

from claims.models import Claim
from project import cache as shared_cache
from project import routers, throttling
from project.routers import ReadYourWritesMiddleware, ReplicaRouter


OUTSIDE_A_TRANSACTION = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_port():
    """A port that takes connections and never answers (its backlog completes them)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


@pytest.fixture
def replica_at(monkeypatch, django_db_blocker):
    """Registers a replica alias with the (test) primary's settings but another address;
    connections to it are allowed. (Tests of the router run outside a transaction: inside
    one, every read goes to the primary.)"""
    made = []
    django_db_blocker.unblock()

    def register(alias: str, **changes) -> str:
        settings_dict = {**connections.settings["default"], **changes}
        monkeypatch.setitem(connections.settings, alias, settings_dict)
        made.append(alias)
        return alias

    monkeypatch.setattr(routers, "_left_out", {})
    yield register
    for alias in made:
        if hasattr(connections._connections, alias):
            connections[alias].close()
            delattr(connections._connections, alias)
    django_db_blocker.restore()


def _unreachable(port: int) -> dict:
    if connection.vendor == "postgresql":
        return {"HOST": "127.0.0.1", "PORT": str(port), "OPTIONS": {**connections.settings["default"]["OPTIONS"], "connect_timeout": 1}}
    return {"NAME": "/nonexistent-folder/replica.sqlite3"}


@OUTSIDE_A_TRANSACTION
def test_a_replica_that_refuses_is_left_out_and_its_reads_go_to_the_primary(replica_at, settings, caplog):
    settings.REPLICA_RETRY_SECONDS = 30
    down = replica_at("replica_down", **_unreachable(closed_port()))
    router = ReplicaRouter([down])
    with caplog.at_level(logging.ERROR, logger="project.routers"):
        assert router.db_for_read(Claim) == "default"
    assert "Replica replica_down does not answer" in caplog.text
    caplog.clear()
    started = time.monotonic()
    assert router.db_for_read(Claim) == "default"  # left out: not asked again
    assert time.monotonic() - started < 0.05 and not caplog.text


@OUTSIDE_A_TRANSACTION
def test_a_replica_left_out_is_asked_again_after_the_retry_period(replica_at, settings, monkeypatch):
    down = replica_at("replica_down", **_unreachable(closed_port()))
    router = ReplicaRouter([down])
    assert router.db_for_read(Claim) == "default"
    # It came back: the same alias now names the primary's database, and the period ends.
    monkeypatch.setitem(connections.settings, down, dict(connections.settings["default"]))
    connections[down].close()
    delattr(connections._connections, down)
    assert router.db_for_read(Claim) == "default"
    routers._left_out[down] = time.monotonic() - 1
    assert router.db_for_read(Claim) == down


@OUTSIDE_A_TRANSACTION
def test_reads_go_to_a_replica_that_answers_when_another_does_not(replica_at):
    down = replica_at("replica_down", **_unreachable(closed_port()))
    up = replica_at("replica_up")
    router = ReplicaRouter([down, up])
    assert {router.db_for_read(Claim) for _ in range(8)} == {up}


@OUTSIDE_A_TRANSACTION
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a network replica: PostgreSQL's connect_timeout")
def test_a_silent_replica_costs_one_read_its_connect_timeout_then_nothing(replica_at, silent_port):
    silent = replica_at("replica_silent", **_unreachable(silent_port))
    router = ReplicaRouter([silent])
    started = time.monotonic()
    assert router.db_for_read(Claim) == "default"
    assert time.monotonic() - started < 5  # libpq alone waits minutes
    started = time.monotonic()
    assert router.db_for_read(Claim) == "default"
    assert time.monotonic() - started < 0.05


@contextlib.contextmanager
def _stopped(pid: int):
    """The server process ``pid`` stopped (SIGSTOP) for the block: its connections stay
    open and nothing answers on them, as on a frozen machine."""
    try:
        os.kill(pid, signal.SIGSTOP)
    except PermissionError:
        pytest.skip("this user may not stop the database server's processes")
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def _kept_connection(router: ReplicaRouter, alias: str) -> int:
    """Connects to the replica ``alias`` through ``router``, as if long ago (its kept
    connection is asked again by the next read); the process id of its server."""
    assert router.db_for_read(Claim) == alias
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    connections[alias].claimbase_confirmed_at = 0.0
    return backend


@OUTSIDE_A_TRANSACTION
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a network replica: PostgreSQL's connections")
def test_a_replica_whose_kept_connection_stops_answering_is_left_out_within_the_timeout(replica_at, settings, caplog):
    settings.REPLICA_CONNECT_TIMEOUT = 1
    frozen = replica_at("replica_frozen")
    router = ReplicaRouter([frozen])
    backend = _kept_connection(router, frozen)
    with _stopped(backend), caplog.at_level(logging.ERROR, logger="project.routers"):
        started = time.monotonic()
        assert router.db_for_read(Claim) == "default"
        assert time.monotonic() - started < 3  # it had waited for ever
    assert "did not answer a query within 1 s" in caplog.text
    assert connections[frozen].connection is None  # closed, not kept


@OUTSIDE_A_TRANSACTION
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a network replica: PostgreSQL's connections")
def test_a_replica_whose_kept_connection_broke_is_connected_again(replica_at):
    restarted = replica_at("replica_restarted")
    router = ReplicaRouter([restarted])
    backend = _kept_connection(router, restarted)
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
    assert router.db_for_read(Claim) == restarted
    with connections[restarted].cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != backend


@OUTSIDE_A_TRANSACTION
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a network replica: PostgreSQL's connections")
def test_each_request_asks_the_kept_connection_first_so_one_broken_since_is_no_error(replica_at, monkeypatch):
    restarted = replica_at("replica_restarted")
    monkeypatch.setattr(routers, "replica_aliases", lambda: [restarted])
    router = ReplicaRouter([restarted])
    backends = []

    def view(request):
        alias = router.db_for_read(Claim)
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backends.append((alias, cursor.fetchone()[0]))
        return HttpResponse("ok")

    middleware = ReadYourWritesMiddleware(view)
    middleware(RequestFactory().get("/api/v1/claims/"))
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backends[0][1]])
    middleware(RequestFactory().get("/api/v1/claims/"))  # at once: within CONFIRMED_FOR_SECONDS
    assert [alias for alias, _ in backends] == [restarted, restarted]
    assert backends[1][1] != backends[0][1]


@OUTSIDE_A_TRANSACTION
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a network replica: PostgreSQL's standbys")
def test_a_replica_that_is_no_standby_is_left_out(replica_at, caplog):
    """A replica promoted (or a URL naming some other database that is no standby) would
    never see the primary's writes: its reads would stay stale for ever."""
    promoted = replica_at("replica_promoted", NAME="postgres")  # a database of the server, no standby
    with caplog.at_level(logging.ERROR, logger="project.routers"):
        assert ReplicaRouter([promoted]).db_for_read(Claim) == "default"
    assert "it is no standby (promoted?)" in caplog.text
    assert ReplicaRouter([replica_at("replica_mirror")]).db_for_read(Claim) == "replica_mirror"  # the primary's own


@OUTSIDE_A_TRANSACTION
def test_when_a_replica_left_out_is_asked_again_one_thread_asks_and_the_others_go_on(replica_at, monkeypatch):
    again = replica_at("replica_again")
    routers._left_out[again] = time.monotonic() - 1  # its period over
    asked, release = [], threading.Event()

    def slow_confirm(alias):
        asked.append(alias)
        release.wait(5)  # a replica still frozen: the asking thread waits its deadline

    monkeypatch.setattr(routers, "_confirm", slow_confirm)
    asking = threading.Thread(target=routers.answers, args=[again])
    asking.start()
    while not asked:
        time.sleep(0.01)
    started = time.monotonic()
    assert [routers.answers(again) for _ in range(3)] == [False, False, False]  # at once, elsewhere
    assert time.monotonic() - started < 0.5
    release.set()
    asking.join()
    assert asked == [again]
    assert routers.answers(again)  # it answered: back for everyone


@pytest.fixture
def redis_at(settings, monkeypatch):
    """Points the cache at a Redis address, with the project's timeouts."""
    monkeypatch.setattr(shared_cache, "_shared_cache_down_until", 0.0)
    throttling._local_counts.clear()

    def point(port: int):
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/0",
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }

    yield point
    throttling._local_counts.clear()


@pytest.mark.django_db
def test_a_redis_that_refuses_leaves_the_throttles_counting_in_the_process(redis_at, settings, client, caplog):
    redis_at(closed_port())
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/hour", "user": "1000/minute"}}
    with caplog.at_level(logging.ERROR, logger="project.cache"):
        answers = [client.get("/api/v1/claims/").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 429, 429]  # still throttled, by this process alone
    assert caplog.text.count("The shared cache does not answer") == 1  # then left alone a while


@pytest.mark.django_db
def test_a_silent_redis_costs_one_request_its_timeout_then_nothing(redis_at, silent_port, settings, client):
    redis_at(silent_port)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100/hour", "user": "1000/minute"}}
    started = time.monotonic()
    assert client.get("/api/v1/claims/").status_code == 200
    assert time.monotonic() - started < 3
    started = time.monotonic()
    assert client.get("/api/v1/claims/").status_code == 200
    assert time.monotonic() - started < 0.5


@pytest.mark.django_db
def test_the_shared_cache_is_asked_again_after_the_retry_period(redis_at, settings, client, monkeypatch):
    redis_at(closed_port())
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100/hour", "user": "1000/minute"}}
    asked = []
    monkeypatch.setattr(throttling, "shared_cache_failed", lambda error, meanwhile: asked.append(error) or shared_cache.shared_cache_failed(error, meanwhile))
    client.get("/api/v1/claims/")
    client.get("/api/v1/claims/")
    assert len(asked) == 1
    monkeypatch.setattr(shared_cache, "_shared_cache_down_until", time.monotonic() - 1)
    client.get("/api/v1/claims/")
    assert len(asked) == 2


def test_read_your_writes_keeps_to_its_cookie_while_redis_refuses(redis_at, monkeypatch):
    redis_at(closed_port())
    monkeypatch.setattr(routers, "replica_aliases", lambda: ["replica1"])
    monkeypatch.setattr(routers, "answers", lambda alias: True)
    router, decisions = ReplicaRouter(["replica1"]), []

    def view(request):
        decisions.append(router.db_for_read(Claim))
        return HttpResponse("ok")

    middleware, factory = ReadYourWritesMiddleware(view), RequestFactory()
    wrote = middleware(factory.post("/api/v1/claims/", HTTP_AUTHORIZATION="Token t"))
    again = factory.get("/api/v1/claims/", HTTP_AUTHORIZATION="Token t")
    again.COOKIES[routers.PIN_COOKIE] = wrote.cookies[routers.PIN_COOKIE].value
    middleware(again)
    middleware(factory.get("/api/v1/claims/", HTTP_AUTHORIZATION="Token t"))  # no cookie, no marker
    assert decisions == ["default", "default", "replica1"]


@OUTSIDE_A_TRANSACTION
def test_a_request_whose_replica_does_not_answer_reads_another_for_the_rest_of_it(replica_at, monkeypatch):
    down = replica_at("replica_down", **_unreachable(closed_port()))
    up = replica_at("replica_up")
    monkeypatch.setattr(routers, "replica_aliases", lambda: [down])  # the request starts with it
    router, decisions = ReplicaRouter([down, up]), []

    def view(request):
        decisions.extend(router.db_for_read(Claim) for _ in range(3))
        return HttpResponse("ok")

    ReadYourWritesMiddleware(view)(RequestFactory().get("/api/v1/claims/"))
    assert decisions == [up, up, up]


def _primary_backend() -> int:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate(backend: int) -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend])


@OUTSIDE_A_TRANSACTION
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a network replica: PostgreSQL's connections")
def test_a_read_the_replica_fails_under_it_is_answered_by_the_primary(replica_at, caplog):
    """A replica restarting while a read runs on it (its server ends the connection): the
    read is answered by the primary, the replica left out. It had been a 500."""
    restarting = replica_at("replica_restarting")
    router = ReplicaRouter([restarting])
    replica_backend, answered, primary = [], [], []

    def read():
        _kept_connection(router, restarting)
        with connections[restarting].cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            replica_backend.append(cursor.fetchone()[0])
            cursor.execute("SELECT pg_backend_pid(), n FROM pg_sleep(1), generate_series(1, 3) AS n")
            answered.extend(cursor.fetchall())
        primary.append(_primary_backend())  # this thread's own connection to the primary
        connections.close_all()

    reading = threading.Thread(target=read)
    with caplog.at_level(logging.ERROR, logger="project.routers"):
        reading.start()
        while not replica_backend:
            time.sleep(0.01)
        time.sleep(0.3)  # the read is running
        _terminate(replica_backend[0])
        reading.join()
    assert answered == [(primary[0], 1), (primary[0], 2), (primary[0], 3)]
    assert replica_backend[0] != primary[0]
    assert "replica_restarting does not answer (terminating connection" in caplog.text
    assert router.db_for_read(Claim) == "default"  # left out for REPLICA_RETRY_SECONDS


@OUTSIDE_A_TRANSACTION
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a network replica: PostgreSQL's connections")
def test_a_replica_connection_broken_since_it_was_confirmed_gives_the_orm_the_primarys_rows(replica_at):
    restarted = replica_at("replica_restarted")
    router = ReplicaRouter([restarted])
    _terminate(_kept_connection(router, restarted))
    connections[restarted].claimbase_confirmed_at = time.monotonic()  # within CONFIRMED_FOR_SECONDS: not asked
    assert router.db_for_read(Claim) == restarted
    assert list(Claim.objects.using(restarted).values_list("pk", flat=True)) == []  # no error: the primary's rows
    assert router.db_for_read(Claim) == "default"  # left out


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases="__all__")  # a real replica, where .ci/run has one
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a network replica: PostgreSQL's connections")
def test_related_rows_of_an_object_read_on_a_replica_since_left_out_are_read_elsewhere(replica_at, make_claim, analyst):
    left = replica_at("replica_left")
    router = ReplicaRouter([left])
    claim = Claim.objects.using(left).get(pk=make_claim(analyst).pk)
    assert claim._state.db == left and router.db_for_read(Claim, instance=claim) == left
    routers._leave_out(left, "a test")
    assert router.db_for_read(Claim, instance=claim) == "default"


@OUTSIDE_A_TRANSACTION
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a network replica: PostgreSQL's connections")
def test_a_read_that_is_itself_wrong_is_not_repeated_on_the_primary(replica_at):
    """A query the replica refuses for what it says (a syntax error, a statement timeout) is
    the caller's error: repeated on the primary it would fail again, or load it."""
    mirror = replica_at("replica_mirror")
    router = ReplicaRouter([mirror])
    assert router.db_for_read(Claim) == mirror
    statements = []
    with connections["default"].execute_wrapper(lambda execute, sql, *rest: statements.append(sql) or execute(sql, *rest)):
        with pytest.raises(DatabaseError), connections[mirror].cursor() as cursor:
            cursor.execute("SELECT FROM nowhere_at_all")
        with pytest.raises(DatabaseError), connections[mirror].cursor() as cursor:
            cursor.execute("SET statement_timeout = 50; SELECT pg_sleep(1)")
    assert statements == []
    assert mirror not in routers._left_out


def test_a_redis_database_the_server_does_not_have_is_said_so(caplog, monkeypatch):
    """Connected, refused for the database number: retried every 10 s for ever, with the
    server's words alone ("DB index is out of range")."""
    monkeypatch.setattr(shared_cache, "_shared_cache_down_until", 0.0)
    with caplog.at_level(logging.ERROR, logger="project.cache"):
        shared_cache.shared_cache_failed(Exception("DB index is out of range"), "throttles count in this process")
    assert "CACHE_URL names a database number the Redis server does not have" in caplog.text
