"""gunicorn's settings: ``gunicorn project.wsgi`` run from the project root reads this file.

Each value can be overridden on the command line or through the environment variables read
here. Put a reverse proxy (TLS, request buffering) in front for a public site.
"""

import gc
import os


def default_threads(database_url: str) -> int:
    """Threads per worker when ``GUNICORN_THREADS`` is not set.

    On SQLite, one: its driver releases the GIL around every row it reads, so threads of one
    worker serving at once hand the GIL to each other hundreds of times a page, and under
    load the list page cost 15-30% more CPU with four threads than with one in most runs
    (bench/RESULTS.md). On PostgreSQL, where a query's rows arrive at once, four."""
    return 1 if database_url.startswith("sqlite") else 4


def whole_number(name: str, default: str) -> int:
    """A count from the environment, at least 1, or a message naming the variable (not a
    traceback of ``int()``)."""
    value = os.environ.get(name) or default
    if not value.strip().isascii() or not value.strip().isdigit() or int(value) < 1:
        raise SystemExit(f"{name} must be a whole number of at least 1, not {value!r}.")
    return int(value)


bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = whole_number("WEB_CONCURRENCY", "2")
# Threaded workers keep HTTP/1.1 connections alive between requests; gunicorn's default
# (sync) worker closes the connection after every response, and each new connection costs
# the server more CPU than building a page of the API.
# (gthread, answering a request line too long for limit_request_line in JSON: project/gunicorn_worker.py.)
worker_class = "project.gunicorn_worker.ThreadWorker"
threads = whole_number("GUNICORN_THREADS", str(default_threads(os.environ.get("DATABASE_URL") or "sqlite")))
keepalive = 5
# The longest request line read, in bytes: gunicorn's maximum (its default, 4094, refused
# 1,000 Cyrillic characters in /claims/similar/?text=, 6 bytes each percent-encoded). The
# API's longest parameter, that text, takes 1,000 characters: 6,079 bytes of request line
# at most in any script of two UTF-8 bytes a character (Latin, Cyrillic, Greek, Arabic,
# Persian, Hebrew), and 9,079 or 12,079 where each takes three (CJK, Devanagari) or four
# (emoji). Past 8,190 bytes, gunicorn's ceiling for any value but 0 (no limit, which
# this file does not choose), the answer is a JSON 414 ``request_line_too_large``
# (README, "Serving"). tests/test_gunicorn_conf.py computes these from the schema.
limit_request_line = 8190



def post_worker_init(worker):
    """Once a worker has loaded the application, the cyclic garbage collector stops looking
    at the loaded code and settings (``gc.freeze``) and sweeps the youngest objects every
    50,000 allocations instead of every 700. A list page allocates some 1,500 dicts and
    tuples, nearly all freed at once by reference counting; with Python's defaults the
    collector ran every half page and traversed them, about a tenth of the page's CPU."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
