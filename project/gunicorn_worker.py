"""gunicorn's threaded worker (``gthread``), answering a request line over
``limit_request_line`` as the API answers its errors: a short JSON body with a ``code``
(414 ``request_line_too_large``), not gunicorn's HTML page. Named by ``gunicorn.conf.py``."""

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
