"""A local HTTP receiver for webhook tests: answers 200, fails (500), stalls, or stalls
every other request (the first included); or answers ``reply_status`` with ``reply_body``
when they are set."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    mode: str = "ok"  # ok | fail | stall | alternate
    stall_seconds: float = 2.0
    reply_status: int | None = None
    reply_body: bytes | None = None
    received: list[Received] = field(default_factory=list)
    started: int = 0  # requests whose body has been read (a stalled one included)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server hook's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.started += 1
                if receiver.mode == "stall" or (receiver.mode == "alternate" and receiver.started % 2):
                    time.sleep(receiver.stall_seconds)
                receiver.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.reply_status or (500 if receiver.mode == "fail" else 200)
                payload = receiver.reply_body if receiver.reply_body is not None else b"boom" if status == 500 else b"ok"
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up (timeout)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
