"""Password guessing against one account from many addresses.

django-axes already locks an account from one address after a few failures. Here every
failure for an account counts, wherever it comes from, and past a higher limit the account
refuses passwords from browsers it does not know. A browser that has logged in to the
account before (or that came back through a password-reset link) carries a signed
known-device cookie and is never held up by this limit: a stranger can slow down guessing
everywhere, but cannot lock the owner out of their own browser. (The OWASP "device cookie"
approach; a lock that only time lifts would hand strangers a way to keep a reviewer out.)
"""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils.crypto import constant_time_compare, salted_hmac

COOKIE = "portal_known_device"
_SALT = "assessments.login_throttle.known-device"  # kept: issued cookies stay valid
KNOWN_DEVICE_DAYS = 180


def _username(value) -> str:
    return str(value or "").strip().lower()


def _counter(username: str) -> str:
    return "login-failures:" + hashlib.sha256(username.encode()).hexdigest()


def failures(username: str) -> int:
    return cache.get(_counter(_username(username)), 0)


@receiver(user_login_failed)
def count_failure(sender, credentials, request=None, **kwargs):
    username = _username(credentials.get("username"))
    if not username:
        return
    key = _counter(username)
    timeout = int(settings.AXES_COOLOFF_TIME.total_seconds())
    cache.add(key, 0, timeout=timeout)
    try:
        cache.incr(key)
    except ValueError:
        cache.add(key, 1, timeout=timeout)


def _password_tag(user) -> str:
    """Changes whenever the account's password does: a cookie from before a change (or from
    a browser that saw an old password) no longer makes the browser known."""
    return salted_hmac(_SALT, user.password, algorithm="sha256").hexdigest()[:32]


def is_known_device(request, username: str) -> bool:
    if request is None:
        return False
    try:
        value = signing.loads(
            request.COOKIES.get(COOKIE, ""), salt=_SALT, max_age=KNOWN_DEVICE_DAYS * 86400
        )
    except signing.BadSignature:
        return False
    if not isinstance(value, dict) or value.get("email") != _username(username):
        return False
    user = get_user_model().objects.filter(email__iexact=value["email"]).first()
    return user is not None and constant_time_compare(value.get("password"), _password_tag(user))


def remember_device(response, user) -> None:
    """Mark the browser as one its owner uses (after a log-in or a password reset), for as
    long as the account keeps the password it has now."""
    response.set_cookie(
        COOKIE,
        signing.dumps(
            {"email": _username(user.email), "password": _password_tag(user)}, salt=_SALT
        ),
        max_age=KNOWN_DEVICE_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def is_held(request, username: str) -> bool:
    return failures(username) >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT and not is_known_device(
        request, username
    )


class AccountThrottleBackend:
    """First in AUTHENTICATION_BACKENDS: refuses a password for an account under attack
    unless the browser is known to it. Raising PermissionDenied stops the other backends."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and is_held(request, username):
            if request is not None:
                request.account_held = True
            raise PermissionDenied
        return None


def axes_username(request, credentials) -> str:
    """The account axes counts failures for: emails are case-insensitive here."""
    source = credentials or getattr(request, "POST", None) or {}
    return _username(source.get(settings.AXES_USERNAME_FORM_FIELD))
