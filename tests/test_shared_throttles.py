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


def assert_rate_holds_across_workers(base: str, log: list[str]) -> None:
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
    workers = {line.split()[0] for line in log if line.startswith("worker=")}
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


def test_database_cache_increments_are_atomic_under_concurrency():
    assert concurrent_increments() == 8 * 25


def test_counting_this_period_while_reading_the_last_never_deadlocks():
    # Every request counts its period and reads the previous one; at a boundary, requests of
    # both periods hold one key in common. Locking both rows (in whatever order the scan
    # meets their latest versions) deadlocked under load: a 500 for the requests PostgreSQL
    # chose as victims, a second's wait for the others. Only the counted row is locked.
    from django.core.cache import cache
    from django.db import connections

    periods = ["p0", "p1", "p2", "p3"]
    for key in periods:
        cache.set(key, 0, 60)
    failures = []

    def work(offset):
        try:
            for step in range(40):
                index = (offset + step) % len(periods)
                cache.incr_reading(periods[index], periods[index - 1])
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
    assert sum(cache.get(key) for key in periods) == 8 * 40


def test_the_database_cache_counts_one_key_and_reads_another_in_one_statement():
    from django.core.cache import cache

    cache.set("this-period", 4, 60)
    cache.set("last-period", 9, 60)
    cache.set("long-gone", 7, -1)  # expired
    with CaptureQueriesContext(connection) as statements:
        assert cache.incr_reading("this-period", "last-period") == (5, 9)
    reads = [q["sql"] for q in statements.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1, reads
    assert cache.incr_reading("this-period", "never-set") == (6, None)
    assert cache.incr_reading("this-period", "long-gone") == (7, None)
    assert cache.incr_reading("this-period") == (8, None)
    assert cache.get("this-period") == 8 and cache.get("last-period") == 9
    with pytest.raises(ValueError):
        cache.incr_reading("long-gone", "this-period")


def test_a_throttled_request_reads_both_periods_counts_in_one_statement(settings, client):
    from django.core.cache import cache

    cache.clear()
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1000/minute", "user": "1000/minute"}}
    client.get("/api/v1/claims/")  # the period's counter exists from here on
    with CaptureQueriesContext(connection) as statements:
        assert client.get("/api/v1/claims/").status_code == 200
    counting = [q["sql"] for q in statements.captured_queries if "claimbase_cache" in q["sql"]]
    assert len(counting) == 2, counting  # the read of both periods, the write of this one
    assert " JOIN " in counting[0] and counting[1].startswith("UPDATE")


def synchronous_commit_seen_by_the_count(wrap_in_transaction: bool) -> str:
    """The ``synchronous_commit`` in force right after the database cache reads a count."""
    from django.core.cache import cache
    from django.db import transaction

    seen = []

    def observe(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if "claimbase_cache" in sql and sql.lstrip().upper().startswith("SELECT"):
            with context["connection"].cursor() as cursor:
                cursor.execute("SHOW synchronous_commit")
                seen.append(cursor.fetchone()[0])
        return result

    cache.set("counted", 0, 60)
    with connection.execute_wrapper(observe):
        if wrap_in_transaction:
            with transaction.atomic():
                cache.incr("counted")
        else:
            cache.incr("counted")
    assert cache.get("counted") == 1
    return seen[-1]


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
