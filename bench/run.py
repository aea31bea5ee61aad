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
    parser.add_argument(
        "--parts",
        default="pages,reports",
        help="pages (a web process), reports (a worker), or both; targets need both",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    figures = {}
    for size in sizes:
        env = prepare(size, args.server, args.fresh) | {"BENCH_REPEAT": str(args.repeat)}
        print(f"Measuring at {size} assessments ...", flush=True)
        figures[size] = {}
        for part in args.parts.split(","):  # a web process, then a worker: each its own memory
            out = ROOT / "var" / f"bench-{size}-{part}.json"
            run(["bench/measure.py", str(out), part], env)
            figures[size] |= json.loads(out.read_text())
    report(figures, with_targets=args.parts == "pages,reports")


def report(figures: dict, with_targets: bool = True):
    sizes = list(figures)
    timed = [name for name, row in figures[sizes[0]].items() if "median_ms" in str(row)]
    header = "| page | " + " | ".join(
        f"{s:,}: median ms | p95 ms | floor ms beside | x floor | queries" for s in sizes
    )
    print("\n" + header + " |")
    print("|" + "---|" * (1 + 5 * len(sizes)))
    for name in timed:
        cells = []
        for size in sizes:
            row = figures[size][name]
            beside = row.get("floor_ms", "")
            ratio = f"{x_floor(figures[size], name):.1f}"
            cells += [row["median_ms"], row["p95_ms"], beside, ratio, row.get("queries", "")]
        print(f"| {name} | " + " | ".join(str(c) for c in cells) + " |")
    print("\n| per size | " + " | ".join(f"{s:,}" for s in sizes) + " |")
    print("|" + "---|" * (1 + len(sizes)))
    for name in [n for n in figures[sizes[0]] if n not in timed]:
        values = [figures[s][name] for s in sizes]
        if isinstance(values[0], dict):  # memory
            for key in values[0]:
                print(f"| {key} | " + " | ".join(str(v[key]) for v in values) + " |")
        else:
            print(f"| {name} | " + " | ".join(str(v) for v in values) + " |")
    if not with_targets:
        return
    print("\n| target | measured | limit | |\n|---|---|---|---|")
    for label, measured, limit in targets(figures):
        verdict = "met" if measured <= limit else "MISSED"
        print(f"| {label} | {measured:.2f} | {limit:.2f} | {verdict} |")


def x_floor(size_figures: dict, name: str) -> float:
    """A page's time over the floor view's, timed in turn with it (measure.timed)."""
    row = size_figures[name]
    return row["median_ms"] / row.get("floor_ms", size_figures["floor"]["median_ms"])


def targets(figures: dict) -> list[tuple[str, float, float]]:
    """(what, measured, limit): met when measured <= limit."""
    sizes = list(figures)
    small, large = figures[sizes[0]], figures[sizes[-1]]

    def ms(size_figures, name):
        return size_figures[name]["median_ms"]

    # What people feel: the three busiest pages within 5x a bare view (figures taken side by
    # side), and every page no slower than Django admin's changelist over the same rows.
    checks = [
        (f"{page}, x floor at {sizes[-1]:,}", x_floor(large, page), 5)
        for page in ("section page", "autosave", "review page")
    ]
    for size in sizes:
        here = figures[size]
        for view in (
            "section page",
            "autosave",
            "review page",
            "dashboard, filtered",
            "dashboard, page 20",
        ):
            checks.append(
                (
                    f"{view} at {size:,}, x admin changelist",
                    ms(here, view) / ms(here, "admin changelist"),
                    1,
                )
            )
        for view in ("dashboard, filtered", "dashboard, page 20"):
            if size != sizes[0]:
                checks.append(
                    (
                        f"{view} at {size:,}, x its time at {sizes[0]:,}",
                        ms(here, view) / ms(small, view),
                        1.5,
                    )
                )
                checks.append(
                    (
                        f"{view} at {size:,}, queries x those at {sizes[0]:,}",
                        here[view]["queries"] / small[view]["queries"],
                        1,
                    )
                )
    checks += [
        (
            "verify a genuine report, x (hash + signature check), CPU",
            large["verify: genuine report, CPU s"] / large["verify: hash + signature check, CPU s"],
            1,
        ),
        (
            "verify the worst hostile PDF, CPU s",
            max(large["verify: 10,000-page bomb, CPU s"], large["verify: attachment bomb, CPU s"]),
            2,
        ),
        (
            "offline verifier, a report with an appended update, CPU s",
            large["offline verifier: appended update, CPU s"],
            2,
        ),
        (
            "report rendered + signed, x raw WeasyPrint",
            ms(large, "report PDF (portal)") / ms(large, "report PDF (raw WeasyPrint)"),
            1.3,
        ),
        (
            "signing, share of the report's time",
            ms(large, "report PDF signing") / ms(large, "report PDF (portal)"),
            0.1,
        ),
    ]
    return checks


if __name__ == "__main__":
    main()
