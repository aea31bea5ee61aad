"""Load-test the rows every state move writes: the per-state counters and the audit chain.

    python bench/hot_rows.py --writers 1,4,16 --seconds 10

Each writer (a thread with its own database connection) moves an assessment of its own back
and forth, submitted and returned to draft, as fast as it can: the lifecycle's real moves, each
with its counter updates and its audit event in one transaction. Every writer count runs twice:
with the counters' slots as they are (``status_counts.SLOTS``), and with one slot per state (a
single hot row per state, the design the slots replace). Prints moves per second, the p50/p95 of
one move, and the time spent inside the statements that write the shared rows (the counter
updates; the audit chain's lock and its last hash), which is where writers wait for each other.
Afterwards the counters must equal a recount and the audit chain must be intact, or it fails.

Runs on the 1,000-assessment benchmark database (``bench/run.py`` makes it when missing).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", default="1,4,16")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    writers = [int(n) for n in args.writers.split(",")]
    if args.inner:
        print(json.dumps(measure(writers, args.seconds)))
        return
    sys.path.insert(0, str(ROOT / "bench"))
    from run import prepare

    # As in production: what a move sends after commit is queued, not run in the writer.
    env = prepare(1000, args.server, fresh=False) | {
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"
    }
    inner = [sys.executable, __file__, "--inner", "--writers", args.writers]
    out = subprocess.run(  # noqa: S603 - this script, with the benchmark's environment
        [*inner, "--seconds", str(args.seconds)],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    report(json.loads(out.stdout.strip().splitlines()[-1]))


def measure(writers: list[int], seconds: float) -> dict:
    import django

    django.setup()
    from django.test import override_settings
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from accounts.actors import Actor
    from assessments import status_counts, workflow
    from assessments.models import Assessment
    from attestations import audit
    from bench.measure import add_signatory, fresh_draft

    def back_and_forth(draft):
        """Two moves, each in its own transaction: the preparer submits, the signatory
        returns it to draft."""
        workflow.submit(draft, actor=Actor(draft.created_by))
        workflow.return_to_draft(draft, actor=draft.signatory, reason="Load test")

    began = timezone.now()
    drafts = [fresh_draft() for _ in range(max(writers))]
    for draft in drafts:
        draft.signatory = Actor(add_signatory(draft.organization)[0])
    status_counts.recount()  # start from counters known to be right
    slots_as_built = status_counts.SLOTS
    results = {}
    mail = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with override_settings(MAILERS=mail):
        for slots in (slots_as_built, 1):
            status_counts.SLOTS = slots
            for count in writers:
                results[f"{count} writers, {slots} slot{'s' if slots > 1 else ''}"] = _run(
                    drafts[:count], seconds, back_and_forth
                )
    status_counts.SLOTS = slots_as_built
    # The notices the moves queued are this run's by-product: the database stays as generated.
    DBTaskResult.objects.filter(enqueued_at__gte=began).delete()
    kept = {str(k): v for k, v in status_counts.counts().items()}
    actual = {str(k): v for k, v in status_counts.recount().items()}
    chain = audit.verify_chain()
    in_draft = Assessment.objects.filter(pk__in=[d.pk for d in drafts], status="draft").count()
    return {
        "runs": results,
        "counters match a recount": kept == actual,
        "audit chain intact": chain.intact,
        "audit events checked": chain.checked,
        "drafts back in draft": f"{in_draft} of {len(drafts)}",
    }


# Statements on what every move shares, by what they touch: the per-state counters, and the
# audit chain (its lock, and the last hash read after it).
SHARED = {
    "counters": ("assessments_statuscount",),
    "audit chain": ("pg_advisory_xact_lock", 'FROM "assessments_auditevent"'),
}


def _run(drafts, seconds, back_and_forth) -> dict:
    """Every draft moved by its own thread for ``seconds``, all starting together."""
    from django.db import connection

    start = threading.Barrier(len(drafts) + 1)
    stop = time.monotonic() + seconds + 0.5
    moves, errors = [], []
    shared = {name: [] for name in SHARED}

    def writer(draft):
        def timed(execute, sql, params, many, context):
            began = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                for name, marks in SHARED.items():
                    if any(mark in sql for mark in marks):
                        shared[name].append(time.perf_counter() - began)

        try:
            with connection.execute_wrapper(timed):
                start.wait()
                while time.monotonic() < stop:
                    began = time.perf_counter()
                    back_and_forth(draft)
                    moves.append((time.perf_counter() - began) / 2)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(d,)) for d in drafts]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    if errors:
        raise SystemExit(f"{len(errors)} writer(s) failed: {errors[0]}")
    moves.sort()
    return {
        "moves per second": round(2 * len(moves) / elapsed, 1),
        "move p50 ms": round(statistics.median(moves) * 1000, 2),
        "move p95 ms": round(moves[int(0.95 * (len(moves) - 1))] * 1000, 2),
    } | {
        f"in {name} statements per move ms": round(sum(times) / (2 * len(moves)) * 1000, 2)
        for name, times in shared.items()
    }


def report(figures: dict) -> None:
    columns = ["moves per second", "move p50 ms", "move p95 ms"]
    columns += [f"in {name} statements per move ms" for name in SHARED]
    print("| writers | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for name, row in figures["runs"].items():
        print(f"| {name} | " + " | ".join(str(row[c]) for c in columns) + " |")
    for key in ("counters match a recount", "audit chain intact", "audit events checked"):
        print(f"{key}: {figures[key]}")
    print(f"drafts back in draft: {figures['drafts back in draft']}")
    if not (figures["counters match a recount"] and figures["audit chain intact"]):
        raise SystemExit("the shared rows did not stay right under load")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
