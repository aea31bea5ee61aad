"""Two-factor authentication: an authenticator app (TOTP) plus single-use recovery codes."""

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import step_up
from accounts.actors import Actor
from assessments.lifecycle import Requirement
from assessments.models import AuditAction, Membership, Role, User
from attestations import audit

RECOVERY_CODES = 10


def requires_two_factor(user: User) -> bool:
    """Reviewers and signatories act on attestations others rely on, and platform staff can
    read everything: they must use it."""
    return settings.REQUIRE_TWO_FACTOR and (
        user.is_reviewer
        or user.is_staff
        or Membership.objects.filter(user=user, role=Role.SIGNATORY).exists()
    )


def pending_device(user: User) -> TOTPDevice:
    """The authenticator being set up: made once, shown as a QR code until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)


def confirm(
    device: TOTPDevice, token: str, *, actor: Actor, proof: step_up.Proof | None
) -> list[str] | None:
    """Confirm the authenticator with a code from it; return fresh recovery codes, or None.
    Whoever calls, the device's owner must have given their password just now (``proof``):
    a second factor set up by anyone else would be theirs, not the owner's."""
    step_up.require(proof, device.user, {Requirement.PASSWORD})
    if not device.verify_token(token):
        return None
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        StaticDevice.objects.filter(user=device.user).delete()
        backup = StaticDevice.objects.create(user=device.user, name="Recovery codes")
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=backup, token=c) for c in codes)
        audit.record(
            actor=actor,
            action=AuditAction.TWO_FACTOR_ENABLED,
            obj=device.user,
            details={"codes": len(codes)},
        )
    return codes


def enrol_now(user: User, password: str, *, actor: Actor) -> tuple[TOTPDevice, list[str]]:
    """An authenticator set up on the spot, for an account made from the command line (the
    first platform administrator, whose new password the command holds): confirmed with its
    own current code, through `confirm`."""
    from django_otp.oath import TOTP

    device = pending_device(user)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    proof = step_up.prove(None, user, password=password)
    codes = confirm(device, f"{code:0{device.digits}d}", actor=actor, proof=proof)
    device.refresh_from_db()
    return device, codes
