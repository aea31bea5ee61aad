import os
import time
from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance_portal.health import failing, stalled_tasks

# How long a task may wait before the queue counts as not worked, and the scheduler's beat.
TASK_WAIT = timedelta(minutes=10)
HEARTBEAT = Path(os.environ.get("SCHEDULER_HEARTBEAT", "/tmp/portal-scheduler-heartbeat"))  # noqa: S108 - this machine's own beat


class Command(BaseCommand):
    help = (
        "Exit 0 when this machine does its job (docker-compose's health checks run it): "
        "web reaches the database, cache and storage; worker also finds no task waiting "
        "over ten minutes; scheduler finished a round within two intervals."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", choices=["web", "worker", "scheduler"])

    def handle(self, *args, role, **options):
        if down := failing():
            raise CommandError(f"unhealthy: {', '.join(down)} failing")
        if role == "worker" and (waiting := stalled_tasks(TASK_WAIT)):
            raise CommandError(f"unhealthy: {waiting} tasks waiting over {TASK_WAIT}")
        if role == "scheduler":
            interval = int(os.environ.get("SCHEDULER_INTERVAL", "900"))
            if not HEARTBEAT.exists():
                raise CommandError("unhealthy: the scheduler has not finished a round yet")
            age = time.time() - HEARTBEAT.stat().st_mtime
            if age > 2 * interval + 300:
                raise CommandError(f"unhealthy: the last round finished {age:.0f} s ago")
        self.stdout.write("healthy")
