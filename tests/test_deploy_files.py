"""The deployment files, read as Docker and a new operator would, and their scripts run the
way compose runs them (no Docker engine here: same commands, on this machine)."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def lines(name: str) -> list[str]:
    text = (ROOT / name).read_text()
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def test_the_image_never_contains_secrets_or_local_state():
    ignored = set(lines(".dockerignore"))
    assert {".env", ".venv", "var", "node_modules"} <= ignored


def test_the_image_can_back_up_and_restore():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "postgresql-client" in dockerfile  # pg_dump and pg_restore for bin/backup


def test_the_dependency_layer_depends_only_on_the_lock_file():
    steps = lines("Dockerfile")
    lock_copy = steps.index("COPY requirements.lock ./")
    install = next(i for i, s in enumerate(steps) if "pip install" in s and "-r requirements" in s)
    code_copy = steps.index("COPY . .")
    assert lock_copy < install < code_copy


def pins(name: str) -> dict[str, str]:
    found = {}
    for line in lines(name):
        package, version = line.split("==")
        found[package.lower().replace("_", "-")] = version
    return found


def test_the_lock_files_pin_every_dependency_within_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    for lock, requirements in (
        ("requirements.lock", project["dependencies"] + extras["s3"]),
        ("requirements-dev.lock", project["dependencies"] + extras["s3"] + extras["dev"]),
    ):
        pinned = pins(lock)
        for text in requirements:
            requirement = Requirement(text)
            name = requirement.name.lower().replace("_", "-")
            assert name in pinned, f"{name} is not in {lock}: run bin/lock"
            assert requirement.specifier.contains(pinned[name]), f"{lock}: {name} out of range"


def compose_services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_every_compose_command_is_a_script_of_the_plain_path():
    for name, service in compose_services().items():
        if "build" not in service:
            continue
        (script,) = service["command"]
        assert (ROOT / script).is_file(), f"{name}: {script} does not exist"


def test_workers_wait_for_migrations_instead_of_crash_looping():
    for script in ("bin/worker", "bin/scheduler"):
        assert "bin/wait-for-migrations" in (ROOT / script).read_text()


def fake_python(tmp_path: Path, fails: str) -> Path:
    """A stand-in interpreter that logs each manage.py command and fails one of them."""
    log = tmp_path / "ran.log"
    script = tmp_path / "python"
    script.write_text(
        f'#!/usr/bin/env bash\necho "$2" >> {log}\n[ "$2" = "{fails}" ] && exit 1\nexit 0\n'
    )
    script.chmod(0o755)
    return script


@pytest.mark.slow
def test_the_scheduler_goes_on_after_a_failed_job(tmp_path):
    python = fake_python(tmp_path, fails="send_expiry_reminders")
    result = subprocess.run(  # noqa: S603 - our own script
        [str(ROOT / "bin/scheduler")],
        env={**os.environ, "PYTHON": str(python), "SCHEDULER_ONCE": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    ran = (tmp_path / "ran.log").read_text().split()
    assert ran == [
        "migrate",
        "load_framework",
        "send_expiry_reminders",
        "send_request_reminders",
        "retry_stuck_reports",
        "recheck_public_claims",
        "rerun_probes",
        "write_audit_checkpoint",
    ]
    assert "send_expiry_reminders failed; retrying in the next round" in result.stderr


@pytest.mark.slow
def test_the_worker_waits_while_the_database_is_not_migrated(tmp_path):
    python = fake_python(tmp_path, fails="migrate")
    result = subprocess.run(  # noqa: S603 - our own script
        [str(ROOT / "bin/worker")],
        env={
            **os.environ,
            "PYTHON": str(python),
            "MIGRATION_WAIT_TRIES": "3",
            "MIGRATION_WAIT_SECONDS": "0",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert (tmp_path / "ran.log").read_text().split() == ["migrate"] * 3  # never db_worker


@pytest.mark.slow
def test_the_example_env_file_starts_production_settings(tmp_path):
    env = {}
    for line in lines(".env.example"):
        name, _, value = line.partition("=")
        env[name] = value
    env |= {"SECRET_KEY": "a-real-random-secret-" + "0123456789" * 4, "DATABASE_URL": ""}
    env.pop("PORTAL_VAR_DIR")  # empty in the file: the default
    code = "import compliance_portal.settings as s; print(s.STATIC_ROOT, s.SITE_URL)"
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env, "PORTAL_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(ROOT / "staticfiles"), "https://portal.example.org"]


def test_the_offline_verifier_installs_alone_with_two_dependencies():
    project = tomllib.loads((ROOT / "verifier" / "pyproject.toml").read_text())["project"]
    names = sorted(Requirement(r).name.lower() for r in project["dependencies"])
    assert names == ["joserfc", "pyhanko"]
    pinned = pins("requirements.lock")
    for text in project["dependencies"]:
        requirement = Requirement(text)
        assert requirement.specifier.contains(pinned[requirement.name.lower()])


def test_compose_machines_share_object_storage_and_the_cache():
    """Several web and worker machines: files in one bucket, limits in one Redis."""
    services = compose_services()
    for name in ("web", "worker", "scheduler"):
        env = services[name]["environment"]
        assert env["S3_BUCKET"] == "portal"
        assert env["S3_ENDPOINT_URL"] == "http://minio:9000"
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert services[name]["depends_on"]["bucket"]["condition"] == (
            "service_completed_successfully"
        )
    assert "mc mb --ignore-existing local/portal" in " ".join(services["bucket"]["command"])


SECRETS = ("POSTGRES_PASSWORD", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD")


def test_compose_has_no_default_secret_and_refuses_to_start_without_them():
    text = (ROOT / "docker-compose.yml").read_text()
    used = re.findall(r"(?<!\$)\$\{(\w+)(:[?-])?[^}]*\}", text)  # $${X}: the container's own
    for name, how in used:
        if name in SECRETS:
            assert how == ":?", f"{name} has a default or none required"
    assert {name for name, _ in used} >= set(SECRETS)
    example = dict(line.partition("=")[::2] for line in lines(".env.example"))
    assert all(example[name] == "" for name in SECRETS)  # listed, to be filled in


def test_signing_keys_have_a_volume_of_their_own_written_only_by_web():
    services = compose_services()
    mounts = {name: services[name]["volumes"] for name in ("web", "worker", "scheduler")}
    assert mounts["web"] == ["keys:/app/keys"]
    assert mounts["worker"] == mounts["scheduler"] == ["keys:/app/keys:ro"]
    for name in ("web", "worker", "scheduler"):
        assert services[name]["environment"]["SIGNING_KEYS_DIR"] == "/app/keys"
    others = [v for n, s in services.items() if n not in mounts for v in s.get("volumes", [])]
    assert not [v for v in others if v.startswith("keys:")]


def test_every_long_running_service_has_a_health_check_and_a_pinned_image():
    services = compose_services()
    for name, service in services.items():
        if name == "bucket":  # runs once and exits
            continue
        assert "healthcheck" in service, name
        if "image" in service:
            _, _, tag = service["image"].partition(":")
            assert re.search(r"\d", tag) and tag != "latest", f"{name}: {service['image']}"
    for name in ("web", "worker", "scheduler"):
        assert services[name]["healthcheck"]["test"] == ["CMD", "bin/healthcheck", name]
    assert services["worker"]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_the_portal_sits_behind_a_proxy_on_localhost_by_default():
    services = compose_services()
    (port,) = services["web"]["ports"]
    assert port == "${PORTAL_PORT:-127.0.0.1:8000}:8000"
    env = services["web"]["environment"]
    assert env["BEHIND_TLS_PROXY"] == "true" and env["TRUSTED_PROXIES"]
