"""Rate limits on what anyone may do without an account, per client address (an IPv6
client by its /64).

Counted in the cache, which is Redis when configured: the limit then holds across every
web process and machine (the embedded default, local memory, holds per process only).
"""

import hashlib
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone
from django.utils.timesince import timeuntil

from accounts.client_address import client_network


@dataclass(frozen=True)
class Limit:
    name: str
    requests: int
    per_seconds: int
    what: str  # how the 429 page names the limited action


VERIFY_UPLOAD = Limit("verify", 20, 600, "Checking reports")
SIGNUP = Limit("signup", 10, 3600, "Registering organizations")
DIRECTORY = Limit("directory", 120, 600, "Searching the directory")
PASSWORD_RESET = Limit("password-reset", 10, 3600, "Asking for password-reset links")
# Per email address, however many clients ask and through which form: sign-up and password
# reset mail whatever address is typed in.
MAILS_TO_ONE_ADDRESS = Limit("mails-to-address", 3, 3600, "Mailing one address unasked")
# Per organization and address: anyone can register an organization and invite again and again.
INVITATIONS = Limit("invitations", 3, 3600, "Inviting one address")
# Per organization: a test event to any public address is up to five POSTs with its retries.
WEBHOOK_TESTS = Limit("webhook-tests", 5, 3600, "Sending test events")


def seconds_to_wait(limit: Limit, key: str) -> int:
    """Count one more request for key; 0 if it is allowed, else how long until it would be."""
    now = time.time()
    window = int(now // limit.per_seconds)
    counter = f"throttle:{limit.name}:{key}:{window}"
    cache.add(counter, 0, timeout=limit.per_seconds)
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.add(counter, 1, timeout=limit.per_seconds)
        count = 1
    if count <= limit.requests:
        return 0
    return max(1, int(limit.per_seconds - now % limit.per_seconds))


class TooOften(Exception):
    """An action refused by a limit for now; ``wait`` is how many seconds until it would be
    allowed (the API answers 429 with it in Retry-After)."""

    def __init__(self, message: str, *, wait: int):
        super().__init__(message)
        self.wait = wait


def seconds_to_mail(address: str, limit: Limit = MAILS_TO_ONE_ADDRESS, *, sender: str = "") -> int:
    """Count one more email under ``limit`` to ``address`` (from ``sender``, when the limit
    is per sender): 0 if it may go now, else how long until it could. The address is counted
    by its digest, never kept."""
    key = hashlib.sha256(f"{sender}:{address.strip().lower()}".encode()).hexdigest()
    return seconds_to_wait(limit, key)


def may_mail(address: str, limit: Limit = MAILS_TO_ONE_ADDRESS, *, sender: str = "") -> bool:
    """Whether one more email under ``limit`` may go to ``address`` now."""
    return not seconds_to_mail(address, limit, sender=sender)


def throttled_posts(limit: Limit, *, methods: tuple[str, ...] = ("POST",)):
    """Refuse a view's POSTs (or the methods named) beyond the limit for the client's
    address (its /64 for IPv6), with a 429."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods:
                wait = seconds_to_wait(limit, client_network(request) or "unknown")
                if wait:
                    # Said as a person would ("57 minutes"), sent exactly in Retry-After.
                    later = timezone.now() + timedelta(seconds=wait)
                    context = {"what": limit.what, "wait": timeuntil(later)}
                    response = render(request, "429.html", context, status=429)
                    response["Retry-After"] = str(wait)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
