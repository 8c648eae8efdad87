"""project.net: outbound requests reach public addresses only, within time and size limits."""

from __future__ import annotations

import gzip
import socket
import time
import zlib
from http.server import BaseHTTPRequestHandler

import pytest

from project import net

from .support import drip, local_server


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        if self.path == "/redirect-local":
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/hello")
            self.end_headers()
        elif self.path == "/odd-redirect":  # not a URL, UTF-8, and long
            self.send_response(301)
            self.send_header("Location", ("http://[::1/café" + "x" * 5000).encode().decode("latin-1"))
            self.end_headers()
        elif self.path.split("?")[0] == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif self.path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"x" * 5000)
        elif self.path == "/slow":
            self.send_response(200)
            self.end_headers()
            drip(self.wfile, 20)
        elif self.path == "/slow-headers":
            # The status line at once, then a header a byte at a time: each byte comes well
            # within any per-read timeout, the whole never.
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            drip(self.wfile, 30)
        elif self.path == "/continue-flood":
            # Interim answers, which the client skips, one after another.
            try:
                for _ in range(30):
                    self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                    self.wfile.flush()
                    time.sleep(0.1)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif self.path == "/early-hints":
            self.wfile.write(b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n")
            self.wfile.flush()
            self.send_response(200)
            self.send_header("Content-Length", "5")
            self.end_headers()
            self.wfile.write(b"hello")
        elif self.path == "/hints-flood":
            try:
                for _ in range(30):
                    self.wfile.write(b"HTTP/1.1 103 Early Hints\r\n\r\n")
                    self.wfile.flush()
                    time.sleep(0.1)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif self.path.startswith("/echo/"):
            body = f"{self.path} {self.headers['Host']}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/odd-length":
            # A digit to str.isdigit, not to int(): the header arrives decoded as Latin-1.
            self.send_response(200)
            self.send_header("Content-Length", "\u00b2")
            self.end_headers()
            self.wfile.write(b"hello")
        elif self.path == "/bad-location":
            self.send_response(302)
            self.send_header("Location", "http://[::1")
            self.end_headers()
        elif self.path.startswith("/encoded/"):
            encoding = self.path.rsplit("/", 1)[-1]
            text = b"Encoded although asked for none. " * 100
            body = {"gzip": gzip.compress, "deflate": zlib.compress, "br": lambda data: data}[encoding](text)
            if self.path.startswith("/encoded/bomb/"):
                body = gzip.compress(b"\0" * 5_000_000)
            elif self.path.startswith("/encoded/as-sent/"):
                body = ENCODED_BODIES[self.path.split("/")[3]]
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Encoding", encoding)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=ISO-8859-1")
            self.end_headers()
            self.wfile.write(f"hello {self.headers['Host']}".encode())

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        self.send_response(204 if body == b"ping" else 400)
        self.end_headers()


TEXT = b"Encoded although asked for none. " * 100
_raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
# Bodies sent as they are, under /encoded/as-sent/<name>/<Content-Encoding>.
ENCODED_BODIES = {
    "raw": _raw_deflate.compress(TEXT) + _raw_deflate.flush(),
    "gzip-as-deflate": gzip.compress(TEXT),
    "two-members": gzip.compress(TEXT[:1000]) + gzip.compress(TEXT[1000:]),
    "zero-padded": gzip.compress(TEXT) + b"\0" * 64,
    "cut-short": gzip.compress(TEXT)[:-20],
    "no-trailer": gzip.compress(TEXT)[:-8],
    "half": gzip.compress(TEXT)[: len(gzip.compress(TEXT)) // 2],
    "zlib-cut-short": zlib.compress(TEXT)[:-4],
    "trailing-bytes": gzip.compress(TEXT) + b"<html>more</html>",
}
_repeated = zlib.compressobj(wbits=-zlib.MAX_WBITS)
# Raw deflate whose last byte of input still has output to give, in zlib's window, when a
# reader asking for 64 bytes at a time has read it.
ENCODED_BODIES["long-matches"] = _repeated.compress(b"ab" * 5000) + _repeated.flush()


@pytest.fixture(scope="module")
def server():
    with local_server(Handler) as base:
        yield base


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "0.0.0.0", "::1",
     "fe80::1", "fc00::1", "::ffff:127.0.0.1", "100.64.0.1", "224.0.0.1",
     # IPv4 carried in IPv6: NAT64 (well-known and local-use prefixes), IPv4-compatible,
     # 6to4 and Teredo forms of loopback, private and metadata addresses.
     "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::a00:1", "64:ff9b:1::808:808",
     "::127.0.0.1", "::a9fe:a9fe", "2002:7f00:1::", "2001:0:4136:e378:8000:63bf:f5ff:fffe",
     # Ranges that Python's own tables (before 3.11.10 and 3.12.4) count as global: the
     # IPv4-translated form of loopback (SIIT), IETF protocol assignments, deprecated
     # site-local IPv6, the documentation prefix of RFC 9637, and SRv6 segment ids.
     "::ffff:0:7f00:1", "::ffff:0:a9fe:a9fe", "192.0.0.8", "fec0::1", "3fff::1", "5f00::1"],
)
def test_private_loopback_and_link_local_addresses_are_not_public(address):
    assert not net.is_public_address(address)


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "64:ff9b::808:808", "2002:808:808::"],
)
def test_public_addresses_are_public(address):
    assert net.is_public_address(address)


