"""Requests the portal makes to addresses other people gave it (webhook endpoints).

Such an address must not become a way into our own network: the host is resolved once, every
address it resolves to must be public (unless OUTBOUND_ALLOW_PRIVATE, for tests and closed
networks), and the connection goes to that vetted address, so a second DNS answer cannot
swap it. Redirects are not followed; time and the size of the answer are bounded.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

USER_AGENT = "MinorSafetyPortal-Webhooks/1"
CONNECT_SECONDS = 3
READ_SECONDS = 10
MAX_RESPONSE_BYTES = 64 * 1024


class Refused(Exception):
    """The request was not made, or failed; the message says why in words for the log."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes  # at most MAX_RESPONSE_BYTES


def vetted_address(host: str, port: int) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise Refused(f"{host} does not resolve ({exc.strerror}).") from None
    addresses = [info[4][0] for info in infos]
    if not settings.OUTBOUND_ALLOW_PRIVATE:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not ip.is_global or ip.is_multicast:
                raise Refused(f"{host} resolves to {ip}, a private or reserved address.")
    return addresses[0]


def vetted_address_or_refusal(url: str) -> str:
    """Check an address when a person gives it, so a private one is refused at once."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("Only http and https addresses are called.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return vetted_address(parts.hostname, port)


class _Pinned(http.client.HTTPConnection):
    def __init__(self, host, port, address, **kw):
        super().__init__(host, port, **kw)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), CONNECT_SECONDS)
        self.sock.settimeout(READ_SECONDS)


class _PinnedTLS(http.client.HTTPSConnection):
    def __init__(self, host, port, address, **kw):
        super().__init__(host, port, context=ssl.create_default_context(), **kw)
        self.address = address

    def connect(self):
        raw = socket.create_connection((self.address, self.port), CONNECT_SECONDS)
        raw.settimeout(READ_SECONDS)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    address = vetted_address_or_refusal(url)
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    kind = _PinnedTLS if parts.scheme == "https" else _Pinned
    connection = kind(parts.hostname, port, address, timeout=READ_SECONDS)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={"User-Agent": USER_AGENT, "Content-Type": "application/json", **headers},
        )
        response = connection.getresponse()
        return Answer(response.status, response.read(MAX_RESPONSE_BYTES))
    except (OSError, http.client.HTTPException) as exc:
        raise Refused(f"{type(exc).__name__}: {exc}"[:300]) from None
    finally:
        connection.close()
