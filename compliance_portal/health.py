"""Is this machine able to serve? What a container's health check and a load balancer ask.

The web check reaches what every request needs: the database, the shared cache and the file
storage. It says which one fails, never why (the log says why)."""

import logging
import uuid
from datetime import timedelta

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)


def _storage() -> None:
    default_storage.exists("health-check-probe")


CHECKS = {"database": _database, "cache": _cache, "storage": _storage}


def failing() -> list[str]:
    """The names of the checks that fail now."""
    found = []
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            log.exception("Health check %s failed", name)
            found.append(name)
    return found


def stalled_tasks(older_than: timedelta) -> int:
    """Tasks waiting in the database queue longer than a worker would leave them."""
    from django.db.models import Q
    from django_tasks_db.models import DBTaskResult, get_date_max

    since = timezone.now() - older_than
    return (
        DBTaskResult.objects.ready()
        .filter(enqueued_at__lt=since)
        .filter(Q(run_after=get_date_max()) | Q(run_after__lt=since))
        .count()
    )


@never_cache
@require_GET
def healthz(request):
    down = failing()
    body = {name: ("failing" if name in down else "ok") for name in CHECKS}
    return JsonResponse(body, status=503 if down else 200)