def test_a_loopback_url_is_refused_without_the_private_allowance(server):
    with pytest.raises(net.FetchError) as error:
        net.request("GET", server + "/hello")
    assert error.value.code == "address_not_allowed"


def test_a_name_that_resolves_to_loopback_is_refused():
    with pytest.raises(net.FetchError) as error:
        net.request("GET", "http://localhost:9/")
    assert error.value.code == "address_not_allowed"


def test_a_redirect_is_checked_like_the_first_hop(server, monkeypatch):
    # The first hop is allowed (as if public); the redirect to 127.0.0.1 is not.
    real_resolve = net.resolve
    calls = []

    def resolve(host, port, *, allow_private, **options):
        calls.append(host)
        return real_resolve(host, port, allow_private=len(calls) == 1, **options)

    monkeypatch.setattr(net, "resolve", resolve)
    with pytest.raises(net.FetchError) as error:
        net.request("GET", server + "/redirect-local")
    assert error.value.code == "address_not_allowed"
    assert len(calls) == 2


def test_the_private_allowance_reaches_a_local_server_and_follows_redirects(server):
    response = net.request("GET", server + "/redirect-local", allow_private=True)
    assert response.status == 200
    assert response.url.endswith("/hello")
    assert response.body.startswith(b"hello 127.0.0.1:")
    assert response.media_type == "text/html"
    assert response.charset == "ISO-8859-1"


def test_a_post_carries_its_body(server):
    assert net.request("POST", server + "/", body=b"ping", allow_private=True).status == 204


def test_endless_redirects_stop_at_the_limit(server):
    with pytest.raises(net.FetchError) as error:
        net.request("GET", server + "/loop", allow_private=True, max_redirects=3)
    assert error.value.code == "too_many_redirects"


def test_a_body_over_the_size_cap_is_refused(server):
    with pytest.raises(net.FetchError) as error:
        net.request("GET", server + "/big", allow_private=True, max_bytes=1000)
    assert error.value.code == "too_large"


@pytest.mark.parametrize(
    "path",
    [
        "/slow",  # a body a byte at a time
        "/slow-headers",  # a header a byte at a time: each read within the timeout, the whole never
        "/continue-flood",  # interim answers, which the client skips, one after another
        "/hints-flood",  # 103 Early Hints, one after another
    ],
)
def test_a_slow_answer_stops_at_the_timeout(server, path):
    started = time.monotonic()
    with pytest.raises(net.FetchError) as error:
        net.request("GET", server + path, allow_private=True, timeout=0.5)
    assert error.value.code == "timeout"
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("path", ["/continue-flood", "/hints-flood"])
def test_no_status_by_the_deadline_is_a_timeout_when_an_excerpt_is_asked_for_too(server, path):
    started = time.monotonic()
    with pytest.raises(net.FetchError) as error:
        net.request("GET", server + path, allow_private=True, timeout=0.5, truncate=True)
    assert error.value.code == "timeout"
    assert time.monotonic() - started < 1.5


