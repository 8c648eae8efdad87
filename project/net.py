"""Outbound HTTP that reaches the public internet only.

Fetching a source by URL and delivering a webhook both send requests to addresses a user
typed. Without care, such a request reaches this machine's own services (``127.0.0.1``,
the cloud metadata address ``169.254.169.254``, a database on a private network). Here
every hop, redirects included, resolves the host once, refuses the hop unless every
address is public, and connects to the address it checked (so a DNS answer that changes
between the check and the connection cannot slip through). TLS still verifies the
certificate against the host name.

``SOURCE_FETCH_ALLOW_PRIVATE=1`` (``allow_private=True``) lifts the address rule, for
tests against a local server.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import certifi
import idna
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK = 64 * 1024


# How much of a redirect's target a message shows.
SHOWN_LOCATION_CHARACTERS = 300


def _shown_location(location: str) -> str:
    """A ``Location`` header as its sender wrote it (the HTTP client reads a header's bytes
    as Latin-1: UTF-8 is read back as UTF-8), cut to ``SHOWN_LOCATION_CHARACTERS``."""
    try:
        location = location.encode("latin-1").decode("utf-8")
    except UnicodeError:
        pass
    if len(location) > SHOWN_LOCATION_CHARACTERS:
        return location[:SHOWN_LOCATION_CHARACTERS] + f"… ({len(location):,} characters)"
    return location


class FetchError(Exception):
    """An outbound request that did not give a usable answer; ``code`` says why."""

    def __init__(self, message: str, *, code: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


# An answer's body is kept in memory up to this size, past it in a temporary file.
SPOOLED_PAST = 1024 * 1024


@dataclass
class Response:
    url: str  # the final URL, after redirects
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case
    truncated: bool = False  # the body was cut at ``max_bytes`` (``request(truncate=True)``)
    # The body had not ended at the deadline: what came of it is kept (``request(truncate=True)``).
    stalled: bool = False
    # The body, at its start: in memory while small, in a temporary file past
    # ``SPOOLED_PAST`` (a large document is never held whole).
    file: BinaryIO = field(default_factory=lambda: tempfile.SpooledTemporaryFile(SPOOLED_PAST))

    @property
    def body(self) -> bytes:
        """The whole body (for small answers: read ``file`` for large ones)."""
        self.file.seek(0)
        try:
            return self.file.read()
        finally:
            self.file.seek(0)

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                return value.strip('"').strip()
        return None


# NAT64 (RFC 6052, RFC 8215): a gateway turns an address in these prefixes into the IPv4
# address in its last 32 bits, so ``64:ff9b::a9fe:a9fe`` reaches 169.254.169.254 through
# it. The local-use prefix is a site's own translation: never public.
NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL_USE = ipaddress.ip_network("64:ff9b:1::/48")
# The deprecated IPv4-compatible form (``::127.0.0.1``), some systems still route as IPv4,
# and the IPv4-translated form of SIIT (RFC 2765, ``::ffff:0:127.0.0.1``).
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
# The public internet's IPv6 unicast (RFC 4291): anything outside is local, deprecated
# (site-local ``fec0::/10``) or not routed (SRv6 segment ids ``5f00::/16``).
IPV6_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
# Not global, though Python's tables before 3.11.10 and 3.12.4 say they are: IETF protocol
# assignments (RFC 6890) and the IPv6 documentation prefix of RFC 9637.
NOT_GLOBAL = (ipaddress.ip_network("192.0.0.0/24"), ipaddress.ip_network("3fff::/20"))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries to an IPv4 host, if it carries one."""
    if ip.ipv4_mapped or ip.sixtofour or ip.teredo:
        return ip.ipv4_mapped or ip.sixtofour or ip.teredo[1]
    if ip in NAT64_WELL_KNOWN or ip in IPV4_TRANSLATED or (ip in IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(address: str) -> bool:
    """True for an address the public internet routes to (not private, loopback, link-local,
    multicast, reserved or unspecified; IPv4 inside IPv6 (mapped, translated, 6to4, Teredo,
    NAT64, IPv4-compatible) judged as that IPv4; other IPv6 only in global unicast)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in NAT64_LOCAL_USE:
            return False
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            ip = embedded
        elif ip not in IPV6_GLOBAL_UNICAST:
            return False
    return ip.is_global and not ip.is_multicast and not any(ip in network for network in NOT_GLOBAL)


# White space, controls, and the characters RFC 3986 keeps out of a host (a name or an IP
# literal); letters of any script stay (internationalised names).
_NOT_IN_A_HOST = re.compile(r"[\s\x00-\x1f\x7f<>\"{}|\\^`%#?/@]")


# What a URL's path, query and fragment keep as they are: RFC 3986's reserved and
# unreserved characters, and "%" (already escaped).
_SAFE_IN_URL = "!#$%&'()*+,/:;=?@[]~"


def as_sent(url: str) -> str:
    """``url`` as a request sends it: without the white space around it and the tabs and
    line breaks inside it (which browsers, and ``urlsplit``, drop), and with a space or a
    character past ASCII in its path, query or fragment percent-encoded as UTF-8 (as the
    request line carries it). The address a fetched source records: "sp ace.pdf" was
    fetched as sp%20ace.pdf, then recorded as no URL at all."""
    if not isinstance(url, str):
        return url
    parts = urlsplit(url.strip())
    return urlunsplit(parts._replace(
        path=percent_encoded(parts.path), query=percent_encoded(parts.query), fragment=percent_encoded(parts.fragment),
    ))


def percent_encoded(part: str) -> str:
    """A URL's path, query or fragment with a space or a character past ASCII percent-encoded
    as UTF-8, and a "%" that begins no escape as "%25" (sent as it stands, the HTTP client
    escaped every "%" of the part, the valid escapes too, and asked for another page)."""
    return quote(_LONE_PERCENT.sub("%25", part), safe=_SAFE_IN_URL)


_LONE_PERCENT = re.compile("%(?![0-9A-Fa-f]{2})")


def ascii_host(host: str) -> str:
    """A host written in Unicode (``bücher.example``) as the ASCII the name system knows it by
    (``xn--bcher-kva.example``), as a browser maps it (UTS #46, IDNA 2008: ``faß.de`` is
    not ``fass.de``); a host that cannot be so written stays as it is."""
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return host


def check_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL, or a ``FetchError`` with code ``bad_url``."""
    if not isinstance(url, str) or len(url) > 2048:
        raise FetchError("The URL must be text of at most 2,048 characters.", code="bad_url")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise FetchError(f"Not a valid URL: {error}.", code="bad_url") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        hint = " Write the address whole, beginning with https://." if not parts.scheme else ""
        raise FetchError(f"Only http:// and https:// URLs with a host can be fetched.{hint}", code="bad_url")
    if parts.username or parts.password:
        raise FetchError("URLs with a user name or password are not fetched.", code="bad_url")
    if port == 0:
        raise FetchError("Port 0 is not a port a server listens on.", code="bad_url")
    if _NOT_IN_A_HOST.search(parts.hostname):
        raise FetchError(f"{parts.hostname!r} is not a host name: it holds a character no host name has.", code="bad_url")
    return parts.scheme, parts.hostname, port if port is not None else (443 if parts.scheme == "https" else 80)


# How long a look-up without a deadline of its own may take (a webhook's URL checked on its
# form): the system resolver's own limit is 5 s an attempt, for each server and attempt.
DNS_TIMEOUT = 5.0


def _addresses_of(host: str, port: int, timeout: float) -> list:
    """``getaddrinfo`` within ``timeout`` seconds. The system resolver has no deadline that
    a caller sets: a name server that does not answer held a fetch (whose ``timeout`` bounds
    the whole exchange) for its own 5 s an attempt, and a webhook's form as long. The
    look-up runs in a thread of its own; one that does not end in time is left to end by
    itself, its answer unused."""
    outcome: dict[str, object] = {}

    def look_up() -> None:
        try:
            outcome["answers"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except BaseException as error:  # noqa: BLE001 - raised again in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=look_up, name=f"resolve {host}", daemon=True)
    thread.start()
    thread.join(max(timeout, 0.0))
    if thread.is_alive():
        raise FetchError(f"The host {host} was not resolved within {timeout:g} seconds.", code="timeout")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["answers"]


# Which addresses that are not public a request may reach: none (False), any (True, for
# tests against a local server), or those of some networks (a webhook's receiver on the
# deployment's own network, ``WEBHOOK_PRIVATE_NETWORKS``).
AllowedPrivate = bool | tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def is_allowed_address(address: str, allow_private: AllowedPrivate) -> bool:
    """Whether a request may reach ``address``: a public one, or one ``allow_private`` allows."""
    if allow_private is True or is_public_address(address):
        return True
    if not allow_private:
        return False
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and (ip in NAT64_LOCAL_USE or _embedded_ipv4(ip) is not None):
        # An IPv6 address that carries an IPv4 one reaches that IPv4 host, and is allowed as
        # it would be: ``::/0`` had let ``::ffff:127.0.0.1`` through to loopback.
        embedded = _embedded_ipv4(ip)
        if embedded is None:
            return False
        ip = embedded
    return any(ip.version == network.version and ip in network for network in allow_private)


def resolve(host: str, port: int, *, allow_private: AllowedPrivate, timeout: float | None = None) -> list[str]:
    """The addresses to connect to for ``host``, in the resolver's order, each once:
    resolved once, within ``timeout`` seconds (``DNS_TIMEOUT`` by default); every answer
    must be public, or allowed (``allow_private``)."""
    try:
        answers = _addresses_of(host, port, DNS_TIMEOUT if timeout is None else timeout)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"The host {host} could not be resolved.", code="unresolvable") from error
    addresses = list(dict.fromkeys(answer[4][0] for answer in answers))
    if not addresses:
        raise FetchError(f"The host {host} has no address.", code="unresolvable")
    if allow_private is not True:
        refused = [address for address in addresses if not is_allowed_address(address, allow_private)]
        if refused:
            raise FetchError(
                f"{host} resolves to {refused[0]}, which is not a public address; "
                "requests to private, loopback and link-local addresses are refused.",
                code="address_not_allowed",
            )
    return addresses


def _cut(sock: socket.socket) -> None:
    # The socket's own shutdown, for an SSL socket too (whose method would also drop its TLS
    # state under a reading thread): the blocked read returns, the exchange fails.
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # closed already


class _FinalResponse(http.client.HTTPResponse):
    """An answer read past any informational one (``102 Processing``, ``103 Early Hints``)
    before it, as past ``100 Continue`` (which http.client skips itself): those only say
    the answer is coming. ``101 Switching Protocols`` is final. The deadline bounds a
    server that sends informational answers for ever."""

    def _read_status(self):
        while True:
            version, status, reason = super()._read_status()
            if not 101 < status < 200:
                return version, status, reason
            http.client._read_headers(self.fp)  # an informational answer's headers: nothing to keep


class _Deadline:
    """A connection whose socket is shut at ``deadline`` (``time.monotonic``), whatever it is
    doing then. The socket's timeout bounds each read only: a status line, headers or
    ``100 Continue`` answers sent a byte at a time, each within it, would last for ever.
    The timer goes in ``watchdogs``, which the exchange cancels when it ends (not the
    connection's ``close``: http.client closes it when the response takes its socket)."""

    response_class = _FinalResponse

    def __init__(self, *args, deadline: float, watchdogs: list[threading.Timer], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = deadline
        self.watchdogs = watchdogs

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        watchdog = threading.Timer(max(0.0, self.deadline - time.monotonic()), _cut, (sock,))
        watchdog.daemon = True
        self.watchdogs.append(watchdog)
        watchdog.start()
        return sock


class _DeadlineHTTPConnection(_Deadline, HTTPConnection):
    pass


class _DeadlineHTTPSConnection(_Deadline, HTTPSConnection):
    pass


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _DeadlineHTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _DeadlineHTTPSConnection


def _pool(scheme: str, host: str, address: str, port: int, deadline: float, watchdogs: list,
          connect_within: float | None = None):
    remaining = deadline - time.monotonic()
    connect = remaining if connect_within is None else min(remaining, connect_within)
    timeouts = urllib3.Timeout(connect=connect, read=remaining)
    if scheme == "https":
        return _HTTPSPool(
            address,
            port,
            timeout=timeouts,
            retries=False,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            deadline=deadline,
            watchdogs=watchdogs,
        )
    return _HTTPPool(address, port, timeout=timeouts, retries=False, deadline=deadline, watchdogs=watchdogs)


def _wrapped(error: BaseException) -> list[BaseException]:
    """``error`` and the errors it wraps, outermost first: urllib3 wraps an error in one or
    two others (in its arguments, or as its cause); at most 8, never a cycle."""
    chain = [error]
    while len(chain) < 8:
        inner = next((arg for arg in getattr(error, "args", ()) if isinstance(arg, BaseException)), None)
        inner = inner or error.__cause__
        if inner is None or inner in chain:
            break
        chain.append(inner)
        error = inner
    return chain


def _certificate_refused(error: BaseException) -> bool:
    """Whether a failed exchange failed on the server's certificate (unknown issuer, expired,
    another host's): not a network fault, and said apart so that nobody looks for one."""
    return any(isinstance(inner, ssl.SSLCertVerificationError) for inner in _wrapped(error))


def _reason(error: BaseException) -> str:
    """What went wrong in a failed exchange, in the words of its innermost error."""
    error = _wrapped(error)[-1]
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    if isinstance(error, http.client.BadStatusLine) and not isinstance(error, http.client.RemoteDisconnected):
        # Its words are the server's first line: never repeated to the caller.
        return "the server did not answer with an HTTP status line"
    return str(error) or type(error).__name__


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
    max_bytes: int = 10 * 1024 * 1024,
    max_redirects: int = 5,
    allow_private: AllowedPrivate = False,
    truncate: bool = False,
    read_body: Callable[[int], bool] | None = None,
) -> Response:
    """Send one request, following up to ``max_redirects`` redirects, each hop checked.

    ``timeout`` bounds the whole exchange (every hop, connection and body), and the body is
    read in chunks and refused past ``max_bytes``: a slow or endless answer costs at most
    that. With ``truncate``, the body is cut at ``max_bytes`` instead (``truncated`` says
    so), for a caller that needs the status and at most an excerpt (a webhook's receiver
    accepts an event whatever it writes after its 2xx); a body still coming at the deadline
    is cut there too (``stalled``), the status kept. ``read_body``, asked the status,
    may say the body is not wanted: then only the status line and headers are read (the
    response's body is empty, ``truncated`` true), and a body that trickles or breaks off
    costs nothing; headers that had not ended by the deadline are a timeout. Raises ``FetchError`` (codes
    ``bad_url``, ``unresolvable``, ``address_not_allowed``, ``timeout``, ``too_large``,
    ``too_many_redirects``; ``redirected``, with the status, when ``max_redirects`` is 0;
    ``certificate``, ``connection``); an HTTP error status is returned, not raised.
    """
    deadline = time.monotonic() + timeout
    first_url = url

    def timed_out() -> FetchError:
        return FetchError(f"{url} did not answer within {timeout:g} seconds.", code="timeout")

    for _hop in range(max_redirects + 1):
        scheme, host, port = check_url(url)
        url = as_sent(url)
        # Looked up, named in Host and checked against the certificate as the name system
        # knows it: a Unicode host was sent raw (or not at all, past Latin-1).
        host = ascii_host(host)
        if deadline - time.monotonic() <= 0:
            raise timed_out()
        addresses = resolve(host, port, allow_private=allow_private, timeout=deadline - time.monotonic())
        default_port = 443 if scheme == "https" else 80
        sent_headers = {"User-Agent": "Claimbase", "Accept-Encoding": "identity", **(headers or {})}
        sent_headers["Host"] = host if port == default_port else f"{host}:{port}"
        if ":" in host and not host.startswith("["):
            sent_headers["Host"] = f"[{host}]" if port == default_port else f"[{host}]:{port}"
        path = urlsplit(url)
        target = (path.path or "/") + (f"?{path.query}" if path.query else "")
        if deadline - time.monotonic() <= 0:
            raise timed_out()
        watchdogs: list[threading.Timer] = []
        pool = None
        try:
            pool, answer = _open(
                scheme, host, addresses, port, deadline, watchdogs, method, target, body=body, headers=sent_headers,
            )
            try:
                status = answer.status
                answer_headers = {name.lower(): value for name, value in answer.headers.items()}
                if status in REDIRECT_STATUSES and answer_headers.get("location"):
                    if not max_redirects:
                        raise FetchError(
                            f"{url} answered HTTP {status}, a redirect, and redirects are not followed here "
                            f"(to {_shown_location(answer_headers['location'])}).",
                            code="redirected",
                            status=status,
                        )
                    try:
                        url = urljoin(url, answer_headers["location"])
                    except ValueError as error:
                        raise FetchError(
                            f"{url} redirected to an invalid URL ({error}).", code="bad_url"
                        ) from error
                    if status == 303:
                        method, body = "GET", None
                    continue
                wanted = read_body is None or read_body(status)
                if time.monotonic() >= deadline:
                    # Its headers were cut at the deadline: no answer, unless an excerpt's
                    # caller wants the body of this status (an error's status is kept).
                    if not (truncate and wanted):
                        raise timed_out()
                    return Response(url=url, status=status, headers=answer_headers, truncated=True, stalled=True)
                if not wanted:
                    return Response(url=url, status=status, headers=answer_headers, truncated=True)
                declared = answer_headers.get("content-length", "").strip()
                if not truncate and declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
                    raise _too_large(url, max_bytes)
                response, size = Response(url=url, status=status, headers=answer_headers), 0
                try:
                    # read1 returns what has arrived, so a trickling answer meets the deadline.
                    while chunk := answer.read1(CHUNK, decode_content=False):
                        size += len(chunk)
                        if size > max_bytes and truncate:
                            response.file.write(chunk[: len(chunk) - (size - max_bytes)])
                            response.truncated = True
                            break
                        if size > max_bytes:
                            response.file.close()
                            raise _too_large(url, max_bytes)
                        response.file.write(chunk)
                except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as error:
                    stalled = time.monotonic() >= deadline or isinstance(error, (urllib3.exceptions.TimeoutError, TimeoutError))
                    if not (truncate and stalled):
                        response.file.close()
                        raise
                    response.stalled = True
                if time.monotonic() >= deadline:
                    if not truncate:
                        # Cut at the deadline, a body that ends with the connection looks whole.
                        response.file.close()
                        raise timed_out()
                    response.stalled = True
                if response.stalled:
                    # An excerpt is all the caller wanted: the status and what came of the
                    # body are the answer (a receiver's 500 is not "no answer").
                    response.truncated = True
                response.file.seek(0)
                return response
            finally:
                answer.release_conn()
        except FetchError:
            raise
        except urllib3.exceptions.NewConnectionError as error:
            raise FetchError(f"Could not connect to {url}: {_reason(error)}.", code="connection") from error
        except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError, ValueError) as error:
            if time.monotonic() >= deadline or isinstance(error, (urllib3.exceptions.TimeoutError, TimeoutError)):
                raise timed_out() from error
            if _certificate_refused(error):
                raise FetchError(
                    f"The TLS certificate of {host} was refused: {_reason(error)}.", code="certificate"
                ) from error
            raise FetchError(f"Could not read an answer from {url}: {_reason(error)}.", code="connection") from error
        finally:
            if pool is not None:
                pool.close()
            for watchdog in watchdogs:
                watchdog.cancel()
    raise FetchError(f"More than {max_redirects} redirects from {first_url}.", code="too_many_redirects")


