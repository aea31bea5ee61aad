"""Queuing background work, each retry waiting longer than the one before."""

from datetime import timedelta

from django.utils import timezone


def enqueue(task, *args, attempt: int, first_wait: timedelta, growth: int) -> None:
    """Queue attempt ``attempt`` of a task. A retry waits ``first_wait``, multiplied by
    ``growth`` for each retry before it, when the queue can defer work (an immediate backend
    cannot, and runs it at once)."""
    if attempt > 1 and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + first_wait * growth ** (attempt - 2))
    task.enqueue(*args, attempt=attempt)
