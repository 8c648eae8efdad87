"""gunicorn's threaded worker (``gthread``), answering the requests gunicorn refuses itself
as the API answers its errors: a short JSON body with a ``code``, not gunicorn's HTML page.
A request line over ``limit_request_line`` is a 414 ``request_line_too_large`` that says the
limit; the others (a header holding a control character, both ``Transfer-Encoding`` and
``Content-Length``, a bad chunk...) keep gunicorn's status and message. Named by
``gunicorn.conf.py``."""

from __future__ import annotations

import json

from gunicorn import util
from gunicorn.http.errors import LimitRequestLine
from gunicorn.workers.gthread import ThreadWorker as GunicornThreadWorker


def request_line_too_large_answer(size: int, limit: int) -> bytes:
    """The whole HTTP answer to a request line of ``size`` bytes over ``limit``."""
    body = json.dumps({
        # gunicorn stops reading a line at its buffer's end (16 KB): ``size`` is how far it read.
        "detail": f"The request line (method, address with its query, percent-encoded, and version) is "
        f"at least {size:,} bytes; this server reads at most {limit:,}. Send a shorter query.",
        "code": "request_line_too_large",
        "limit_bytes": limit,
    }).encode()
    head = (
        "HTTP/1.1 414 URI Too Long\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


# The codes of gunicorn's refusals, by status (the API's names for them where it has one).
_CODES = {
    400: "bad_request",
    403: "forbidden",
    417: "expectation_failed",
    431: "request_header_fields_too_large",
    501: "not_implemented",
    500: "server_error",
}


def error_answer(status: int, reason: str, message: str) -> bytes:
    """The whole HTTP answer to a request gunicorn refused before the application saw it."""
    detail = message or ("Server error." if status >= 500 else reason)
    body = json.dumps({"detail": detail, "code": _CODES.get(status, "bad_request")}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


def _write_json_error(sock, status_int, reason, mesg):
    """gunicorn's ``util.write_error``, in JSON (``error_answer``)."""
    util.write_nonblock(sock, error_answer(status_int, reason, mesg))


# gunicorn's worker answers every request it refuses through ``util.write_error``, whose page
# is HTML: in this worker's process, it answers in JSON. (gunicorn's mapping of its errors to
# statuses and messages is kept, not copied here.)
util.write_error = _write_json_error


class ThreadWorker(GunicornThreadWorker):
    def handle_error(self, req, client, addr, exc):
        if not isinstance(exc, LimitRequestLine):
            return super().handle_error(req, client, addr, exc)
        # Nothing of the request was read but its first line: no path to log, no access line.
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        try:
            util.write_nonblock(client, request_line_too_large_answer(exc.size, exc.max_size or self.cfg.limit_request_line))
        except Exception:
            self.log.debug("Failed to send error message.")
        return None