# Seconds an address is given to take the connection when the host has others to try.
NEXT_ADDRESS_AFTER = 2.0


def _open(scheme: str, host: str, addresses: list[str], port: int, deadline: float, watchdogs: list,
          method: str, target: str, **request) -> tuple:
    """(pool, answer) of the request sent to the first of ``addresses`` that takes the
    connection, in order, within the deadline: a host of several addresses (IPv6 and IPv4,
    round-robin) is not down because one of them is. The last refusal is raised."""
    for index, address in enumerate(addresses):
        last = index + 1 == len(addresses)
        # An address that drops the connection silently (a host's IPv6 down behind a
        # firewall) is given a few seconds, not the whole deadline, when others remain.
        pool = _pool(scheme, host, address, port, deadline, watchdogs, connect_within=None if last else NEXT_ADDRESS_AFTER)
        try:
            return pool, pool.urlopen(
                method, target, redirect=False, preload_content=False, assert_same_host=False, **request,
            )
        except (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError):
            pool.close()
            if last or time.monotonic() >= deadline:
                raise
        except BaseException:
            pool.close()
            raise
    raise AssertionError("resolve gives at least one address")


# Content codings a server may use although asked for none. "deflate" is zlib's format
# (RFC 9110), but servers send raw deflate or gzip under that name too, and browsers read
# all three: so does ``decoded``, by the stream's first two bytes.
_GZIP = ("gzip", "x-gzip")
_CODINGS = (*_GZIP, "deflate")
_GZIP_MAGIC = b"\x1f\x8b"


