"""The address of the person making a request, as seen through the proxies we trust.

Behind a TLS proxy every request comes from the proxy; the person's address is then the
last one in X-Forwarded-For that no trusted proxy added. Nothing else in that header is
believed: a client can write anything there itself.

Limits count a client by `client_network`: an IPv6 subscriber holds a whole /64 and may use
any address in it, so counting addresses would give each of them endless fresh starts.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address) -> bool:
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str | None:
    """The requester's address: REMOTE_ADDR, or what our trusted proxies say it was."""
    remote = request.META.get("REMOTE_ADDR") or None
    if not _trusted(_address(remote or "")):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return remote  # a garbled header: fall back to the proxy, never to a guess
        if not _trusted(address):
            return str(address)
    return remote


IPV6_SUBSCRIBER_PREFIX = 64  # the block one household or server is given, at the least


def client_network(request) -> str | None:
    """Whom a limit counts: the client's IPv4 address, or the first address of the /64 its
    IPv6 address is in (an address itself, so it fits where an address is stored)."""
    address = _address(client_ip(request) or "")
    if address is None or address.version == 4:
        return str(address) if address else None
    if address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return str(ipaddress.IPv6Network((address, IPV6_SUBSCRIBER_PREFIX), strict=False)[0])
