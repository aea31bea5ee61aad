"""A backup restores into an empty database, and attestations still verify from it."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.slow,  # bin/backup and bin/restore in subprocesses
    pytest.mark.skipif(connection.vendor != "postgresql", reason="backups are pg_dump files"),
    pytest.mark.django_db(transaction=True),
]


def database_url(name: str) -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def run(*args, **env):
    environment = {**os.environ, "DEBUG": "true", **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603
        args, cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )


def test_backup_and_restore_keep_attestations_verifiable(attestation, tmp_path):
    live = tmp_path / "live"
    shutil.copytree(default_storage.location, live / "files")
    backup = run(
        "bin/backup",
        str(tmp_path / "backup"),
        DATABASE_URL=database_url(connection.settings_dict["NAME"]),
        PORTAL_VAR_DIR=str(live),
    )
    assert backup.returncode == 0, backup.stderr

    empty = f"restore_check_{uuid.uuid4().hex[:8]}"
    admin_url = database_url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{empty}"')
    try:
        restored = tmp_path / "restored"
        # The keys are secrets kept apart from backups: a restore runs with the same ones.
        env = {
            "DATABASE_URL": database_url(empty),
            "PORTAL_VAR_DIR": str(restored),
            "SIGNING_KEYS_DIR": str(settings.SIGNING_KEYS_DIR),
        }
        restore = run("bin/restore", str(tmp_path / "backup"), PYTHON=sys.executable, **env)
        assert restore.returncode == 0, restore.stderr
        assert "Audit trail intact" in restore.stdout
        report = restored / "files" / attestation.reports.first().file.name
        verdict = run(sys.executable, "manage.py", "verify_attestation", str(report), **env)
        assert verdict.returncode == 2, verdict.stderr  # genuine, but not yet reviewed
        assert "NOT VALID: Signed, awaiting platform review" in verdict.stderr
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)')