def test_an_answer_after_early_hints_is_the_answer(server):
    """``103 Early Hints`` comes before the answer (a browser preloads what it names): it is
    no answer of its own, whose empty body would have been stored as the document."""
    response = net.request("GET", server + "/early-hints", allow_private=True)
    assert (response.status, response.body, response.headers.get("link")) == (200, b"hello", None)


@pytest.mark.parametrize("path", ["/slow", "/slow-headers"])
def test_an_answer_still_coming_at_the_deadline_is_cut_there_when_an_excerpt_is_asked_for(server, path):
    """With ``truncate``, a caller wants the status and an excerpt: an answer whose headers
    or body are still coming at the deadline is kept as far as it came, and said to have
    stalled. Without it, the body is the document, and a timeout (the test above)."""
    started = time.monotonic()
    response = net.request("GET", server + path, allow_private=True, timeout=0.5, truncate=True)
    assert time.monotonic() - started < 1.5
    assert (response.status, response.stalled, response.truncated) == (200, True, True)
    assert response.body == b"x" * len(response.body)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/", "file:///etc/passwd", "http://", "http://user:pw@example.org/",
            "http://[::1/", "javascript:alert(1)", 42, "http://example.org:99999/", "http://127.0.0.1:0/",
            "http://exa mple.com/", "http://ex<a>.com/", "http://exa%20mple.com/"],
)
def test_urls_that_are_not_plain_http_are_refused(url):
    with pytest.raises(net.FetchError) as error:
        net.request("GET", url)
    assert error.value.code == "bad_url"


def test_a_content_length_that_is_not_a_number_is_not_a_crash(server):
    # Either answer is fine (the body, or a refusal that says why); an exception is not.
    try:
        response = net.request("GET", server + "/odd-length", allow_private=True)
    except net.FetchError as error:
        assert error.code == "connection"
    else:
        assert response.status == 200


def test_a_redirect_to_an_invalid_url_is_refused_as_such(server):
    with pytest.raises(net.FetchError) as error:
        net.request("GET", server + "/bad-location", allow_private=True)
    assert error.value.code == "bad_url"
    assert "redirected to an invalid URL" in error.value.message


def test_a_refused_connection_is_not_called_a_timeout():
    with socket.socket() as bound:  # a port that is taken, with nobody listening on it
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        with pytest.raises(net.FetchError) as error:
            net.request("GET", f"http://127.0.0.1:{port}/", allow_private=True, timeout=5)
    assert error.value.code == "connection"
    assert "refused" in error.value.message
    assert "timeout" not in error.value.message and "within" not in error.value.message


def test_an_answer_without_a_status_line_is_said_to_be_so_not_echoed():
    """An HTTP/0.9-style answer (the page alone): the error names what is missing; the
    server's words never reach the message (a 400 would show them to the caller)."""
    import threading

    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(1)

        def answer():
            connection, _ = listening.accept()
            with connection:
                connection.recv(4096)
                connection.sendall(b"<html><head><title>Secret banner</title></head></html>\r\n\r\n")

        threading.Thread(target=answer, daemon=True).start()
        with pytest.raises(net.FetchError) as error:
            net.request("GET", f"http://127.0.0.1:{listening.getsockname()[1]}/", allow_private=True, timeout=5)
    assert error.value.code == "connection"
    assert "did not answer with an HTTP status line" in error.value.message
    assert "Secret" not in error.value.message


def test_the_first_url_is_named_when_redirects_run_out(server):
    with pytest.raises(net.FetchError) as error:
        net.request("GET", server + "/loop?start", allow_private=True, max_redirects=2)
    assert error.value.message == f"More than 2 redirects from {server}/loop?start."


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_body_encoded_although_asked_for_none_is_decoded(server, encoding):
    response = net.request("GET", server + f"/encoded/{encoding}", allow_private=True)
    assert net.decoded(response, max_bytes=10_000).read() == b"Encoded although asked for none. " * 100


def test_a_decoded_body_is_held_to_the_size_cap(server):
    response = net.request("GET", server + "/encoded/bomb/gzip", allow_private=True)
    assert len(response.body) < 10_000  # five megabytes of zeros, compressed
    with pytest.raises(net.FetchError) as error:
        net.decoded(response, max_bytes=100_000)
    assert error.value.code == "too_large"


