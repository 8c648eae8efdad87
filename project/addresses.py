"""Which address a request comes from, for throttles and login limits.

Both count by ``client_key``: the address, or for IPv6 its /64 network.

``REMOTE_ADDR`` unless ``TRUSTED_PROXY_COUNT`` (default 0) says how many proxies stand in
front of the server. Each proxy appends the address it saw to ``X-Forwarded-For``, so
with N trusted proxies the client is the N-th entry from the right; anything further left
was written by the client and proves nothing. Without trusted proxies the header is
ignored: a caller cannot become someone else by sending it.
"""

from __future__ import annotations

import ipaddress
import logging
import re

from django.conf import settings


# An entry with its port, as some load balancers write it: ``203.0.113.7:51234``,
# ``[2001:db8::1]:443``.
_WITH_PORT = re.compile(r"\[(?P<bracketed>[0-9A-Fa-f:.]+)\](?::\d{1,5})?|(?P<v4>[0-9.]+):\d{1,5}")

logger = logging.getLogger(__name__)
_said_unreadable = False


def _valid(address: str) -> str | None:
    """The address an ``X-Forwarded-For`` entry names, its port left out; None if it names none."""
    address = address.strip()
    match = _WITH_PORT.fullmatch(address)
    if match is not None:
        address = match.group("bracketed") or match.group("v4")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _unreadable(entry: str, remote: str) -> str:
    """A trusted proxy's entry that names no address (``unknown``, an obfuscated name):
    every such caller is counted under the proxy's own address, so the proxy's setup is
    said once in the log."""
    global _said_unreadable
    if not _said_unreadable:
        _said_unreadable = True
        logger.warning(
            "X-Forwarded-For entry %r, written by a trusted proxy (TRUSTED_PROXY_COUNT), names no address: "
            "such callers are counted under the proxy's address %s, together", entry[:100], remote,
        )
    return remote


def client_address(request) -> str:
    """The caller's address as the trusted proxies (or the socket) saw it."""
    request = getattr(request, "_request", request)  # DRF's Request or Django's
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the request did not pass them all; the farthest one known.
    entry = forwarded[-trusted] if len(forwarded) >= trusted else forwarded[0]
    return _valid(entry) or _unreadable(entry, remote)


def throttle_key_address(address: str) -> str:
    """The part of an address that a throttle counts: the address for IPv4, its /64 network
    for IPv6 (one subscriber holds a whole /64, and could otherwise rotate through it),
    written as the network's first address (``2001:db8:1:2::``): an address still, which
    the login limits' address column takes (a network's ``/64`` is refused there)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def client_key(request) -> str:
    """What throttles and login limits count a request under: its caller's address
    (``client_address``) reduced as ``throttle_key_address`` says (IPv6 to its /64). One
    rule for both, or a /64 throttled as one caller would try passwords from each of its
    addresses."""
    return throttle_key_address(client_address(request))
