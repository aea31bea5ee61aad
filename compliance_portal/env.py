"""Strict helpers for reading settings from the environment.

Each helper fails loudly on a value it cannot understand instead of guessing, so a typo in
production configuration stops the process at start-up rather than silently weakening it.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


INSECURE_KEY_PREFIX = "insecure-"


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
