"""Two-factor authentication: required for reviewers and signatories, open to everyone, and
never replaceable or skippable with the password alone."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.models import Attestation, AuditEvent, Status
from tests.conftest import PortalClient, authenticator_code
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
    wrong = client.post(
        reverse("two_factor_setup"), {"password": PASSWORD, "token": "000000", "next": "/review/"}
    )
    assert "That code is not right" in wrong.text
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code imposes a growing wait; a person would wait it out
    done = client.post(
        reverse("two_factor_setup"),
        {"password": PASSWORD, "token": code_for(device), "next": "/review/"},
    )
    assert len(done.context["codes"]) == 10
    assert client.get(reverse("dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action="two_factor_enabled").count() == 1


def test_setting_up_an_authenticator_needs_the_password(db):
    reviewer = UserFactory(is_reviewer=True)
    client = log_in_with_password(reviewer.email)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    response = client.post(
        reverse("two_factor_setup"), {"password": "not it", "token": code_for(device)}
    )
    assert response.status_code == 422
    assert "That password is not correct." in response.text
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("dashboard")).status_code == 302


def test_a_password_alone_cannot_replace_someone_elses_authenticator(signatory, org):
    """The attack: the password was stolen, the phone was not. Setting up a new authenticator
    must not be reachable before the second factor, and must not delete the real one."""
    real_device = TOTPDevice.objects.get(user=signatory)
    attacker = log_in_with_password(signatory.email)
    response = attacker.get(reverse("two_factor_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert not TOTPDevice.objects.filter(user=signatory, confirmed=False).exists()
    # Posting a code for a device of the attacker's own making is refused the same way.
    forged = TOTPDevice.objects.create(user=signatory, name="Attacker's phone", confirmed=False)
    response = attacker.post(
        reverse("two_factor_setup"), {"password": PASSWORD, "token": code_for(forged)}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert TOTPDevice.objects.get(user=signatory, confirmed=True) == real_device
    assert attacker.get(reverse("organization", args=[org.pk])).status_code == 302
    assert not AuditEvent.objects.filter(action="two_factor_enabled").exists()


def test_the_authenticator_service_itself_wants_the_owners_password_whoever_calls(signatory, admin):
    """Not only the page: a command, the admin or any other caller confirming a device for
    someone needs a proof that the person gave their password just now. Staff cannot make
    one for someone else, and without one nothing changes."""
    from accounts import step_up, two_factor
    from accounts.actors import Actor
    from assessments.errors import StepUpRequired

    real_device = TOTPDevice.objects.get(user=signatory)
    staff_phone = two_factor.pending_device(signatory)
    staff_proof = step_up.prove(None, admin, password=PASSWORD)

    for proof in (None, staff_proof):
        with pytest.raises(StepUpRequired):
            two_factor.confirm(staff_phone, code_for(staff_phone), actor=Actor(admin), proof=proof)

    assert TOTPDevice.objects.get(user=signatory, confirmed=True) == real_device
    assert not AuditEvent.objects.filter(action="two_factor_enabled").exists()


def test_with_a_password_only_the_attacker_cannot_reach_the_sign_page(
    awaiting_signature, signatory
):
    attacker = log_in_with_password(signatory.email)
    sign_url = reverse("sign", args=[awaiting_signature.pk])
    response = attacker.post(sign_url, {"confirm": "on", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert not Attestation.objects.exists()


def test_signing_asks_for_the_second_factor_as_well_as_the_password(
    client, awaiting_signature, signatory
):
    client.force_login(signatory)
    sign_url = reverse("sign", args=[awaiting_signature.pk])
    password_only = client.post(sign_url, {"confirm": "on", "password": PASSWORD})
    assert password_only.status_code == 422
    assert "Code from your authenticator app" in password_only.text
    wrong_code = client.post(sign_url, {"confirm": "on", "password": PASSWORD, "code": "123456"})
    assert "That code is not right" in wrong_code.text
    assert not Attestation.objects.exists()
    signed = client.post(
        sign_url, {"confirm": "on", "password": PASSWORD, "code": authenticator_code(signatory)}
    )
    assert signed.status_code == 302
    awaiting_signature.refresh_from_db()
    assert awaiting_signature.status == Status.SUBMITTED


def test_wrong_passwords_on_the_sign_form_count_toward_the_lockout(
    client, awaiting_signature, signatory
):
    client.force_login(signatory)
    sign_url = reverse("sign", args=[awaiting_signature.pk])
    for _ in range(5):
        client.post(sign_url, {"confirm": "on", "password": "guess", "code": "000000"})
    locked = client.post(
        sign_url, {"confirm": "on", "password": PASSWORD, "code": authenticator_code(signatory)}
    )
    assert locked.status_code == 429
    assert not Attestation.objects.exists()
    fresh = Client()
    login = fresh.post(reverse("login"), {"username": signatory.email, "password": PASSWORD})
    assert login.status_code == 429


def test_someone_with_a_second_factor_is_asked_for_it_after_the_password(signatory, org):
    client = log_in_with_password(signatory.email)
    response = client.get(reverse("organization", args=[org.pk]))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    device = TOTPDevice.objects.get(user=signatory)
    client.post(reverse("two_factor_verify"), {"token": code_for(device)})
    assert client.get(reverse("organization", args=[org.pk])).status_code == 200


def test_a_verified_person_replaces_their_authenticator_with_their_password(signatory, org):
    client = PortalClient()
    client.force_login(signatory)  # past both factors
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=signatory, confirmed=False)
    codes = client.post(
        reverse("two_factor_setup"), {"password": PASSWORD, "token": code_for(device)}
    ).context["codes"]
    assert list(TOTPDevice.objects.filter(user=signatory)) == [device]
    again = log_in_with_password(signatory.email)
    again.post(reverse("two_factor_verify"), {"token": codes[0]})
    assert again.get(reverse("organization", args=[org.pk])).status_code == 200
    third = log_in_with_password(signatory.email)
    refused = third.post(reverse("two_factor_verify"), {"token": codes[0]})
    assert "That code is not right" in refused.text
    assert StaticToken.objects.filter(token=codes[0]).count() == 0
    assert StaticDevice.objects.filter(user=signatory).count() == 1


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


def test_the_deploy_check_warns_when_the_keys_share_a_volume_with_the_files(settings, tmp_path):
    from assessments.checks import keys_apart_from_what_they_protect as check

    settings.SIGNING_KEYS_DIR = tmp_path / "keys"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }
    beside = [m.id for m in check(None)]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {}},
    }
    apart = [m.id for m in check(None)]

    assert "portal.W002" in beside
    assert "portal.W002" not in apart
