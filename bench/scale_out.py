"""Scale-out run: two web machines and two task workers against one PostgreSQL, one S3
bucket and one Redis, with Locust driving the whole journey over both web processes and one
worker killed midway. Loopback only; bounded in time and users.

    .venv/bin/pip install -e ".[load]"
    .venv/bin/python bench/scale_out.py --users 200 --seconds 150

Prints p50/p95 per request type, failures, and whether every requested report was produced
exactly once, the audit trail is intact and the report files are in the bucket.
"""

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
VAR = ROOT / "var" / "scale-out"
WEB_PORTS = (8201, 8202)
S3_PORT = 8209
DATABASE = "portal_scale"
REDIS_URL = "redis://127.0.0.1:6379/7"


def environment(server: str) -> dict:
    return os.environ | {
        "DATABASE_URL": f"{server}/{DATABASE}",
        "REDIS_URL": REDIS_URL,
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "S3_BUCKET": "portal-scale",
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{S3_PORT}",
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "scale-out",
        "S3_SECRET_ACCESS_KEY": "scale-out-secret",
        "SECRET_KEY": "scale-out-" + "0123456789abcdef" * 4,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{WEB_PORTS[0]}",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "compliance_portal.settings",
        "PORTAL_VAR_DIR": str(VAR),  # the signing key, shared as a mounted secret would be
        "PYTHON": PYTHON,
        "PYTHONPATH": str(ROOT),
        "REPORT_STUCK_AFTER_SECONDS": "30",
        "PUBLIC_CLAIMS_CHECKED": "false",  # loopback only: never read the organizations' sites
        "WEB_CONCURRENCY": "2",
        # Longer than any pause of a simulated person on this busy machine: a keep-alive
        # connection closed while the client sends on it is a reset, not a server failure.
        "KEEP_ALIVE": "30",
        "GUNICORN_CMD_ARGS": "--worker-class gthread --threads 8 --log-level warning",
    }