def test_an_encoding_that_cannot_be_decoded_is_refused_by_name(server):
    response = net.request("GET", server + "/encoded/br", allow_private=True)
    with pytest.raises(net.FetchError) as error:
        net.decoded(response, max_bytes=10_000)
    assert error.value.code == "unsupported_encoding"
    assert "br" in error.value.message


@pytest.mark.parametrize("name, encoding", [
    ("raw", "deflate"), ("gzip-as-deflate", "deflate"), ("two-members", "gzip"), ("zero-padded", "gzip"),
])
def test_every_form_a_browser_reads_is_decoded_whole(server, name, encoding):
    response = net.request("GET", server + f"/encoded/as-sent/{name}/{encoding}", allow_private=True)
    assert net.decoded(response, max_bytes=10_000).read() == TEXT


@pytest.mark.parametrize("name, encoding, reason", [
    ("cut-short", "gzip", "cut short"),
    ("no-trailer", "gzip", "cut short"),
    ("half", "gzip", "cut short"),
    ("zlib-cut-short", "deflate", "cut short"),
    ("trailing-bytes", "gzip", "after the end"),
])
def test_a_body_that_does_not_decode_whole_is_refused_not_kept_in_part(server, name, encoding, reason):
    response = net.request("GET", server + f"/encoded/as-sent/{name}/{encoding}", allow_private=True)
    with pytest.raises(net.FetchError) as error:
        net.decoded(response, max_bytes=10_000)
    assert error.value.code == "unsupported_encoding"
    assert reason in error.value.message


def test_a_stream_whose_output_outruns_its_input_is_not_called_cut_short(server, monkeypatch):
    # A chunk of input whose decoding fills a whole chunk of output, with more to come from
    # zlib's window after the last byte was read.
    monkeypatch.setattr(net, "CHUNK", 64)
    response = net.request("GET", server + "/encoded/as-sent/long-matches/deflate", allow_private=True)
    assert net.decoded(response, max_bytes=20_000).read() == b"ab" * 5000


def _slow_name_server(monkeypatch, seconds: float) -> None:
    """A resolver whose name server takes ``seconds`` to answer, for names ending ``.slow``."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if str(host).endswith(".slow"):
            time.sleep(seconds)
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_name_server_that_does_not_answer_is_held_to_the_fetch_timeout(monkeypatch):
    """The timeout bounds the whole exchange, the name's look-up included: the system
    resolver's own limit is 5 s an attempt, for each server and attempt."""
    _slow_name_server(monkeypatch, 3)
    started = time.monotonic()
    with pytest.raises(net.FetchError) as error:
        net.request("GET", "http://news.slow/article", allow_private=True, timeout=0.5)
    assert error.value.code == "timeout"
    assert "news.slow was not resolved within" in error.value.message
    assert time.monotonic() - started < 1.5


def test_a_look_up_in_time_gives_its_address_and_its_errors(monkeypatch):
    _slow_name_server(monkeypatch, 0.05)
    assert net.resolve("news.slow", 80, allow_private=True, timeout=2) == ["127.0.0.1"]
    with pytest.raises(net.FetchError) as error:
        net.resolve("no-such-host.invalid", 80, allow_private=True, timeout=2)
    assert error.value.code == "unresolvable"


def test_a_redirect_where_none_is_followed_says_so_with_its_status_and_target(server):
    with pytest.raises(net.FetchError) as error:
        net.request("GET", server + "/loop", allow_private=True, max_redirects=0)
    assert (error.value.code, error.value.status) == ("redirected", 302)
    assert error.value.message == f"{server}/loop answered HTTP 302, a redirect, and redirects are not followed here (to /loop)."


def test_a_redirect_where_none_is_followed_shows_its_target_as_sent_and_cut_short(server):
    with pytest.raises(net.FetchError) as error:
        net.request("GET", server + "/odd-redirect", allow_private=True, max_redirects=0)
    assert (error.value.code, error.value.status) == ("redirected", 301)
    assert "redirects are not followed here (to http://[::1/café" in error.value.message
    assert error.value.message.endswith(f"… ({len('http://[::1/café') + 5000:,} characters)).")


