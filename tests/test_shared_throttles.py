"""Throttle counts are shared by every worker: two real gunicorn workers (gunicorn.conf.py)
hold the anonymous rate together, on the embedded default's database cache and on Redis;
and the counting itself is atomic (no increment lost to a concurrent one)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .support import REPO_DIR

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
needs_redis = pytest.mark.skipif(
    not Path(REDIS_SERVER).exists(), reason="needs redis-server (Debian: apt-get install redis-server)"
)
RATE = 60


@pytest.fixture(autouse=True)
def _no_counts_left_over():
    # The counters' table is not a model's: a transactional test's flush leaves it alone.
    # (Emptied directly: a test may point the cache at a Redis server gone by teardown.)
    def empty():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM claimbase_throttle")

    empty()
    yield
    empty()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listens on port {port}")


@contextmanager
def redis_server():
    port = free_port()
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process, timeout=20)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def database_url() -> str:
    """The test database, which the server shares (its cache table included)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    host, port = settings.get("HOST") or "127.0.0.1", settings.get("PORT") or 5432
    return f"postgres://{settings['USER']}@{host}:{port}/{settings['NAME']}"


@contextmanager
def gunicorn(cache_url: str = ""):
    port = free_port()
    environment = {
        **os.environ,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "DATABASE_URL": database_url(),
        "CACHE_URL": cache_url,
        "THROTTLE_ANON": f"{RATE}/minute",
        "SECRET_KEY": "shared-throttle-test",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "project.wsgi", "-c", "gunicorn.conf.py",
         "--access-logfile", "-", "--access-logformat", "worker=%(p)s status=%(s)s"],
        cwd=REPO_DIR, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.extend(process.stdout), daemon=True)
    reader.start()
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}", log
    finally:
        process.terminate()
        process.wait(timeout=30)
        reader.join(timeout=10)


def status_of(url: str) -> int:
    # A new connection each time, so that both workers take requests.
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def burst(base: str, count: int) -> list[int]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(status_of, [f"{base}/api/v1/claims/?page_size=1"] * count))


def workers_in(log: list[str]) -> set[str]:
    return {line.split()[0] for line in log if line.startswith("worker=")}


def wait_for_both_workers(base: str, log: list[str], timeout: float = 60) -> None:
    """Until both workers have loaded the application and answered (a page no throttle
    counts): a worker still loading takes no connection, and on a busy machine the other
    would answer the whole burst alone."""
    deadline = time.monotonic() + timeout
    while len(workers_in(log)) < 2:
        if time.monotonic() > deadline:
            raise TimeoutError(f"one worker answered alone for {timeout} s: {workers_in(log)}")
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(status_of, [f"{base}/admin/login/"] * 8))
        time.sleep(0.2)  # the access log's lines reach the reader thread


def assert_rate_holds_across_workers(base: str, log: list[str]) -> None:
    wait_for_both_workers(base, log)
    before = len(log)
    started = time.monotonic()
    statuses = burst(base, 3 * RATE)
    elapsed = time.monotonic() - started
    answered = statuses.count(200)
    assert set(statuses) <= {200, 429}, statuses
    # N at once; at most what the window frees while the burst lasts on top (only if a
    # period's boundary falls inside it). Counted per process, two workers would answer 2N.
    freed = RATE * elapsed / 60
    assert 0.9 * RATE <= answered <= 1.1 * RATE + freed, (answered, elapsed)
    time.sleep(0.5)
    workers = workers_in(log[before:])
    assert len(workers) == 2, f"both workers must have answered: {workers}"


def test_two_gunicorn_workers_share_the_anonymous_rate_on_the_database_cache():
    with gunicorn() as (base, log):
        assert_rate_holds_across_workers(base, log)


@needs_redis
def test_two_gunicorn_workers_share_the_anonymous_rate_on_redis():
    with redis_server() as cache_url, gunicorn(cache_url) as (base, log):
        assert_rate_holds_across_workers(base, log)


def concurrent_increments(threads: int = 8, each: int = 25) -> int:
    from django.core.cache import cache
    from django.db import connections

    cache.set("counted", 0, 60)

    def work():
        try:
            for _ in range(each):
                cache.incr("counted")
        finally:
            connections.close_all()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return cache.get("counted")


def test_throttle_counts_are_atomic_and_never_deadlock_across_a_period_boundary():
    # Requests of two periods at once roll the same row over and count it: none fails
    # (each statement locks one row, the caller's, for itself alone), and once every
    # request is in the later period, its count holds every request made in it.
    from django.core.cache import cache
    from django.db import connections

    failures = []

    def work(offset):
        try:
            for step in range(40):
                cache.count_hit("caller", 60, now=6_000 + (offset + step) % 2 * 60)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(repr(error))
        finally:
            connections.close_all()

    pool = [threading.Thread(target=work, args=(offset,)) for offset in range(8)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert failures == []
    count, previous = cache.count_hit("caller", 60, now=6_060)
    # A request of the earlier period that arrives after the roll-over counts in the later
    # one (the row's period): so the later count holds at least its own half, at most all.
    assert 8 * 20 + 1 <= count <= 8 * 40 + 1, (count, previous)
    assert count + previous <= 8 * 40 + 1


def test_concurrent_throttle_counts_lose_no_request():
    from django.core.cache import cache
    from django.db import connections

    def work():
        try:
            for _ in range(25):
                cache.count_hit("caller", 60, now=6_000)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=work) for _ in range(8)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert cache.count_hit("caller", 60, now=6_000) == (8 * 25 + 1, 0)


