"""gunicorn.conf.py: threads per worker follow the database engine unless set."""

from __future__ import annotations

import io
import json
import runpy
import socket
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
import yaml
from django.core.management import call_command
from gunicorn.http.errors import InvalidHeader, LimitRequestHeaders, LimitRequestLine, UnsupportedTransferCoding

from project.gunicorn_worker import ThreadWorker

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


@pytest.mark.parametrize(
    ("environment", "threads"),
    [
        ({}, 1),  # the embedded default is a SQLite file
        ({"DATABASE_URL": "sqlite:////srv/claimbase.sqlite3"}, 1),
        ({"DATABASE_URL": "postgres://claimbase@db/claimbase"}, 4),
        ({"DATABASE_URL": "postgres://claimbase@db/claimbase", "GUNICORN_THREADS": "8"}, 8),
        ({"DATABASE_URL": "sqlite:////srv/claimbase.sqlite3", "GUNICORN_THREADS": "3"}, 3),
    ],
)
def test_threads_per_worker(monkeypatch, environment, threads):
    for name in ("DATABASE_URL", "GUNICORN_THREADS", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    conf = runpy.run_path(str(CONF))
    assert conf["threads"] == threads
    assert conf["worker_class"] == "project.gunicorn_worker.ThreadWorker" and conf["workers"] == 2


def test_workers_tune_the_garbage_collector_once_the_application_is_loaded(monkeypatch):
    import gc

    conf = runpy.run_path(str(CONF))
    thresholds = gc.get_threshold()
    try:
        conf["post_worker_init"](worker=None)
        assert gc.get_threshold() == (50_000, 20, 20)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


@pytest.mark.parametrize("name", ["WEB_CONCURRENCY", "GUNICORN_THREADS"])
@pytest.mark.parametrize("value", ["abc", "0", "-2", "1.5"])
def test_a_count_that_is_not_a_whole_number_says_so_naming_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit, match=f"{name} must be a whole number of at least 1, not '{value}'"):
        runpy.run_path(str(CONF))


def _similar_request_line(text: str, schema: dict) -> bytes:
    """The longest request line ``/claims/similar/`` takes with ``text``: every other
    parameter at the largest value the schema allows, percent-encoded."""
    operation = schema["paths"]["/api/v1/claims/similar/"]["get"]
    query = {"text": text}
    for parameter in operation["parameters"]:
        if parameter["in"] == "query" and parameter["name"] != "text":
            query[parameter["name"]] = str(parameter["schema"]["maximum"])
    return f"GET /api/v1/claims/similar/?{urlencode(query)} HTTP/1.1".encode("ascii")


@pytest.mark.django_db
def test_the_request_line_holds_the_longest_similar_text_of_two_byte_characters():
    """1,000 characters (the schema's most) of Cyrillic, Persian, Greek...: 6 bytes each,
    percent-encoded; gunicorn's default (4,094 bytes) answered 414 from about 680."""
    out = io.StringIO()
    call_command("spectacular", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    text_limit = next(
        parameter["schema"]["maxLength"]
        for parameter in schema["paths"]["/api/v1/claims/similar/"]["get"]["parameters"]
        if parameter["name"] == "text"
    )
    conf = runpy.run_path(str(CONF))
    for character in ("я", "ی", "ω", "ß"):
        assert len(_similar_request_line(character * text_limit, schema)) <= conf["limit_request_line"]
    # gunicorn reads no more than this, whatever is configured (but 0, no limit at all).
    assert conf["limit_request_line"] == 8190


def test_a_request_line_over_the_limit_is_answered_in_json():
    worker = ThreadWorker.__new__(ThreadWorker)
    logged = []
    worker.log = SimpleNamespace(warning=lambda *args: logged.append(args), debug=lambda *args: None)
    worker.cfg = SimpleNamespace(limit_request_line=8190)
    server, client = socket.socketpair()
    with server, client:
        worker.handle_error(None, server, ("203.0.113.7", 5000), LimitRequestLine(9079, 8190))
        server.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    head, body = answer.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 414 ")
    assert b"Content-Type: application/json" in head and f"Content-Length: {len(body)}".encode() in head
    assert json.loads(body) == {
        "detail": json.loads(body)["detail"], "code": "request_line_too_large", "limit_bytes": 8190,
    }
    assert "at least 9,079 bytes" in json.loads(body)["detail"] and logged  # how far gunicorn read


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (InvalidHeader("AUTHORIZATION"), 400, "bad_request"),
        (InvalidHeader("CONTENT-LENGTH"), 400, "bad_request"),
        (LimitRequestHeaders("limit request headers fields"), 431, "request_header_fields_too_large"),
        (UnsupportedTransferCoding("gzip"), 501, "not_implemented"),
    ],
    ids=["control character in a header", "both lengths", "too many headers", "transfer coding"],
)
def test_the_requests_gunicorn_refuses_itself_are_answered_in_json(error, status, code):
    """gunicorn's own page is HTML; an API client reads every error as JSON."""
    worker = ThreadWorker.__new__(ThreadWorker)
    worker.log = SimpleNamespace(warning=lambda *args: None, debug=lambda *args: None, exception=lambda *args: None)
    worker.cfg = SimpleNamespace(limit_request_line=8190)
    server, client = socket.socketpair()
    with server, client:
        worker.handle_error(None, server, ("203.0.113.7", 5000), error)
        server.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    head, body = answer.split(b"\r\n\r\n", 1)
    assert head.startswith(f"HTTP/1.1 {status} ".encode())
    assert b"Content-Type: application/json" in head and f"Content-Length: {len(body)}".encode() in head
    answer = json.loads(body)
    assert answer["code"] == code and str(error) in answer["detail"]
