"""What a container's health check and a load balancer ask each machine, answered truthfully:
web reaches the database, cache and storage; a worker whose queue is not worked is unhealthy;
a scheduler that stopped finishing rounds is unhealthy."""

import os
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from assessments.management.commands import health

ROOT = Path(__file__).resolve().parent.parent
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_healthz_says_each_dependency_is_ok(client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "storage": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_and_names_what_fails_when_the_cache_loses_values(client, db, monkeypatch):
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: None)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["cache"] == "failing" and response.json()["database"] == "ok"


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_worker_whose_queue_is_not_worked_is_unhealthy(db):
    from django_tasks_db.models import DBTaskResult

    from attestations.tasks import render_report

    call_command("health", "worker")  # an empty queue: healthy
    render_report.enqueue("00000000-0000-0000-0000-000000000000")
    call_command("health", "worker")  # just queued: a worker has ten minutes
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=11))

    with pytest.raises(CommandError, match="1 tasks waiting over 0:10:00"):
        call_command("health", "worker")


def test_a_scheduler_that_stopped_finishing_rounds_is_unhealthy(db, tmp_path, monkeypatch):
    beat = tmp_path / "beat"
    monkeypatch.setattr(health, "HEARTBEAT", beat)
    with pytest.raises(CommandError, match="has not finished a round yet"):
        call_command("health", "scheduler")
    beat.touch()
    call_command("health", "scheduler")
    an_hour_ago = time.time() - 3600
    os.utime(beat, (an_hour_ago, an_hour_ago))

    with pytest.raises(CommandError, match="the last round finished"):
        call_command("health", "scheduler")


@pytest.mark.slow
def test_compose_web_health_check_asks_the_running_portal(live_server):
    """bin/healthcheck web, exactly as compose runs it, against a portal that serves."""
    port = live_server.url.rsplit(":", 1)[-1]
    run = subprocess.run(  # noqa: S603 - our own script
        [str(ROOT / "bin/healthcheck"), "web"],
        env={**os.environ, "BIND": f"0.0.0.0:{port}", "ALLOWED_HOSTS": "localhost"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    stopped = subprocess.run(  # noqa: S603 - our own script
        [str(ROOT / "bin/healthcheck"), "web"],
        env={**os.environ, "BIND": "0.0.0.0:9", "ALLOWED_HOSTS": "localhost"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    assert '"database": "ok"' in run.stdout
    assert stopped.returncode == 1 and stopped.stdout.startswith("unhealthy:")
