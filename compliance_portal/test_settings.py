"""Settings for the test suite: the real settings, with fast hashing and no TLS redirects."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-" + "k" * 60)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")
os.environ.setdefault("SECURE_COOKIES", "false")  # the browser tests' live server is plain http

from compliance_portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# Tests never read pages on the internet; the claims tests turn this on with a local server.
PUBLIC_CLAIMS_CHECKED = False

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

STORAGES["default"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": tempfile.mkdtemp(prefix="portal-test-files-"), "base_url": None},
}
# Serve static files from static/ directly: tests run without collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The tests' own signing keys, made once per run by tests/conftest.py.
SIGNING_KEYS_DIR = Path(tempfile.mkdtemp(prefix="portal-test-keys-"))
# A live server's request threads close their connection when the request ends: none is left
# open on the test database when it is dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
