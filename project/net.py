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

import ipaddress
import socket
import tempfile
import time
from dataclasses import dataclass, field
from typing import BinaryIO
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK = 64 * 1024


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
# The deprecated IPv4-compatible form (``::127.0.0.1``), some systems still route as IPv4.
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries to an IPv4 host, if it carries one."""
    if ip.ipv4_mapped or ip.sixtofour or ip.teredo:
        return ip.ipv4_mapped or ip.sixtofour or ip.teredo[1]
    if ip in NAT64_WELL_KNOWN or (ip in IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(address: str) -> bool:
    """True for an address the public internet routes to (not private, loopback, link-local,
    multicast, reserved or unspecified; IPv4 inside IPv6 (mapped, 6to4, Teredo, NAT64,
    IPv4-compatible) judged as that IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in NAT64_LOCAL_USE:
            return False
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            ip = embedded
    return ip.is_global and not ip.is_multicast


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
        raise FetchError("Only http:// and https:// URLs with a host can be fetched.", code="bad_url")
    if parts.username or parts.password:
        raise FetchError("URLs with a user name or password are not fetched.", code="bad_url")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to for ``host``: resolved once; every answer must be public."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"The host {host} could not be resolved.", code="unresolvable") from error
    addresses = [answer[4][0] for answer in answers]
    if not addresses:
        raise FetchError(f"The host {host} has no address.", code="unresolvable")
    if not allow_private:
        refused = [address for address in addresses if not is_public_address(address)]
        if refused:
            raise FetchError(
                f"{host} resolves to {refused[0]}, which is not a public address; "
                "requests to private, loopback and link-local addresses are refused.",
                code="address_not_allowed",
            )
    return addresses[0]


def _pool(scheme: str, host: str, address: str, port: int, timeout: float):
    timeouts = urllib3.Timeout(connect=timeout, read=timeout)
    if scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeouts,
            retries=False,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
        )
    return urllib3.HTTPConnectionPool(address, port, timeout=timeouts, retries=False)


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
    max_bytes: int = 10 * 1024 * 1024,
    max_redirects: int = 5,
    allow_private: bool = False,
) -> Response:
    """Send one request, following up to ``max_redirects`` redirects, each hop checked.

    ``timeout`` bounds the whole exchange (every hop, connection and body), and the body is
    read in chunks and refused past ``max_bytes``: a slow or endless answer costs at most
    that. Raises ``FetchError`` (codes ``bad_url``, ``unresolvable``,
    ``address_not_allowed``, ``timeout``, ``too_large``, ``too_many_redirects``,
    ``connection``); an HTTP error status is returned, not raised.
    """
    deadline = time.monotonic() + timeout
    for _hop in range(max_redirects + 1):
        scheme, host, port = check_url(url)
        address = resolve(host, port, allow_private=allow_private)
        default_port = 443 if scheme == "https" else 80
        sent_headers = {"User-Agent": "Claimbase", "Accept-Encoding": "identity", **(headers or {})}
        sent_headers["Host"] = host if port == default_port else f"{host}:{port}"
        if ":" in host and not host.startswith("["):
            sent_headers["Host"] = f"[{host}]" if port == default_port else f"[{host}]:{port}"
        path = urlsplit(url)
        target = (path.path or "/") + (f"?{path.query}" if path.query else "")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"{url} did not answer within {timeout:g} seconds.", code="timeout")
        pool = _pool(scheme, host, address, port, remaining)
        try:
            answer = pool.urlopen(
                method,
                target,
                body=body,
                headers=sent_headers,
                redirect=False,
                preload_content=False,
                assert_same_host=False,
            )
            try:
                status = answer.status
                answer_headers = {name.lower(): value for name, value in answer.headers.items()}
                if status in REDIRECT_STATUSES and answer_headers.get("location"):
                    url = urljoin(url, answer_headers["location"])
                    if status == 303:
                        method, body = "GET", None
                    continue
                declared = answer_headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise _too_large(url, max_bytes)
                response, size = Response(url=url, status=status, headers=answer_headers), 0
                # read1 returns what has arrived, so a trickling answer meets the deadline.
                while chunk := answer.read1(CHUNK, decode_content=False):
                    size += len(chunk)
                    if size > max_bytes:
                        response.file.close()
                        raise _too_large(url, max_bytes)
                    if time.monotonic() > deadline:
                        response.file.close()
                        raise FetchError(
                            f"{url} did not answer within {timeout:g} seconds.", code="timeout"
                        )
                    response.file.write(chunk)
                response.file.seek(0)
                return response
            finally:
                answer.release_conn()
        except FetchError:
            raise
        except (urllib3.exceptions.TimeoutError, socket.timeout) as error:
            raise FetchError(f"{url} did not answer within {timeout:g} seconds.", code="timeout") from error
        except urllib3.exceptions.HTTPError as error:
            raise FetchError(f"Could not reach {url}: {error}", code="connection") from error
        finally:
            pool.close()
    raise FetchError(f"More than {max_redirects} redirects from {url}.", code="too_many_redirects")


def _too_large(url: str, max_bytes: int) -> FetchError:
    return FetchError(
        f"{url} sent more than {max_bytes:,} bytes, the limit.", code="too_large"
    )