def test_a_host_of_several_addresses_is_reached_at_the_first_that_answers(server, monkeypatch):
    """A dual-stack or round-robin host whose first address refuses the connection: only
    that one was tried, and the host looked down to this server alone."""
    port = int(server.rsplit(":", 1)[1])
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == "receiver.test":  # 127.0.0.2: loopback, where nothing listens on the port
            return [*real("127.0.0.2", *args, **kwargs), *real("127.0.0.1", *args, **kwargs)]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    assert net.resolve("receiver.test", port, allow_private=True) == ["127.0.0.2", "127.0.0.1"]
    response = net.request("GET", f"http://receiver.test:{port}/hello", allow_private=True)
    assert response.status == 200 and response.body == f"hello receiver.test:{port}".encode()
    # Every address refusing: the connection's refusal, said.
    with socket.create_server(("127.0.0.1", 0)) as closed_soon:
        free = closed_soon.getsockname()[1]
    with pytest.raises(net.FetchError) as error:
        net.request("GET", f"http://receiver.test:{free}/", allow_private=True)
    assert error.value.code == "connection"


@pytest.mark.parametrize("written, sent", [
    ("/echo/r%C3%A9sum%C3%A9/100%/x?q=caf%C3%A9&off=50%", "/echo/r%C3%A9sum%C3%A9/100%25/x?q=caf%C3%A9&off=50%25"),
    ("/echo/sp ace/%zz", "/echo/sp%20ace/%25zz"),
    ("/echo/déjà", "/echo/d%C3%A9j%C3%A0"),
])
def test_a_url_is_requested_as_it_is_recorded(server, written, sent):
    """A "%" that begins no escape was sent as it stood, and the client then escaped every
    "%" of the part, the valid escapes too: another page was asked for than the one recorded."""
    assert net.as_sent(server + written) == server + sent
    response = net.request("GET", server + written, allow_private=True)
    assert response.url == server + sent
    assert response.body.decode().split(" ")[0] == sent


def test_a_unicode_host_is_looked_up_and_named_as_the_name_system_knows_it(server, monkeypatch):
    """"bücher.example" was sent raw in Host (and a host past Latin-1 not at all)."""
    port = int(server.rsplit(":", 1)[1])
    real = socket.getaddrinfo
    asked = []

    def getaddrinfo(host, *args, **kwargs):
        asked.append(host)
        return real("127.0.0.1", *args, **kwargs) if host in ("xn--bcher-kva.test", "xn--r8jz45g.test") else real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    for host, ascii in (("bücher.test", "xn--bcher-kva.test"), ("例え.test", "xn--r8jz45g.test")):
        response = net.request("GET", f"http://{host}:{port}/echo/x", allow_private=True)
        assert response.body.decode() == f"/echo/x {ascii}:{port}"
    assert {"xn--bcher-kva.test", "xn--r8jz45g.test"} <= set(asked) and all(host.isascii() for host in asked)


def test_an_address_that_drops_connections_silently_is_given_seconds_not_the_whole_deadline(server, monkeypatch):
    """The first address takes no connection and refuses none (its queue full: the
    connection attempts are dropped): it held the request to its deadline, and the second
    address, which answers, was never tried."""
    port = int(server.rsplit(":", 1)[1])
    silent = socket.socket()
    silent.bind(("127.0.0.2", port))
    silent.listen(0)
    queued = []
    for _ in range(3):  # fills the queue: later attempts get no answer at all
        client = socket.socket()
        client.setblocking(False)
        client.connect_ex(("127.0.0.2", port))
        queued.append(client)
    time.sleep(0.2)
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == "dual.test":
            return [*real("127.0.0.2", *args, **kwargs), *real("127.0.0.1", *args, **kwargs)]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(net, "NEXT_ADDRESS_AFTER", 0.5)
    try:
        started = time.monotonic()
        response = net.request("GET", f"http://dual.test:{port}/hello", allow_private=True, timeout=5)
        assert response.status == 200 and time.monotonic() - started < 3
    finally:
        for client in queued:
            client.close()
        silent.close()
