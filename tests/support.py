"""Helpers for tests: where the seeds are, a sample text, database markers."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

REPO_DIR = Path(__file__).resolve().parents[1]
# The seeds ship inside the repository. The external reference data (W3C annotation test
# schemas, quote-matching cases) does not: the tests read it only from the folder
# CLAIMBASE_REFERENCE_DIR names (``run.py test`` sets it when a machine has the data), and
# every test that reads it is marked ``needs_reference`` and skips, saying why, without it.
SEEDS_DIR = REPO_DIR / "fixtures" / "seeds"
REFERENCE_DIR = Path(os.environ["CLAIMBASE_REFERENCE_DIR"]) if os.environ.get("CLAIMBASE_REFERENCE_DIR") else None


def reference_path(*parts: str) -> Path | None:
    """A file or folder of the external reference data; None when no folder is given."""
    return REFERENCE_DIR.joinpath(*parts) if REFERENCE_DIR is not None else None


def _missing(*parts: str) -> str | None:
    """Why the reference data ``parts`` names cannot be read, or None when it can."""
    path = reference_path(*parts)
    if path is None:
        return f"external reference data {'/'.join(parts)}: CLAIMBASE_REFERENCE_DIR is not set"
    if not path.exists():
        return f"external reference data {path} not found (CLAIMBASE_REFERENCE_DIR={REFERENCE_DIR})"
    return None


def needs_reference(*parts: str):
    """Skip the test unless the reference data ``parts`` names is there."""
    reason = _missing(*parts)
    return pytest.mark.skipif(reason is not None, reason=reason or "")


def require_reference(*parts: str) -> Path:
    """The reference data ``parts`` names; skips the calling test, saying why, without it."""
    reason = _missing(*parts)
    if reason is not None:
        pytest.skip(reason)
    return reference_path(*parts)


def seed_text(name: str) -> str:
    """The text of one seed document, as shipped in fixtures/seeds/."""
    return (SEEDS_DIR / name).read_text(encoding="utf-8")

SAMPLE_TEXT = (
    "Russia voted six times for UN Security Council sanctions on Iran.\n\n"
    "Moscow later said the sanctions went too far. “Curly quotes” stay curly; "
    "an emoji 🙂 sits before this sentence. Russia voted again."
)

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (real row locks and threads); .ci/run runs it with DATABASE_URL set",
)


# The path through the workflow behind each status, as the actions taken.
STATUS_PATHS = {
    "draft": [],
    "in_review": ["submit"],
    "changes_requested": ["submit", "request_changes"],
    "published": ["submit", "approve"],
    "rejected": ["submit", "reject"],
    "retracted": ["submit", "approve", "retract"],
}


def search_rows_out_of_step() -> list[tuple]:
    """PostgreSQL: the claims whose search row is missing, or whose copy of the claim's
    status and creation time (migration 0014) differs from the claim's own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.status, c.created_at, s.status, s.created_at FROM claims_claim c "
            "LEFT JOIN claims_claim_search s ON s.claim_id = c.id "
            "WHERE s.claim_id IS NULL OR s.status <> c.status OR s.created_at <> c.created_at"
        )
        return cursor.fetchall()


def drip(stream, count: int, pause: float = 0.1) -> None:
    """For a local test server's slow answer: one byte every ``pause`` seconds, ``count``
    times; it stops quietly when the client gives up, as the timeout tests mean it to."""
    import time

    try:
        for _ in range(count):
            stream.write(b"x")
            stream.flush()
            time.sleep(pause)
    except (BrokenPipeError, ConnectionResetError):
        pass


@contextmanager
def local_server(handler):
    """A local HTTP server answering with ``handler`` (an ``http.server`` request handler
    class) in a thread of its own; yields its base URL, and is shut down and closed after."""
    import threading
    from http.server import ThreadingHTTPServer

    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def html_page_handler(html: str):
    """A request handler (for ``local_server``) that answers every GET with ``html``."""
    from http.server import BaseHTTPRequestHandler

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output clean
            pass

        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