def test_a_throttle_count_is_one_statement_returning_this_and_the_last_periods_counts(monkeypatch):
    from django.core.cache import cache

    from project import cache as cache_module

    # Not the one count in CULL_EVERY that also sweeps expired rows (a second statement).
    monkeypatch.setattr(cache_module.random, "randrange", lambda n: 1)
    with CaptureQueriesContext(connection) as statements:
        assert cache.count_hit("caller", 60, now=600) == (1, 0)
    assert len(statements.captured_queries) == 1, statements.captured_queries
    assert cache.count_hit("caller", 60, now=659.9) == (2, 0)
    assert cache.count_hit("caller", 60, now=660) == (1, 2)  # a new period: the last one kept
    assert cache.count_hit("caller", 60, now=661) == (2, 2)
    assert cache.count_hit("caller", 60, now=800) == (1, 0)  # a period skipped: nothing kept
    assert cache.count_hit("caller", 60, now=790) == (2, 0)  # a clock behind counts in the row's period
    cache.uncount_hit("caller", 60, now=800)
    assert cache.count_hit("caller", 60, now=800) == (2, 0)
    # Each caller and each period length has its own row.
    assert cache.count_hit("other", 60, now=800) == (1, 0)
    assert cache.count_hit("caller", 3600, now=800) == (1, 0)
    cache.clear()
    assert cache.count_hit("caller", 60, now=800) == (1, 0)


def test_rows_of_callers_gone_for_two_periods_are_culled(monkeypatch):
    from django.core.cache import cache

    from project import cache as cache_module

    cache.count_hit("gone", 60, now=600)
    cache.count_hit("recent", 60, now=730)
    monkeypatch.setattr(cache_module, "CULL_EVERY", 1)
    cache.count_hit("now", 60, now=781)  # "gone" stopped mattering at 720
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name('key')} FROM claimbase_throttle")
        keys = sorted(row[0].split(":")[-2] for row in cursor.fetchall())
    assert keys == ["now", "recent"]


def test_a_throttled_request_is_counted_by_one_statement(settings, client):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1000/minute", "user": "1000/minute"}}
    client.get("/api/v1/claims/")
    with CaptureQueriesContext(connection) as statements:
        assert client.get("/api/v1/claims/").status_code == 200
    counting = [q["sql"] for q in statements.captured_queries if "claimbase_throttle" in q["sql"] or "claimbase_cache" in q["sql"]]
    assert len(counting) == 1 and "claimbase_throttle" in counting[0], counting


def test_a_refused_request_is_counted_back_out(settings, client):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/hour", "user": "1000/minute"}}
    assert [client.get("/api/v1/claims/").status_code for _ in range(5)] == [200, 200, 429, 429, 429]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name('count')} FROM claimbase_throttle")
        assert [row[0] for row in cursor.fetchall()] == [2]


def synchronous_commit_seen_by_the_count(wrap_in_transaction: bool) -> str:
    """The ``synchronous_commit`` in force when a throttle count is written (seen by a
    trigger on the counters' table, inside the statement that counts)."""
    from django.core.cache import cache
    from django.db import transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE durability_seen (setting text)")
        cursor.execute(
            "CREATE FUNCTION durability_seen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "INSERT INTO durability_seen VALUES (current_setting('synchronous_commit')); RETURN NEW; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER durability_seen AFTER INSERT OR UPDATE ON claimbase_throttle "
            "FOR EACH ROW EXECUTE FUNCTION durability_seen()"
        )
    try:
        if wrap_in_transaction:
            with transaction.atomic():
                cache.count_hit("counted", 60)
        else:
            cache.count_hit("counted", 60)
        with connection.cursor() as cursor:
            cursor.execute("SELECT setting FROM durability_seen")
            return cursor.fetchone()[0]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER durability_seen ON claimbase_throttle")
            cursor.execute("DROP FUNCTION durability_seen()")
            cursor.execute("DROP TABLE durability_seen")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's synchronous_commit")
def test_a_count_of_its_own_commits_without_waiting_for_the_disk():
    assert synchronous_commit_seen_by_the_count(wrap_in_transaction=False) == "off"
    # Local to that transaction: the connection's next one waits for its flush again.
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's synchronous_commit")
def test_a_count_inside_a_callers_transaction_leaves_its_durability_alone():
    assert synchronous_commit_seen_by_the_count(wrap_in_transaction=True) == "on"


@needs_redis
def test_redis_cache_increments_are_atomic_under_concurrency(settings):
    with redis_server() as cache_url:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": cache_url}}
        assert concurrent_increments() == 8 * 25


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's single writer lock")
def test_readers_are_not_held_up_by_a_writer_holding_sqlite(client):
    """An import holds SQLite's write lock until it commits; an anonymous reader's throttle
    count waits a moment for it, then serves the request uncounted instead of waiting out
    the writers' 30-second timeout."""
    import sqlite3

    writer = sqlite3.connect(connection.settings_dict["NAME"], timeout=1)
    writer.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        response = client.get("/api/v1/claims/")
        elapsed = time.monotonic() - started
    finally:
        writer.rollback()
        writer.close()
    assert response.status_code == 200
    assert elapsed < 10
