"""Benchmark the portal at several sizes on PostgreSQL and print the figures side by side.

    python bench/run.py --sizes 1000,10000,100000

Each size gets its own database (portal_bench_<size>), generated once and kept for reruns
(--fresh regenerates). Server time is measured in-process through Django's test client, so the
figures exclude network and browser time. Targets are checked at the end.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def run(args, env):
    return subprocess.run([PYTHON, *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def prepare(size: int, server: str, fresh: bool) -> dict:
    name = f"portal_bench_{size}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": f"{server}/{name}",
        "DJANGO_SETTINGS_MODULE": "compliance_portal.settings",
        "SECRET_KEY": "bench-" + "0123456789abcdef" * 4,
        "ALLOWED_HOSTS": "testserver",
        "SITE_URL": "http://testserver",
        "SECURE_SSL_REDIRECT": "false",
        "REQUIRE_TWO_FACTOR": "false",  # measure the pages, not the second-factor redirect
        "PORTAL_VAR_DIR": str(ROOT / "var" / f"bench-{size}"),
        "PYTHONPATH": str(ROOT),
    }
    run(["manage.py", "create_signing_key", "--if-missing"], env)
    run(["manage.py", "migrate", "--noinput", "-v0"], env)
    if not exists:
        print(f"Generating {size} assessments ...", flush=True)
        run(["bench/generate.py", str(size)], env)
    run(["manage.py", "collectstatic", "--noinput", "-v0"], env)
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--fresh", action="store_true", help="regenerate the databases")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    figures = {}
    for size in sizes:
        env = prepare(size, args.server, args.fresh) | {"BENCH_REPEAT": str(args.repeat)}
        print(f"Measuring at {size} assessments ...", flush=True)
        out = ROOT / "var" / f"bench-{size}.json"
        run(["bench/measure.py", str(out)], env)
        figures[size] = json.loads(out.read_text())
    report(figures)


def report(figures: dict):
    sizes = list(figures)
    header = "| page | " + " | ".join(
        f"{s:,}: median ms | p95 ms | x floor | queries" for s in sizes
    )
    print("\n" + header + " |")
    print("|" + "---|" * (1 + 4 * len(sizes)))
    for name in figures[sizes[0]]:
        cells = []
        for size in sizes:
            row, floor = figures[size][name], figures[size]["floor"]["median_ms"]
            ratio = row["median_ms"] / floor
            cells += [row["median_ms"], row["p95_ms"], f"{ratio:.1f}", row.get("queries", "")]
        print(f"| {name} | " + " | ".join(str(c) for c in cells) + " |")
    small, large = figures[sizes[0]], figures[sizes[-1]]
    checks = [
        (
            "questionnaire page within 3x the floor",
            large["section page"]["median_ms"] <= 3 * large["floor"]["median_ms"],
        ),
        (
            "autosave within 3x the floor",
            large["autosave"]["median_ms"] <= 3 * large["floor"]["median_ms"],
        ),
        (
            f"dashboard at {sizes[-1]:,} faster than the admin changelist",
            large["dashboard, filtered"]["median_ms"] < large["admin changelist"]["median_ms"],
        ),
        (
            f"dashboard at {sizes[-1]:,} within 1.5x of its time at {sizes[0]:,}",
            large["dashboard, filtered"]["median_ms"]
            <= 1.5 * small["dashboard, filtered"]["median_ms"],
        ),
        (
            "PDF within 1.3x of raw WeasyPrint",
            large["report PDF (portal)"]["median_ms"]
            <= 1.3 * large["report PDF (raw WeasyPrint)"]["median_ms"],
        ),
        (
            "signing adds at most 10 % to the report's rendering",
            large["report PDF signing"]["median_ms"]
            <= 0.1 * large["report PDF (portal)"]["median_ms"],
        ),
    ]
    print()
    for label, ok in checks:
        print(f"{'met   ' if ok else 'MISSED'} {label}")


if __name__ == "__main__":
    main()
