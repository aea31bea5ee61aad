"""Production settings refuse to start unsafely; helpers reject values they don't understand."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from compliance_portal.env import env_bool, env_int_list, secret_key

ROOT = Path(__file__).resolve().parent.parent


REAL_KEY = "a-real-random-secret-" + "0123456789" * 4


def import_settings(code="import compliance_portal.settings", **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "SITE_URL"}}
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key():
    result = import_settings()
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.slow
def test_production_starts_with_a_real_secret_key_and_its_address():
    result = import_settings(SECRET_KEY=REAL_KEY, SITE_URL="https://portal.example.org")
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_production_refuses_to_start_without_its_public_address():
    result = import_settings(SECRET_KEY=REAL_KEY)
    assert result.returncode != 0
    assert "SITE_URL must be set" in result.stderr


@pytest.mark.slow
def test_empty_values_from_an_env_file_mean_the_defaults():
    """`.env.example` lists every variable, many empty: each one must mean its default."""
    code = (
        "from django.conf import settings as s; import django; django.setup(); "
        "print(s.STATIC_ROOT, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.VAR_DIR)"
    )
    empty = {
        name: ""
        for name in ("STATIC_ROOT", "PORTAL_VAR_DIR", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS")
    }
    result = import_settings(
        code,
        **empty,
        DJANGO_SETTINGS_MODULE="compliance_portal.settings",
        DEBUG="false",
        SECRET_KEY=REAL_KEY,
        SITE_URL="https://portal.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        str(ROOT / "staticfiles"),
        "True",
        "31536000",
        str(ROOT / "var"),
    ]


def test_hsts_preload_and_subdomains_are_the_operators_choice(settings):
    assert settings.SECURE_HSTS_SECONDS  # HSTS itself is on in production
    assert not settings.SECURE_HSTS_PRELOAD
    assert not settings.SECURE_HSTS_INCLUDE_SUBDOMAINS


@pytest.mark.parametrize("key", ["", "short", "insecure-" + "x" * 60, "ab" * 40])
def test_weak_or_development_keys_are_refused_outside_debug(monkeypatch, key):
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ImproperlyConfigured):
        secret_key(debug=False)


def test_debug_gets_a_development_key_when_none_is_set(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert secret_key(debug=True).startswith("insecure-")


def test_a_misspelt_boolean_is_an_error_not_a_guess(monkeypatch):
    monkeypatch.setenv("DEBUG", "treu")
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be true or false"):
        env_bool("DEBUG")


def test_reminder_days_are_whole_numbers_or_an_error(monkeypatch):
    monkeypatch.setenv("REQUEST_REMINDER_DAYS", "14, 3")
    assert env_int_list("REQUEST_REMINDER_DAYS", [7]) == [14, 3]
    monkeypatch.setenv("REQUEST_REMINDER_DAYS", "14,three")
    with pytest.raises(ImproperlyConfigured, match="REQUEST_REMINDER_DAYS must be whole numbers"):
        env_int_list("REQUEST_REMINDER_DAYS", [7])


def test_debug_is_off_unless_asked_for(monkeypatch):
    monkeypatch.delenv("DEBUG", raising=False)
    assert env_bool("DEBUG") is False


@pytest.mark.slow
def test_production_static_files_collect(tmp_path, settings):
    """bin/serve runs collectstatic with the manifest storage; a broken reference would stop it."""
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()


@pytest.mark.slow
def test_the_development_console_shows_a_refusal_in_one_line_and_task_runs_only_when_asked(
    tmp_path,
):
    code = """
import sys, logging, django
django.setup()
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden
from django.test import RequestFactory
from django.utils.log import log_response
try:
    raise PermissionDenied("Your role does not allow this.")
except PermissionDenied:
    log_response("Forbidden (Permission denied): %s", "/a/x/sign/",
                 response=HttpResponseForbidden(), request=RequestFactory().get("/a/x/sign/"),
                 exception=sys.exc_info()[1])
logging.getLogger("django.tasks").info("Task id=T1 path=render_report state=RUNNING")
"""
    ran = import_settings(
        code,
        DEBUG="true",
        DJANGO_SETTINGS_MODULE="compliance_portal.settings",
        PORTAL_VAR_DIR=str(tmp_path),
    )
    asked = import_settings(
        code,
        DEBUG="true",
        DJANGO_SETTINGS_MODULE="compliance_portal.settings",
        PORTAL_VAR_DIR=str(tmp_path),
        TASKS_LOG_LEVEL="INFO",
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr.count("Forbidden (Permission denied): /a/x/sign/") == 1
    assert "Traceback" not in ran.stderr
    assert "Task id=T1" not in ran.stderr  # quiet by default: a line per task drowns the rest
    assert asked.stderr.count("Task id=T1") == 1
