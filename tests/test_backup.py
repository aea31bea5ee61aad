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


SIGN_A_NEW_REPORT = """
import io, os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "compliance_portal.settings"
django.setup()
from django.utils import timezone
from pypdf import PdfWriter
from minor_safety_verifier import verify_report
from assessments.models import Attestation
from attestations import key_set, reports
from attestations.pdf_signing import sign_pdf
writer = PdfWriter(); writer.add_blank_page(width=200, height=200)
for attached in reports.attachments(Attestation.objects.get(), issued_at=timezone.now()):
    writer.add_attachment(attached.name, attached.text.encode())
out = io.BytesIO(); writer.write(out)
checked = verify_report(sign_pdf(out.getvalue()), key_set.trusted())
print("signed by", checked.key_id, "genuine" if checked.genuine else checked.problems)
"""


def test_a_restore_drill_verifies_an_old_report_and_signs_a_new_one(approved, tmp_path):
    """Database, files and keys from bin/backup into an empty database, an empty folder and
    an empty keys folder: the audit trail verifies, the old report is VALID, and the restored
    key signs a report the offline verifier accepts."""
    live = tmp_path / "live"
    shutil.copytree(default_storage.location, live / "files")
    passphrase = {"KEYS_BACKUP_PASSPHRASE": "correct horse battery staple"}
    backup = run(
        "bin/backup",
        str(tmp_path / "backup"),
        DATABASE_URL=database_url(connection.settings_dict["NAME"]),
        PORTAL_VAR_DIR=str(live),
        SIGNING_KEYS_DIR=str(settings.SIGNING_KEYS_DIR),
        **passphrase,
    )
    assert backup.returncode == 0, backup.stderr
    assert not (tmp_path / "backup" / "keys.enc").read_bytes().count(b"PRIVATE KEY")

    empty = f"restore_check_{uuid.uuid4().hex[:8]}"
    admin_url = database_url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{empty}"')
    try:
        restored = tmp_path / "restored"
        env = {
            "DATABASE_URL": database_url(empty),
            "PORTAL_VAR_DIR": str(restored),
            "SIGNING_KEYS_DIR": str(restored / "keys"),
        }
        wrong = run(
            "bin/restore",
            str(tmp_path / "backup"),
            PYTHON=sys.executable,
            **env,
            KEYS_BACKUP_PASSPHRASE="not the passphrase",
        )
        assert wrong.returncode != 0 and "Wrong passphrase" in wrong.stderr
        with psycopg.connect(admin_url, autocommit=True) as admin:  # start again from empty
            admin.execute(f'DROP DATABASE "{empty}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{empty}"')
        restore = run(
            "bin/restore", str(tmp_path / "backup"), PYTHON=sys.executable, **env, **passphrase
        )
        assert restore.returncode == 0, restore.stderr
        assert "Audit trail intact" in restore.stdout
        report = restored / "files" / approved.reports.first().file.name
        verdict = run(sys.executable, "manage.py", "verify_attestation", str(report), **env)
        new = run(
            sys.executable,
            "-c",
            SIGN_A_NEW_REPORT,
            DJANGO_SETTINGS_MODULE="compliance_portal.settings",
            **env,
        )
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)')
    assert verdict.returncode == 0, verdict.stderr
    assert verdict.stdout.startswith("VALID:")
    assert new.stdout.strip() == f"signed by {approved.reports.first().key_id} genuine", new.stderr