def start(args: list[str], env: dict, log: str, **extra) -> subprocess.Popen:
    out = (VAR / log).open("w")
    return subprocess.Popen(  # noqa: S603
        args,
        cwd=ROOT,
        env=env | extra,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        process.wait(30)


def wait_for(url: str, seconds: int = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer in {seconds} s")


def fresh_services(server: str, env: dict) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    redis.Redis.from_url(REDIS_URL).flushdb()
    s3 = boto3.client(
        "s3",
        endpoint_url=env["S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id=env["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=env["S3_SECRET_ACCESS_KEY"],
    )
    s3.create_bucket(Bucket=env["S3_BUCKET"])


def manage(env: dict, *args) -> str:
    """A management command's last line of output (the shell prints a preamble first)."""
    out = subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return (out.strip().splitlines() or [""])[-1]


def kill_while_rendering(worker: subprocess.Popen, env: dict, seconds: int) -> bool:
    """SIGKILL the worker (a machine dying), preferably in the middle of rendering a report:
    the hardest moment, a task claimed and never finished. Returns whether it was."""
    log = VAR / "worker-1.log"
    worker_id = log.read_text().split("worker_id=")[1].split()[0]
    probe = (
        "from django_tasks_db.models import DBTaskResult;"
        "print(DBTaskResult.objects.filter(status='RUNNING', task_path__endswith='render_report',"
        f" worker_ids__contains=['{worker_id}']).exists())"
    )
    deadline = time.monotonic() + seconds
    rendering = False
    while time.monotonic() < deadline and not rendering:
        rendering = manage(env, "shell", "-c", probe) == "True"
    stop(worker, signal.SIGKILL)
    return rendering


def drain(env: dict, seconds: int) -> None:
    """Let the surviving worker finish the queue, queueing lost renders again as the
    scheduler would (bin/scheduler runs retry_stuck_reports)."""
    check = (
        "from assessments.models import Attestation;"
        "print(Attestation.objects.exclude(report_state='ready').count())"
    )
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        manage(env, "retry_stuck_reports")
        if manage(env, "shell", "-c", check) == "0":
            return
        time.sleep(10)


def latency_table(stats_csv: Path) -> tuple[list[dict], int]:
    rows = list(csv.DictReader(stats_csv.open()))
    table = [
        {
            "request": r["Name"],
            "count": int(r["Request Count"]),
            "failures": int(r["Failure Count"]),
            "p50 ms": r["50%"],
            "p95 ms": r["95%"],
        }
        for r in rows
    ]
    total = next(r for r in table if r["request"] == "Aggregated")
    return table, total["failures"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=150)
    parser.add_argument("--organizations", type=int, default=80)
    parser.add_argument("--reviewers", type=int, default=15)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    VAR.mkdir(parents=True, exist_ok=True)
    env = environment(args.server)
    processes = [
        start(
            [str(ROOT / ".venv/bin/moto_server"), "-H", "127.0.0.1", "-p", str(S3_PORT)],
            env,
            "s3.log",
        )
    ]
    try:
        wait_for(f"http://127.0.0.1:{S3_PORT}/")
        fresh_services(args.server, env)
        webs = []
        for port in WEB_PORTS:  # the first migrates; the second finds nothing to do
            webs.append(start(["bin/serve"], env, f"web-{port}.log", BIND=f"127.0.0.1:{port}"))
            wait_for(f"http://127.0.0.1:{port}/verify/")
        processes += webs
        accounts = VAR / "accounts.json"
        subprocess.run(  # noqa: S603
            [
                PYTHON,
                "bench/scale_accounts.py",
                str(args.organizations),
                str(args.reviewers),
                str(accounts),
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        workers = [start(["bin/worker"], env, f"worker-{i}.log") for i in (1, 2)]
        processes += workers
        hosts = ",".join(f"http://127.0.0.1:{p}" for p in WEB_PORTS)
        started = time.monotonic()
        locust = start(
            [
                str(ROOT / ".venv/bin/locust"),
                "-f",
                "bench/scale_locustfile.py",
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                "20",
                "--run-time",
                f"{args.seconds}s",
                "--stop-timeout",
                "20",
                "--host",
                f"http://127.0.0.1:{WEB_PORTS[0]}",
                "--only-summary",
                "--csv",
                str(VAR / "locust"),
            ],
            env,
            "locust.log",
            SCALE_ACCOUNTS=str(accounts),
            SCALE_HOSTS=hosts,
        )
        time.sleep(args.seconds / 2)
        killed_mid_render = kill_while_rendering(workers[0], env, seconds=30)
        killed_at = round(time.monotonic() - started)
        locust.wait(args.seconds + 120)
        drain(env, 600)
        check = subprocess.run(  # noqa: S603
            [PYTHON, "bench/scale_check.py"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        outcome = json.loads(check.stdout.strip().splitlines()[-1])
        table, failures = latency_table(VAR / "locust_stats.csv")
    finally:
        for process in reversed(processes):
            stop(process)
    outcome = {
        "users": args.users,
        "seconds": args.seconds,
        "worker killed at s": killed_at,
        "worker killed while rendering": killed_mid_render,
        "failed requests": failures,
    } | outcome
    (VAR / "result.json").write_text(json.dumps({"outcome": outcome, "requests": table}, indent=1))
    print("| request | count | failures | p50 ms | p95 ms |\n|---|---|---|---|---|")
    for row in table:
        print("| " + " | ".join(str(v) for v in row.values()) + " |")
    print()
    for key, value in outcome.items():
        print(f"- {key}: {value}")
    ok = (
        failures == 0
        and outcome["attestations without a ready report"] == 0
        and outcome["requests rendered more than once"] == 0
        and outcome["report files in the bucket"] == outcome["report files"]
        and outcome["audit trail"] == "intact"
    )
    print("\nscale-out guarantees " + ("held" if ok else "NOT held"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
