"""Rate limits live in the shared cache: a limit spent through one process holds in another
(as on several web machines), with Django's Redis cache on 127.0.0.1:6379."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from accounts.throttling import VERIFY_UPLOAD, seconds_to_wait

ROOT = Path(__file__).resolve().parent.parent
REDIS = "redis://127.0.0.1:6379/15"


def redis_is_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not redis_is_up(), reason="no Redis on 127.0.0.1:6379")
def test_a_limit_spent_in_another_process_holds_here(settings):
    prefix = f"test-{uuid.uuid4().hex}"  # runs never share counters
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": prefix,
        }
    }
    address = "198.51.100.77"
    spend = (
        "import django; django.setup(); "
        "from accounts.throttling import VERIFY_UPLOAD, seconds_to_wait; "
        f"print(sum(seconds_to_wait(VERIFY_UPLOAD, {address!r}) == 0 for _ in range(20)))"
    )
    other = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", spend],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "compliance_portal.test_settings",
            "REDIS_URL": REDIS,
            "CACHE_KEY_PREFIX": prefix,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == "20"  # all allowed there
    assert seconds_to_wait(VERIFY_UPLOAD, address) > 0  # and the 21st refused here
    assert seconds_to_wait(VERIFY_UPLOAD, "198.51.100.78") == 0