def _window(encoding: str, head: bytes) -> int:
    """zlib's ``wbits`` for a stream of ``encoding`` starting with ``head``."""
    if encoding in _GZIP or head.startswith(_GZIP_MAGIC):
        return 16 + zlib.MAX_WBITS
    if len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0:
        return zlib.MAX_WBITS  # zlib's header: deflate, and a check of the two bytes
    return -zlib.MAX_WBITS


def _inflated(stream: BinaryIO, encoding: str) -> Iterator[bytes]:
    """The decoded body, at most ``CHUNK`` bytes a piece. gzip may hold several members,
    one after another (decoded in turn, as browsers and ``gzip.decompress`` do); zero bytes
    after the end are padding. A stream that stops before its end (a body cut short: its
    last paragraphs would be lost without a word), or that has anything else after it, does
    not decode."""
    pending = stream.read(CHUNK)
    decoder = zlib.decompressobj(_window(encoding, pending))
    gzip_members = encoding in _GZIP or pending.startswith(_GZIP_MAGIC)
    while True:
        if len(pending) < 2:
            pending += stream.read(CHUNK)
            if not pending:
                break
        if decoder.eof:
            if gzip_members and pending.startswith(_GZIP_MAGIC):
                decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
            elif pending.strip(b"\0"):
                raise zlib.error("data after the end of the compressed stream")
            else:
                pending = b""
                continue
        # At most a chunk out per call: the rest waits in ``unconsumed_tail``.
        yield decoder.decompress(pending, CHUNK)
        pending = decoder.unused_data if decoder.eof else decoder.unconsumed_tail
    yield decoder.flush()
    if not decoder.eof:
        raise zlib.error(f"the body ends before its {encoding} stream does: it was cut short")


