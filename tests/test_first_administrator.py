"""An operator makes the first platform administrator from nothing, as the README says, and
that account is never usable with its password alone."""

import base64
import io
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from assessments.models import AuditAction, AuditEvent, User


def _created(email="ops@platform.example") -> dict:
    out = io.StringIO()
    call_command("create_platform_admin", email, "--name", "Olu Operator", stdout=out)
    text = out.getvalue()
    uri = re.search(r"otpauth://\S+", text).group(0)
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    return {
        "password": re.search(r"Password \(shown once; change it after signing in\): (\S+)", text)[
            1
        ],
        "key": base64.b32decode(secret + "=" * (-len(secret) % 8)),
        "codes": re.search(r"Recovery codes .*: (.+)", text)[1].split(),
    }


def test_the_first_administrator_signs_in_with_the_printed_password_and_authenticator(db):
    printed = _created()
    client = Client()

    client.post(
        reverse("login"), {"username": "ops@platform.example", "password": printed["password"]}
    )
    before = client.get("/admin/")
    # The app's next code: the current one was spent enrolling it, seconds ago.
    client.post(reverse("two_factor_verify"), {"token": f"{totp(printed['key'], t0=-30):06d}"})

    assert before.status_code == 302
    assert reverse("two_factor_verify") in before["Location"]
    assert client.get("/admin/").status_code == 200
    assert client.get(reverse("dashboard")).status_code == 200
    user = User.objects.get(email="ops@platform.example")
    assert user.is_staff and user.is_superuser and user.is_reviewer
    assert len(printed["codes"]) == 10
    assert AuditEvent.objects.filter(
        action=AuditAction.TWO_FACTOR_ENABLED, object_id=str(user.pk)
    ).exists()


def test_a_second_run_for_the_same_email_changes_nothing(db):
    _created()
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_platform_admin", "OPS@platform.example", "--name", "Again")
    assert User.objects.filter(email__iexact="ops@platform.example").count() == 1
