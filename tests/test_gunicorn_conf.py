"""gunicorn.conf.py: threads per worker follow the database engine unless set."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

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
    assert conf["worker_class"] == "gthread" and conf["workers"] == 2


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
