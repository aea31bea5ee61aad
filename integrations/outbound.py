"""Requests the portal makes to addresses other people gave it (webhook endpoints, the
public pages behind an organization's claims).

Such an address must not become a way into our own network: the host is resolved once, every
address it resolves to must be public (unless OUTBOUND_ALLOW_PRIVATE, for tests and closed
networks), and the connection goes to that vetted address, so a second DNS answer cannot
swap it. A webhook follows no redirect; a page read follows a few, each checked like the first; time
and the size of the answer are bounded: each read by READ_SECONDS, and the whole exchange (the
TLS handshake, headers and body) by TOTAL_SECONDS, since a peer dripping a byte at a time never
lets a read time out.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

USER_AGENT = "MinorSafetyPortal/1 (compliance checks)"
CONNECT_SECONDS = 3
READ_SECONDS = 10
TOTAL_SECONDS = 20
MAX_RESPONSE_BYTES = 64 * 1024
MAX_PAGE_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 3


class Refused(Exception):
    """The request was not made, or failed; the message says why in words for the log."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes  # at most MAX_RESPONSE_BYTES (MAX_PAGE_BYTES for a page read)
    url: str = ""  # where it was finally answered from
    content_type: str = ""


def vetted_address(host: str, port: int) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise Refused(f"{host} does not resolve ({exc.strerror}).") from None
    addresses = [info[4][0] for info in infos]
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not allowed(ip):
            raise Refused(f"{host} resolves to {ip}, a private or reserved address.")
    return addresses[0]


NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052's well-known prefix
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated, still routed by some stacks
IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # SIIT, RFC 2765
# RFC 9637's second documentation block (2024), not yet known to Python as 2001:db8::/32 is
IPV6_DOCUMENTATION = ipaddress.ip_network("3fff::/20")


def embedded_ipv4(ip) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, NAT64, 6to4, Teredo...): a
    connection to it may reach them, so each is judged as if it were given itself."""
    if ip.version != 6:
        return []
    found = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if any(ip in net for net in (NAT64_PREFIX, IPV4_COMPATIBLE, IPV4_TRANSLATED)) and int(ip) > 1:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [address for address in found if address is not None]


def allowed(ip) -> bool:
    """Public addresses; with OUTBOUND_ALLOW_PRIVATE also loopback and private networks, but
    never link-local (where cloud metadata services answer), IPv6 site-local or unallocated,
    or multicast. An IPv6 address that embeds an IPv4 one is allowed only when that one is."""
    return _allowed_alone(ip) and all(_allowed_alone(v4) for v4 in embedded_ipv4(ip))


def _allowed_alone(ip) -> bool:
    if ip.is_link_local or ip.is_multicast or ip.is_unspecified:
        return False
    if ip.version == 6 and (ip.is_site_local or _unallocated(ip) or ip in IPV6_DOCUMENTATION):
        return False
    if ip.is_global:
        return True
    return settings.OUTBOUND_ALLOW_PRIVATE and (ip.is_loopback or ip.is_private)


def _unallocated(ip: ipaddress.IPv6Address) -> bool:
    """Outside the IPv6 space given out (only a network's own route reaches it), though
    Python calls some of it global; loopback and the forms carrying an IPv4 address are judged
    on their own terms."""
    return ip.is_reserved and not ip.is_loopback and not embedded_ipv4(ip)


def vetted_address_or_refusal(url: str) -> str:
    """Check an address when a person gives it, so a private one is refused at once."""
    return _target(url)[2]


def _target(url: str):
    """The address's parts, port and vetted IP address, or a refusal saying why."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("Only http and https addresses are called.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Refused("The address's port is not a valid port number.") from None
    return parts, port, vetted_address(parts.hostname, port)


class _Pinned(http.client.HTTPConnection):
    def __init__(self, host, port, address, **kw):
        super().__init__(host, port, **kw)
        self.address = address
        self.hung_up = False

    def connect(self):
        raw = socket.create_connection((self.address, self.port), CONNECT_SECONDS)
        raw.settimeout(READ_SECONDS)
        self.sock = self._secured(raw)

    def _secured(self, raw: socket.socket) -> socket.socket:
        return raw

    def hang_up(self):
        """End the exchange from outside, at its deadline: a read waiting on the connection
        (a TLS handshake's too) returns at once. The plain socket's own shutdown, never
        TLS's, which would pull the TLS state from under that read."""
        self.hung_up = True
        if self.sock is not None:
            with contextlib.suppress(OSError):  # already closed
                socket.socket.shutdown(self.sock, socket.SHUT_RDWR)


class _PinnedTLS(_Pinned):
    default_port = http.client.HTTPS_PORT

    def _secured(self, raw: socket.socket) -> socket.socket:
        """The TLS connection, held before its handshake so the deadline can end that too."""
        self.sock = ssl.create_default_context().wrap_socket(
            raw, server_hostname=self.host, do_handshake_on_connect=False
        )
        self.sock.do_handshake()
        return self.sock


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    return _send(
        "POST", url, body, {"Content-Type": "application/json", **headers}, MAX_RESPONSE_BYTES
    )


def get(url: str) -> Answer:
    """Read a page, following at most MAX_REDIRECTS redirects, each vetted again."""
    for _ in range(MAX_REDIRECTS + 1):
        answer = _send("GET", url, None, {"Accept": "text/html, text/plain"}, MAX_PAGE_BYTES)
        if answer.status not in (301, 302, 303, 307, 308) or not answer.url:
            return answer
        url = answer.url
    raise Refused(f"More than {MAX_REDIRECTS} redirects.")


def _send(method: str, url: str, body: bytes | None, headers: dict, limit: int) -> Answer:
    parts, port, address = _target(url)
    kind = _PinnedTLS if parts.scheme == "https" else _Pinned
    connection = kind(parts.hostname, port, address, timeout=READ_SECONDS)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    deadline = threading.Timer(TOTAL_SECONDS, connection.hang_up)
    deadline.start()
    failure = ""
    try:
        connection.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **headers})
        response = connection.getresponse()
        content = response.read(limit)
    except (OSError, http.client.HTTPException) as exc:
        failure = f"{type(exc).__name__}: {exc}"[:300]
    finally:
        deadline.cancel()
        connection.close()
    if connection.hung_up:  # what ended the answer, an error or its end, was the deadline
        raise Refused(f"No whole answer within {TOTAL_SECONDS} seconds.")
    if failure:
        raise Refused(failure)
    location = response.getheader("Location") or ""
    return Answer(
        response.status,
        content,
        urljoin(url, location) if location else url,
        response.getheader("Content-Type") or "",
    )