def decoded(response: Response, *, max_bytes: int) -> BinaryIO:
    """The body of ``response`` as its server meant it: undone of a ``Content-Encoding`` of
    gzip or deflate (some servers encode whatever they are asked), a piece at a time and
    refused past ``max_bytes`` (a small bomb inflates to gigabytes). ``FetchError`` with code
    ``unsupported_encoding`` for any other coding, or a body that does not decode whole."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        return response.file
    if encoding not in _CODINGS:
        raise FetchError(
            f"{response.url} sent its answer encoded as {encoding!r} (Content-Encoding), "
            "which cannot be read; only gzip and deflate are undone.",
            code="unsupported_encoding",
        )
    out = tempfile.SpooledTemporaryFile(SPOOLED_PAST)
    size = 0
    try:
        response.file.seek(0)
        for piece in _inflated(response.file, encoding):
            size += len(piece)
            if size > max_bytes:
                raise _too_large(response.url, max_bytes)
            out.write(piece)
    except zlib.error as error:
        out.close()
        raise FetchError(
            f"{response.url} sent a body that does not decode as {encoding} ({error}).",
            code="unsupported_encoding",
        ) from error
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def _too_large(url: str, max_bytes: int) -> FetchError:
    return FetchError(
        f"{url} sent more than {max_bytes:,} bytes, the limit.", code="too_large"
    )
