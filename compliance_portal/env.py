"""Strict helpers for reading settings from the environment.

Each helper fails loudly on a value it cannot understand instead of guessing, so a typo in
production configuration stops the process at start-up rather than silently weakening it.
An empty value (`NAME=` in an env file) means the default, for every helper.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    """The variable's value, or None when it is unset or empty."""
    value = os.environ.get(name, "").strip()
    return value or None


def env_str(name: str, default: str = "") -> str:
    raw = _raw(name)
    return default if raw is None else raw


def env_bool(name: str, default: bool = False) -> bool:
    raw = _raw(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = _raw(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int_list(name: str, default: list[int]) -> list[int]:
    """Whole numbers separated by commas, e.g. REQUEST_REMINDER_DAYS=14,3."""
    items = env_list(name, [str(n) for n in default])
    try:
        return [int(item) for item in items]
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be whole numbers separated by commas, not {_raw(name)!r}"
        ) from None


INSECURE_KEY_PREFIX = "insecure-"


def site_url(*, debug: bool) -> str:
    """The public address used in links that leave the site (emails, PDFs, QR codes): in
    production it must be said, never guessed."""
    url = env_str("SITE_URL").rstrip("/")
    if debug:
        return url or "http://127.0.0.1:8000"
    if not url.startswith(("https://", "http://")):
        raise ImproperlyConfigured(
            "SITE_URL must be set to the portal's public address (e.g. https://portal.example.org)"
            " when DEBUG is off: it is printed in every email, report and QR code."
        )
    return url


def secret_key(*, debug: bool) -> str:
    """Return SECRET_KEY; outside DEBUG, refuse a missing, short or development key."""
    key = os.environ.get("SECRET_KEY", "")
    if debug:
        return key or INSECURE_KEY_PREFIX + "development-only-key"
    if not key or key.startswith(INSECURE_KEY_PREFIX) or len(key) < 50 or len(set(key)) < 5:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is "
            'off. Generate one with: python -c "import secrets; print(secrets.token_urlsafe(64))"'
        )
    return key


def s3_storage(*, bucket: str, endpoint_url="", region="", access_key="", secret_key="") -> dict:
    """The default storage on an S3-compatible bucket: private objects, reached only through
    the portal's permission-checked views (signed URLs, never public ones), never overwritten."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
