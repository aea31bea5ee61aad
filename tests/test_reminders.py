import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from accounts.actors import Actor
from assessments import workflow
from assessments.demo import seed
from assessments.models import Assessment, Attestation, AuditEvent, Status, User
from review.metrics import expiring_counts
from tests.factories import UserFactory

NO_TASKS_RUN = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def expire_in(attestation, days):
    Attestation.objects.filter(pk=attestation.pk).update(
        expires_at=timezone.now() + timedelta(days=days)
    )


def test_an_organization_is_reminded_once_before_expiry(approved, preparer, committed):
    mail.outbox.clear()  # the approval's own notice
    expire_in(approved, 20)
    with committed():
        call_command("send_expiry_reminders")
        call_command("send_expiry_reminders")
    (reminder,) = mail.outbox
    assert "expires soon" in reminder.subject
    assert preparer.email in reminder.to
    assert AuditEvent.objects.filter(action="expiry_reminder_sent").count() == 1


def test_no_reminder_far_from_expiry_or_after_revocation(approved, committed):
    mail.outbox.clear()  # the approval's own notice
    expire_in(approved, 200)
    with committed():
        call_command("send_expiry_reminders")
    Attestation.objects.filter(pk=approved.pk).update(revoked_at=timezone.now())
    expire_in(approved, 5)
    with committed():
        call_command("send_expiry_reminders")
    assert mail.outbox == []


def test_no_reminder_or_expiry_count_for_what_the_platform_never_approved(
    attestation, reviewer, committed
):
    """Rejected (or still unreviewed) is not in force: nothing "expires" that never held."""
    expire_in(attestation, 10)
    with committed():
        call_command("send_expiry_reminders")
        workflow.reject(attestation.assessment, actor=Actor(reviewer), rationale="No evidence.")
        call_command("send_expiry_reminders")

    assert mail.outbox == [m for m in mail.outbox if "expires soon" not in m.subject]
    assert not Attestation.objects.filter(reminder_sent_at__isnull=False).exists()
    assert dict(expiring_counts())[30] == 0


@override_settings(TASKS=NO_TASKS_RUN)
def test_demo_data_covers_every_state_and_can_be_loaded_twice(framework_version):
    seed()
    seed()
    assert set(Assessment.objects.values_list("status", flat=True)) == set(Status.values) - {
        Status.IN_REVIEW
    }
    assert Attestation.objects.filter(revoked_at__isnull=False).count() == 1
    # Oldtown's: signed, approved while in force, and expired a minute later, all on today's
    # clock, so the signed statement names the date it really ends.
    from assessments.demo import EXPIRED_VALIDITY
    from attestations.attestation_status import PublicStatus, status_of

    (expired,) = Attestation.objects.filter(assessment__organization__legal_name="Oldtown Academy")
    (approval,) = expired.decisions.all()
    assert expired.signed_at < approval.decided_at < expired.expires_at
    assert expired.expires_at - expired.signed_at == EXPIRED_VALIDITY
    assert status_of(expired, at=expired.expires_at + timedelta(seconds=1)).status == (
        PublicStatus.EXPIRED
    )
    ends = expired.expires_at.strftime("%-d %B %Y")
    assert f"valid until {ends}" in expired.snapshot_json
    assert Assessment.objects.filter(carried_over_from__isnull=False).count() == 1


def test_seed_demo_on_a_machine_without_a_signing_key_makes_one_and_says_so(settings, tmp_path, db):
    """Otherwise the demo's reports would not render, and nothing would say why."""
    # Through the settings fixture alone: an override_settings around it would be undone
    # first, and the fixture's own undoing would then bring its TASKS back for later tests.
    settings.TASKS = NO_TASKS_RUN
    from django.core.management import call_command

    from attestations import key_set
    from attestations.signing_keys import all_keys

    settings.SIGNING_KEYS_DIR = tmp_path / "keys"
    out = io.StringIO()

    call_command("seed_demo", stdout=out)

    assert "Created signing key" in out.getvalue() and all_keys()
    assert key_set.stale() == []
    assert "Demo logins" in out.getvalue()


def test_seed_demo_refuses_a_database_with_real_accounts_and_adds_no_one(db):
    """The demo's accounts share a published password, a platform admin among them: loaded
    into a live database by mistake they would be a way in."""
    UserFactory(email="officer@brightpath-learning.com")

    with pytest.raises(CommandError, match=r"officer@brightpath-learning\.com"):
        call_command("seed_demo", stdout=io.StringIO())

    assert list(User.objects.values_list("email", flat=True)) == ["officer@brightpath-learning.com"]


def test_a_demo_someone_signed_up_to_with_a_real_address_loads_again(settings, tmp_path, db):
    settings.TASKS = NO_TASKS_RUN
    settings.SIGNING_KEYS_DIR = tmp_path / "keys"
    call_command("seed_demo", stdout=io.StringIO())
    UserFactory(email="tester@gmail.com")

    call_command("seed_demo", stdout=io.StringIO())

    assert User.objects.filter(email="reviewer@portal.example").count() == 1
