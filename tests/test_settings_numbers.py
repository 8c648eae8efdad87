"""Numbers read from the environment are checked where they are set: a clear
``ImproperlyConfigured`` naming the variable, not a traceback or a backoff of -5 seconds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from project.settings import env_number

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "value, options, message",
    [
        ("-5", {"positive": True}, "WEBHOOK_X must be more than 0, not '-5'."),
        ("0", {"positive": True}, "WEBHOOK_X must be more than 0, not '0'."),
        ("ten", {}, "WEBHOOK_X must be a number, not 'ten'."),
        ("nan", {}, "WEBHOOK_X must be a finite number, not 'nan'."),
        ("inf", {"positive": True}, "WEBHOOK_X must be a finite number, not 'inf'."),
        ("1.5", {"kind": int}, "WEBHOOK_X must be a whole number, not '1.5'."),
        ("0", {"kind": int, "least": 1}, "WEBHOOK_X must be at least 1, not '0'."),
        ("1e14", {"positive": True, "most": 86400}, "WEBHOOK_X must be at most 86400, not '1e14'."),
    ],
)
def test_a_number_that_does_not_fit_is_refused_naming_the_variable(monkeypatch, value, options, message):
    monkeypatch.setenv("WEBHOOK_X", value)
    with pytest.raises(ImproperlyConfigured) as refused:
        env_number("WEBHOOK_X", "10", **options)
    assert str(refused.value) == message


def test_a_number_that_fits_is_read_and_the_default_used_when_unset(monkeypatch):
    monkeypatch.setenv("WEBHOOK_X", "2.5")
    assert env_number("WEBHOOK_X", "10", positive=True) == 2.5
    monkeypatch.delenv("WEBHOOK_X")
    assert env_number("WEBHOOK_X", "10", kind=int) == 10


@pytest.mark.parametrize("value", ["abc", "10/fortnight", "10", "/minute", "-5/minute", "5/minute/2"])
def test_a_throttle_rate_that_does_not_parse_is_refused_naming_the_variable(monkeypatch, value):
    from project.settings import env_rate

    monkeypatch.setenv("THROTTLE_X", value)
    with pytest.raises(ImproperlyConfigured, match="THROTTLE_X: .* is not a rate"):
        env_rate("THROTTLE_X", "120/minute")


@pytest.mark.parametrize("value, parsed", [("120/minute", (120, 60)), ("5/s", (5, 1)), ("2000/hours", (2000, 3600)), (" 7 / Day ", (7, 86400))])
def test_a_throttle_rate_is_read_as_the_throttles_read_it(value, parsed):
    from project.rates import parse_rate

    assert parse_rate(value) == parsed


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("WEBHOOK_TIMEOUT_SECONDS", "3e13", "WEBHOOK_TIMEOUT_SECONDS must be at most 300, not '3e13'."),
        ("WEBHOOK_BACKOFF_SECONDS", "1e14", "WEBHOOK_BACKOFF_SECONDS must be at most 86400, not '1e14'."),
        ("WEBHOOK_BACKOFF_MAX_SECONDS", "1e14", "WEBHOOK_BACKOFF_MAX_SECONDS must be at most 604800, not '1e14'."),
        ("LOGIN_LOCKOUT_MINUTES", "1e13", "LOGIN_LOCKOUT_MINUTES must be at most 525600, not '1e13'."),
        # Each is a thread and a database connection of the worker's.
        ("WEBHOOK_CONCURRENCY", "0", "WEBHOOK_CONCURRENCY must be at least 1, not '0'."),
        ("WEBHOOK_CONCURRENCY", "1000", "WEBHOOK_CONCURRENCY must be at most 64, not '1000'."),
        ("WEBHOOK_CONCURRENCY", "2.5", "WEBHOOK_CONCURRENCY must be a whole number, not '2.5'."),
        # Accepted, they made every fetch (time_t) or every write with replicas a 500, or
        # stopped start-up without naming the variable.
        ("SOURCE_FETCH_TIMEOUT", "1e10", "SOURCE_FETCH_TIMEOUT must be at most 600, not '1e10'."),
        # Passed start-up, then every fetch timed out, every POST was a 413 ("0 bytes").
        ("SOURCE_FETCH_TIMEOUT", "1e-9", "SOURCE_FETCH_TIMEOUT must be at least 1, not '1e-9'."),
        ("WEBHOOK_TIMEOUT_SECONDS", "0.001", "WEBHOOK_TIMEOUT_SECONDS must be at least 1, not '0.001'."),
        ("MAX_BODY_MB", "0.0000009", "MAX_BODY_MB must be at least 1, not '0.0000009'."),
        ("REPLICA_PIN_SECONDS", "99999999999999999999", "REPLICA_PIN_SECONDS must be at most 86400, not '99999999999999999999'."),
        ("MAX_BODY_MB", "1e308", "MAX_BODY_MB must be at most 1048576, not '1e308'."),
        ("WEBHOOK_PRIVATE_NETWORKS", "10.0.0.0/8, intranet", "WEBHOOK_PRIVATE_NETWORKS: 'intranet' is not a network (10.0.0.0/8) or an address."),
        ("SOURCE_FETCH_ALLOW_PRIVATE", "nonsense", "SOURCE_FETCH_ALLOW_PRIVATE must be 1, true, yes or on, or 0, false, no or off, not 'nonsense'."),
        ("FILE_UPLOAD_TEMP_DIR", "/proc/no-such-directory", "FILE_UPLOAD_TEMP_DIR: '/proc/no-such-directory' is not a directory this process can write to."),
    ],
)
def test_a_duration_beyond_its_bound_is_refused_at_start_up(name, value, message):
    # The worker turns these into timedeltas: 1e14 seconds overflows one, and a failure that
    # cannot be recorded is sent again at every round, never backed off nor disabled.
    started = subprocess.run(
        [sys.executable, "-c", "import project.settings"], cwd=ROOT, env={**os.environ, name: value},
        capture_output=True, text=True, timeout=60,
    )
    assert started.returncode != 0
    assert f"ImproperlyConfigured: {message}" in started.stderr


@pytest.mark.parametrize(
    "url, message",
    [
        ("redis://127.0.0.1:6379/abc", "the database of 'redis://127.0.0.1:6379/abc' must be a number"),
        ("redis://127.0.0.1:6379?db=x", "must be a number (redis://host:6379/0), not 'x'"),
        ("redis://127.0.0.1:99999/0", "the port of 'redis://127.0.0.1:99999/0' is not a port"),
        ("redis://", "'redis://' names no host"),
        ("memcached://127.0.0.1:11211", "must be a redis://, rediss:// or unix:// address"),
        ("redis://127.0.0.1:6379/12?db=3", "names its database twice (in its path and as ?db=)"),
        ("redis://127.0.0.1:0/1", "is not a port (1-65535)"),
        ("redis://[::1/12", "is not an address (its host cannot be read)"),
        ("redis://:s3cret@127.0.0.1:6379/abc", "'redis://:***@127.0.0.1:6379/abc' must be a number"),
        # Options its client reads when it first connects: every request was a 500.
        ("redis://:s3cret@127.0.0.1:6379/0?socket_timeout=abc", "Invalid value for 'socket_timeout'"),
        ("redis://127.0.0.1:6379/0?health_check_interval=soon", "Invalid value for 'health_check_interval'"),
        ("redis://127.0.0.1:6379/0?sokcet_timeout=1", "sets options Claimbase does not take from the address: sokcet_timeout"),
        # Accepted by the client's parser, failing on every request, or breaking the cache.
        ("redis://127.0.0.1:6379/0?socket_timeout=-1", "socket_timeout must be a number of seconds above 0"),
        ("redis://127.0.0.1:6379/0?socket_timeout=nan", "socket_timeout must be a number of seconds above 0"),
        ("redis://127.0.0.1:6379/0?socket_connect_timeout=0", "socket_connect_timeout must be a number of seconds above 0"),
        ("redis://127.0.0.1:6379/0?protocol=4", "protocol must be 2 or 3"),
        # The client reads any word but its false ones as true: "maybe", and "off".
        ("redis://127.0.0.1:6379/0?socket_keepalive=maybe", "socket_keepalive must be true or false"),
        ("redis://127.0.0.1:6379/0?retry_on_timeout=off", "retry_on_timeout must be true or false"),
        # The client reads the first of an option given twice; a reader of the address the last.
        ("redis://127.0.0.1:6379/0?socket_keepalive=maybe&socket_keepalive=false", "gives socket_keepalive more than once"),
        ("redis://127.0.0.1:6379/0?connection_class=redis.SSLConnection", "does not take from the address: connection_class"),
        ("redis://127.0.0.1:6379/0?retry=3", "does not take from the address: retry"),
        ("redis://127.0.0.1:6379/0?decode_responses=true", "does not take from the address: decode_responses"),
        ("rediss://cache.example/0?ssl_cert_reqs=bogus", "ssl_cert_reqs must be none, optional or required"),
        ("redis://cache.example/0?ssl_cert_reqs=required", "sets ssl_cert_reqs, which only a rediss:// address uses"),
        ("redis://a:6379/0,redis://b:6379/x", "the database of 'redis://b:6379/x' must be a number"),
        ("redis://:s3cret/and@127.0.0.1:6379/x", "'redis://:***@127.0.0.1:6379/x'"),
    ],
)
def test_a_cache_url_redis_would_read_otherwise_is_refused(url, message):
    # Redis's client reads redis://host/abc as database 0, silently.
    from project.settings import check_redis_url

    with pytest.raises(ImproperlyConfigured) as refused:
        check_redis_url("CACHE_URL", url)
    assert message in str(refused.value) and str(refused.value).startswith("CACHE_URL")
    assert "s3cret" not in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "redis://127.0.0.1:6379/0", "rediss://cache.example:6380/2", "unix:///run/redis.sock?db=3", "redis://h",
        "redis://h:6379/0?socket_timeout=0.5&max_connections=20", "rediss://h/1?ssl_cert_reqs=required",
        "redis://a:6379/0,redis://b:6379/0", "unix:///run/redis.sock?db=1&client_name=claimbase",
        "rediss://h/1?ssl_check_hostname=true&ssl_ca_certs=/etc/ssl/ca.pem",
        "redis://user:p%40ss@h/0?protocol=3&health_check_interval=0&retry_on_timeout=true&socket_keepalive=1",
    ],
)
def test_a_cache_url_that_reads_as_it_says_is_taken(url):
    from project.settings import check_redis_url

    check_redis_url("CACHE_URL", url)


def _settings_in(env: dict, expression: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", f"import project.settings as s; print({expression})"], cwd=ROOT,
        env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
    )


def test_a_replica_of_another_engine_than_the_primary_is_refused():
    started = _settings_in(
        {"DATABASE_URL": "postgres://u@127.0.0.1/x", "DATABASE_REPLICA_URLS": "sqlite:///replica.sqlite3"}, "1"
    )
    assert started.returncode != 0
    assert "replica 1 (sqlite3) is not of the primary's engine (postgresql)" in started.stderr


def test_a_replica_waits_a_few_seconds_to_connect_unless_its_url_says_otherwise():
    env = {"DATABASE_URL": "postgres://u@127.0.0.1/x",
           "DATABASE_REPLICA_URLS": "postgres://u@10.0.0.9/x,postgres://u@10.0.0.8/x?connect_timeout=9"}
    started = _settings_in(env, "s.DATABASES['replica1']['OPTIONS']['connect_timeout'], s.DATABASES['replica2']['OPTIONS']['connect_timeout']")
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["3", "9"]


def test_a_replica_that_stops_answering_on_an_open_connection_is_found_by_tcp_unless_its_url_says_otherwise():
    env = {"DATABASE_URL": "postgres://u@127.0.0.1/x", "REPLICA_CONNECT_TIMEOUT": "4",
           "DATABASE_REPLICA_URLS": "postgres://u@10.0.0.9/x,postgres://u@10.0.0.8/x?keepalives_idle=60"}
    names = ("keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout")
    started = _settings_in(env, f"[[s.DATABASES[r]['OPTIONS'][n] for n in {names!r}] for r in ('replica1', 'replica2')]")
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "[[1, 4, 1, 4, 8000], [1, 60, 1, 4, 8000]]"


@pytest.mark.parametrize("replica", ["notaurl", "postgres://u@127.0.0.1:99999/x", "postgres://u@[::1/x"])
def test_a_replica_url_that_cannot_be_read_is_refused_naming_the_variable(replica):
    started = _settings_in({"DATABASE_URL": "postgres://u@127.0.0.1/x", "DATABASE_REPLICA_URLS": replica}, "1")
    assert started.returncode != 0
    assert "ImproperlyConfigured: DATABASE_REPLICA_URLS: replica 1 is not a database URL" in started.stderr


def test_manage_py_says_a_refused_setting_in_one_line():
    """The refusal's message names the variable; the traceback of the settings' import
    around it (55 lines) buried it."""
    started = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env={**os.environ, "WEBHOOK_CONCURRENCY": "0"},
        capture_output=True, text=True, timeout=60,
    )
    assert started.returncode == 1
    assert started.stderr == "ImproperlyConfigured: WEBHOOK_CONCURRENCY must be at least 1, not '0'.\n"
