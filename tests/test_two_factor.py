"""Two-factor authentication: required for reviewers and signatories, open to everyone."""

from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.models import AuditEvent
from tests.factories import PASSWORD, UserFactory


def log_in_with_password(email) -> Client:
    client = Client()
    client.post(reverse("login"), {"username": email, "password": PASSWORD})
    return client


def code_for(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_reviewer_must_set_up_a_second_factor_before_anything_else(db):
    reviewer = UserFactory(is_reviewer=True)
    client = log_in_with_password(reviewer.email)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))
    setup = client.get(response["Location"])
    assert "<svg" in setup.text  # the QR code to scan
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    wrong = client.post(reverse("two_factor_setup"), {"token": "000000", "next": "/review/"})
    assert "That code is not right" in wrong.text
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code imposes a growing wait; a person would wait it out
    done = client.post(reverse("two_factor_setup"), {"token": code_for(device), "next": "/review/"})
    assert len(done.context["codes"]) == 10
    assert client.get(reverse("dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action="two_factor_enabled").count() == 1


def test_someone_with_a_second_factor_is_asked_for_it_after_the_password(signatory, org):
    client = log_in_with_password(signatory.email)
    response = client.get(reverse("organization", args=[org.pk]))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    device = TOTPDevice.objects.get(user=signatory)
    client.post(reverse("two_factor_verify"), {"token": code_for(device)})
    assert client.get(reverse("organization", args=[org.pk])).status_code == 200


def test_a_recovery_code_works_once(signatory, org):
    client = log_in_with_password(signatory.email)
    client.get(reverse("two_factor_setup"))  # replace the authenticator: get recovery codes
    device = TOTPDevice.objects.get(user=signatory, confirmed=False)
    codes = client.post(reverse("two_factor_setup"), {"token": code_for(device)}).context["codes"]
    again = log_in_with_password(signatory.email)
    again.post(reverse("two_factor_verify"), {"token": codes[0]})
    assert again.get(reverse("organization", args=[org.pk])).status_code == 200
    third = log_in_with_password(signatory.email)
    refused = third.post(reverse("two_factor_verify"), {"token": codes[0]})
    assert "That code is not right" in refused.text
    assert StaticToken.objects.filter(token=codes[0]).count() == 0


def test_a_preparer_may_choose_not_to_use_a_second_factor(preparer, org):
    client = log_in_with_password(preparer.email)
    assert client.get(reverse("organization", args=[org.pk])).status_code == 200


def test_platform_staff_must_use_a_second_factor_too(db):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = log_in_with_password(staff.email)
    assert client.get("/admin/")["Location"].startswith(reverse("two_factor_setup"))


def test_the_deploy_check_warns_when_two_factor_is_off(settings):
    from django.core.checks import Tags, run_checks

    settings.REQUIRE_TWO_FACTOR = False
    found = run_checks(include_deployment_checks=True, tags=[Tags.security])
    assert "portal.W001" in [m.id for m in found]
