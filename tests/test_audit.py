"""The audit trail is a hash chain: any edit or deletion is found and named."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import passwords
from accounts.actors import Actor
from assessments import workflow
from assessments.models import AuditAction, AuditEvent, Organization, User
from tests.conftest import PortalClient
from tests.factories import PASSWORD, UserFactory


def test_an_intact_chain_verifies(attestation, capsys):
    call_command("verify_audit_trail")
    assert "Audit trail intact" in capsys.readouterr().out


def tamper(sql, params):
    """What an attacker with database access would do, bypassing the application."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a superuser can switch the trigger off
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_an_edited_event_is_named(attestation):
    victim = AuditEvent.objects.filter(action="signed").get()
    tamper("UPDATE assessments_auditevent SET actor_email = %s WHERE id = %s", ["x@y.z", victim.pk])
    with pytest.raises(CommandError, match=f"broken at event #{victim.pk} \\(signed"):
        call_command("verify_audit_trail")


def db_value(field: str, value):
    return AuditEvent._meta.get_field(field).get_db_prep_value(value, connection)


def test_an_appended_event_with_a_correct_hash_but_no_key_is_named(attestation):
    """A database superuser appends an event, hash and link computed as the code does: only
    the MAC, whose key is not in the database, gives it away."""
    from attestations.audit import event_hash

    newest = AuditEvent.objects.order_by("-id").first()
    forged = AuditEvent(
        created_at=newest.created_at,
        actor_email="reviewer@portal.example",
        action="approved",
        object_type="Decision",
        object_id="1",
        organization_id=newest.organization_id,
        assessment_id=newest.assessment_id,
        details={"note": "Approved."},
        previous_hash=newest.hash,
    )
    forged.hash = event_hash(forged)
    tamper(
        "INSERT INTO assessments_auditevent (created_at, actor_email, action, object_type, "
        "object_id, organization_id, assessment_id, details, previous_hash, hash, mac) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [
            forged.created_at,
            forged.actor_email,
            forged.action,
            forged.object_type,
            forged.object_id,
            db_value("organization_id", forged.organization_id),
            db_value("assessment_id", forged.assessment_id),
            '{"note": "Approved."}',
            forged.previous_hash,
            forged.hash,
            "0" * 64,
        ],
    )
    with pytest.raises(CommandError, match="its MAC does not hold"):
        call_command("verify_audit_trail")


def test_a_deleted_event_breaks_the_next_link(attestation):
    events = list(AuditEvent.objects.order_by("id"))
    tamper("DELETE FROM assessments_auditevent WHERE id = %s", [events[1].pk])
    with pytest.raises(CommandError, match=f"event #{events[2].pk}"):
        call_command("verify_audit_trail")


def test_the_application_cannot_edit_or_delete_events(attestation):
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(action="signed").update(action="nothing")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger")
def test_the_database_refuses_edits_too(attestation):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE assessments_auditevent SET action = 'x'")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger")
def test_the_database_refuses_to_truncate_the_trail(attestation):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as outside a test's transaction
        cursor.execute("TRUNCATE assessments_auditevent")
    assert AuditEvent.objects.exists()


def test_every_saved_answer_is_on_the_trail_with_what_was_typed(client, draft, preparer):
    client.force_login(preparer)
    url = reverse("section", args=[draft.pk, "scope"])
    client.post(url, {"q_scope__product": "Homework help for teens", "rev_scope__product": "0"})
    client.post(url, {"q_scope__product": "Homework help, 13-17", "rev_scope__product": "1"})
    saved = AuditEvent.objects.filter(action="answer_saved", assessment_id=draft.pk)
    assert [
        (e.details["question_id"], e.details["revision"], e.details["value"]) for e in saved
    ] == [
        ("scope.product", 1, "Homework help for teens"),
        ("scope.product", 2, "Homework help, 13-17"),
    ]
    assert {e.actor_email for e in saved} == {preparer.email}


def test_the_admin_cannot_grant_platform_roles_or_memberships(admin_client, preparer, org):
    url = f"/admin/assessments/user/{preparer.pk}/change/"
    admin_client.post(
        url,
        {
            "email": preparer.email,
            "full_name": preparer.full_name,
            "is_reviewer": "on",
            "is_staff": "on",
            "is_active": "on",
        },
    )
    preparer.refresh_from_db()
    assert not preparer.is_reviewer
    assert not preparer.is_staff
    page = admin_client.get(f"/admin/assessments/organization/{org.pk}/change/")
    assert page.status_code == 200
    assert 'name="memberships-0-role"' not in page.text  # shown, not editable


def test_staff_cannot_rename_an_organization_or_take_over_a_signatorys_account(
    admin_client, org, signatory
):
    """The admin is no back door: a name nobody attested, a changed email or password, or an
    authenticator enrolled by staff would each let someone else speak for the organization."""
    renamed = admin_client.post(
        f"/admin/assessments/organization/{org.pk}/change/",
        {"legal_name": "Someone Else Ltd", "website": org.website, "contact_email": "x@x.org"},
    )
    user_url = f"/admin/assessments/user/{signatory.pk}"
    retargeted = admin_client.post(
        f"{user_url}/change/",
        {"email": "staff@portal.example", "full_name": "Sam", "is_active": ""},
    )
    new_password = admin_client.post(
        f"{user_url}/password/",
        {"password1": "staff knows 2026", "password2": "staff knows 2026"},
        follow=True,
    )
    enrolled = admin_client.post(
        "/admin/otp_totp/totpdevice/add/",
        {"user": signatory.pk, "name": "Staff phone", "key": "00" * 20, "confirmed": "on"},
    )

    assert (renamed.status_code, retargeted.status_code, enrolled.status_code) == (403, 403, 403)
    assert new_password.redirect_chain[-1] == ("/admin/", 302)  # no password form for staff
    org.refresh_from_db()
    signatory.refresh_from_db()
    assert org.legal_name == "Brightpath Learning Ltd"
    assert signatory.email != "staff@portal.example" and signatory.is_active
    assert signatory.check_password(PASSWORD)
    assert list(signatory.totpdevice_set.values_list("name", flat=True)) == ["Authenticator"]
    assert admin_client.get(f"{user_url}/change/").status_code == 200  # still shown


def test_staff_reading_a_signatorys_second_factor_never_see_its_secret(admin_client, signatory):
    """The admin shows that an authenticator and backup codes exist, never the key or the
    codes themselves: with them staff could answer the signatory's second-factor challenge."""
    from base64 import b32encode

    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    authenticator = signatory.totpdevice_set.get()
    backup = StaticDevice.objects.create(user=signatory, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=backup, token="k7x2m9q4")
    secrets = [authenticator.key, b32encode(authenticator.bin_key).decode(), "k7x2m9q4"]

    pages = [
        admin_client.get(f"/admin/otp_totp/totpdevice/{authenticator.pk}/change/"),
        admin_client.get(f"/admin/otp_static/staticdevice/{backup.pk}/change/"),
    ]

    assert [page.status_code for page in pages] == [200, 200]
    assert "Authenticator" in pages[0].text and "Backup codes" in pages[1].text
    assert not [s for s in secrets for page in pages if s.lower() in page.text.lower()]


def test_staff_cannot_erase_the_record_of_logins_or_hand_out_permissions(admin_client, preparer):
    """Failed logins and lockouts are the trace of an attack on an account: shown to staff,
    never deleted or edited by them; the portal grants nothing through Django's groups."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    seen = {"ip_address": "203.0.113.9", "username": preparer.email, "user_agent": "x"}
    attempt = AccessAttempt.objects.create(**seen, failures_since_start=5)
    failure = AccessFailureLog.objects.create(**seen, locked_out=True)
    log = AccessLog.objects.create(**seen)

    pages = {
        f"/admin/axes/accessattempt/{attempt.pk}/": admin_client.post(
            f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}
        ),
        f"/admin/axes/accessfailurelog/{failure.pk}/": admin_client.post(
            f"/admin/axes/accessfailurelog/{failure.pk}/delete/", {"post": "yes"}
        ),
        f"/admin/axes/accesslog/{log.pk}/": admin_client.post(
            f"/admin/axes/accesslog/{log.pk}/change/", {"username": "someone@else.example"}
        ),
    }
    AccessAttempt.objects.filter(pk=attempt.pk).update(
        attempt_time=timezone.now() - timedelta(days=2)
    )
    wiped = [
        admin_client.post(
            "/admin/axes/accessattempt/",
            {"action": action, "_selected_action": [attempt.pk], "post": "yes"},
        )
        for action in ("delete_selected", "cleanup_expired_attempts")  # its own, for old ones
    ]

    assert [r.status_code for r in pages.values()] == [403, 403, 403]
    assert [r.status_code for r in wiped] == [200, 200]  # the list again: it has no actions
    assert (AccessAttempt.objects.count(), AccessFailureLog.objects.count()) == (1, 1)
    assert AccessLog.objects.get(pk=log.pk).username == preparer.email
    for url in pages:
        assert admin_client.get(f"{url}change/").status_code == 200  # still shown
    assert admin_client.get("/admin/auth/group/add/").status_code == 404


NEW_PASSWORD = "a fresh passphrase for 2027"


def password_events():
    return list(
        AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).values_list(
            "actor_email", "object_id", "details"
        )
    )


def test_a_password_changed_on_the_account_page_is_on_the_trail_without_it(client, preparer):
    elsewhere = PortalClient()  # another browser, signed in with the old password
    elsewhere.force_login(preparer)
    client.force_login(preparer)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("password_change_done"), 302)]
    assert "Browsers signed in with the old password are signed out" in response.text
    preparer.refresh_from_db()
    assert preparer.check_password(NEW_PASSWORD)
    assert password_events() == [(preparer.email, str(preparer.pk), {"how": "changed"})]
    assert NEW_PASSWORD not in str(AuditEvent.objects.values_list().last())
    assert client.get(reverse("account")).status_code == 200  # still signed in here
    left = elsewhere.get(reverse("account"))
    assert (left.status_code, left["Location"]) == (302, f"{reverse('login')}?next=/account/")


def test_guessing_the_current_password_on_the_change_form_locks_like_the_log_in_form(preparer):
    """Someone holding a stolen session must not learn the password (which signing asks for)
    by trying guesses on the change form: wrong ones count toward the same lockout."""
    thief = PortalClient(REMOTE_ADDR="198.51.100.70")
    thief.force_login(preparer)
    guesses = [
        thief.post(
            reverse("password_change"),
            {
                "old_password": f"guess {n}",
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        for n in range(5)
    ]

    right = thief.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert [g.status_code for g in guesses] == [422] * 4 + [429]  # the fifth locks, as at log-in
    assert "That password is not correct." in guesses[0].text
    assert right.status_code == 429
    assert "Too many wrong passwords" in right.text
    preparer.refresh_from_db()
    assert preparer.check_password(PASSWORD)
    assert password_events() == []


def test_a_password_reset_through_the_emailed_link_is_on_the_trail(client, preparer, mailoutbox):
    client.post(reverse("password_reset"), {"email": preparer.email})
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mailoutbox[-1].body).group(1)
    form = client.get(link, follow=True)

    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert (response.status_code, response["Location"]) == (302, reverse("password_reset_complete"))
    preparer.refresh_from_db()
    assert preparer.check_password(NEW_PASSWORD)
    assert password_events() == [(preparer.email, str(preparer.pk), {"how": "reset"})]


def test_the_admins_own_password_page_leads_to_the_audited_one(admin_client):
    """Django admin's "Change password" would set staff's password off the trail."""
    staff = User.objects.get(is_staff=True)
    form = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}

    posted = admin_client.post("/admin/password_change/", form)

    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)
    assert (posted.status_code, posted["Location"]) == (302, reverse("password_change"))
    changed = admin_client.post(posted["Location"], form)
    assert (changed.status_code, changed["Location"]) == (302, reverse("password_change_done"))
    assert password_events() == [(staff.email, str(staff.pk), {"how": "changed"})]


def test_only_the_owner_changes_a_password_whoever_calls(preparer, admin):
    """Staff, a command or another person cannot set someone's password through the action."""
    with pytest.raises(PermissionDenied):
        passwords.change_own_password(
            preparer, NEW_PASSWORD, actor=Actor(admin), how=passwords.PasswordChange.CHANGED
        )
    preparer.refresh_from_db()
    assert preparer.check_password(PASSWORD) and password_events() == []


def test_a_wrong_current_password_changes_nothing_and_says_so(client, preparer):
    client.force_login(preparer)

    page = client.post(
        reverse("password_change"),
        {"old_password": "not it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert page.status_code == 422
    assert "That password is not correct." in page.text
    preparer.refresh_from_db()
    assert preparer.check_password(PASSWORD) and password_events() == []


def test_no_command_sets_a_password_or_makes_an_account_off_the_trail(signatory):
    """Django's own commands would: an operator's password for a signatory, or a superuser
    with no second factor and no event."""
    with pytest.raises(CommandError, match="Forgotten your password"):
        call_command("changepassword", signatory.email)
    with pytest.raises(CommandError, match="create_platform_admin"):
        call_command("createsuperuser", "--noinput", "--email", "root@portal.example")

    signatory.refresh_from_db()
    assert signatory.check_password(PASSWORD)
    assert not User.objects.filter(email="root@portal.example").exists()


def test_platform_roles_change_through_an_audited_command(preparer, capsys):
    person = UserFactory()
    call_command("set_platform_role", person.email, "reviewer", "on")
    person.refresh_from_db()
    assert person.is_reviewer
    event = AuditEvent.objects.get(action="platform_role_changed")
    assert event.details == {"role": "reviewer", "from": False, "to": True}
    with pytest.raises(CommandError, match="member of an organization"):
        call_command("set_platform_role", preparer.email, "reviewer", "on")
    with pytest.raises(CommandError, match="No account"):
        call_command("set_platform_role", "nobody@example.org", "staff", "on")


def test_only_staff_or_the_command_grant_platform_roles_whoever_calls(reviewer):
    """A reviewer who is not staff cannot make someone a reviewer or staff through any
    caller of the service; staff can, as the command (the system) does."""
    from accounts.platform_roles import PlatformRole, set_platform_role
    from assessments.errors import NotPermitted

    person = UserFactory()
    staff = UserFactory(is_staff=True, is_reviewer=True)
    with pytest.raises(NotPermitted):
        set_platform_role(person, PlatformRole.STAFF, True, actor=Actor(reviewer))
    person.refresh_from_db()
    assert not person.is_staff

    set_platform_role(person, PlatformRole.REVIEWER, True, actor=Actor(staff))
    person.refresh_from_db()
    assert person.is_reviewer


def test_the_admin_cannot_change_or_delete_events(admin_client, attestation):
    event = AuditEvent.objects.first()
    assert admin_client.get(f"/admin/assessments/auditevent/{event.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/assessments/auditevent/{event.pk}/delete/").status_code == 403


def signed_checkpoint(attestation):
    from attestations.checkpoints import newest_checkpoint

    checkpoint, forged = newest_checkpoint()
    assert checkpoint is not None and forged == 0
    return checkpoint


def test_signing_anchors_the_trail_outside_the_database(attestation, capsys):
    checkpoint = signed_checkpoint(attestation)
    assert checkpoint.head_id == AuditEvent.objects.order_by("-id").first().pk
    call_command("verify_audit_trail")
    assert f"the newest of {checkpoint.events} events signed at" in capsys.readouterr().out


def test_deleting_the_newest_events_is_named(attestation):
    signed_checkpoint(attestation)
    newest = list(AuditEvent.objects.order_by("-id")[:3])
    for event in newest:
        tamper("DELETE FROM assessments_auditevent WHERE id = %s", [event.pk])
    with pytest.raises(CommandError, match="the newest events were deleted"):
        call_command("verify_audit_trail")


def test_a_rewritten_chain_is_named(attestation):
    """The superuser edits an event and recomputes every hash after it: the links hold, but
    the MACs (their key is not in the database) do not."""
    from attestations.audit import event_hash

    signed_checkpoint(attestation)
    events = list(AuditEvent.objects.order_by("id"))
    events[1].actor_email = "someone.else@example.org"
    previous = events[0].hash
    for event in events[1:]:
        event.previous_hash = previous
        event.hash = event_hash(event)
        tamper(
            "UPDATE assessments_auditevent SET actor_email = %s, previous_hash = %s, hash = %s "
            "WHERE id = %s",
            [event.actor_email, event.previous_hash, event.hash, event.pk],
        )
        previous = event.hash
    with pytest.raises(CommandError, match=f"event #{events[1].pk} .*its MAC does not hold"):
        call_command("verify_audit_trail")


def test_a_forged_checkpoint_is_not_believed(attestation, capsys):
    import json

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    checkpoint = signed_checkpoint(attestation)
    forged = checkpoint.body | {"events": 1, "head_id": 10**9, "kid": checkpoint.kid}
    forged["signature"] = "AAAA"
    default_storage.save(
        "audit-checkpoints/999999999999-forged.json", ContentFile(json.dumps(forged))
    )
    with pytest.raises(CommandError, match=r"1 stored checkpoint\(s\) carry no valid platform"):
        call_command("verify_audit_trail")


def test_an_old_checkpoint_copied_to_a_name_that_sorts_last_is_not_the_newest(
    attestation, committed
):
    """The superuser deletes the newest events and copies an older, genuine checkpoint to a
    file name that sorts last: checkpoints are ordered by what they sign, so the newer one
    still counts."""
    from django.core.files.storage import default_storage

    from attestations.checkpoints import FOLDER, stored_checkpoints, write_checkpoint

    first = signed_checkpoint(attestation)
    with committed():
        workflow.comment(attestation.assessment, actor=Actor(attestation.signed_by), body="Hi.")
    newer = write_checkpoint()
    _, names = default_storage.listdir(FOLDER)
    oldest = min(names)
    with default_storage.open(f"{FOLDER}/{oldest}") as f:
        default_storage.save(f"{FOLDER}/zzzzzzzzzzzz.json", f)
    tamper("DELETE FROM assessments_auditevent WHERE id = %s", [newer.head_id])

    assert stored_checkpoints()[0][0] == newer and first.events < newer.events
    with pytest.raises(CommandError, match="the newest events were deleted"):
        call_command("verify_audit_trail")


def test_a_rollback_of_the_database_and_the_storage_is_caught_by_a_copy_held_elsewhere(
    attestation, committed, tmp_path
):
    from django.core.files.storage import default_storage

    from attestations.checkpoints import FOLDER, published, write_checkpoint

    signed_checkpoint(attestation)
    with committed():
        workflow.comment(attestation.assessment, actor=Actor(attestation.signed_by), body="Hi.")
    newer = write_checkpoint()
    mirror = tmp_path / "mirror.jsonl"
    mirror.write_bytes(published())  # a partner kept the published list
    # Roll both back: the newest event and the checkpoint that signed it are gone.
    tamper("DELETE FROM assessments_auditevent WHERE id = %s", [newer.head_id])
    for name in default_storage.listdir(FOLDER)[1]:
        if name.startswith(f"{newer.head_id:012d}"):
            default_storage.delete(f"{FOLDER}/{name}")

    call_command("verify_audit_trail")  # alone, the rolled-back trail looks whole
    with pytest.raises(CommandError, match="the newest events were deleted"):
        call_command("verify_audit_trail", "--checkpoint", str(mirror))


def test_hashes_are_over_rfc8785_canonical_json(attestation):
    """Anyone with a JCS implementation reproduces the snapshot and audit hashes."""
    import json

    import rfc8785

    from attestations.audit import event_hash
    from attestations.canonical import sha256_hex

    assert (
        attestation.snapshot_json == rfc8785.dumps(json.loads(attestation.snapshot_json)).decode()
    )
    assert sha256_hex(attestation.snapshot_json) == attestation.snapshot_sha256
    event = AuditEvent.objects.order_by("id").last()
    assert event_hash(event) == event.hash


def test_every_model_the_admin_shows_is_read_only_for_staff(admin_client, signed):
    """Beyond the cases above, a rule over the whole admin: nothing it lists can be added,
    changed or deleted by staff, so a model registered later is no back door either."""
    from django.apps import apps
    from django.contrib import admin
    from django.urls import reverse

    shown = [model for model in apps.get_models() if admin.site.is_registered(model)]
    refused = {}
    for model in shown:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        answers = [admin_client.post(reverse(f"{name}_add"), {}).status_code]
        row = model.objects.first()
        if row is not None:
            answers.append(admin_client.post(reverse(f"{name}_change", args=[row.pk])).status_code)
            deleting = reverse(f"{name}_delete", args=[row.pk])
            answers.append(admin_client.post(deleting, {"post": "yes"}).status_code)
        listing = admin_client.get(reverse(f"{name}_changelist"))
        refused[model._meta.label] = (
            set(answers),
            listing.status_code,
            "delete_selected" in listing.text,
        )

    assert len(shown) >= 10 and User in shown and Organization in shown
    assert refused == {label: ({403}, 200, False) for label in refused}
    assert {label for label, _ in refused.items()} >= {
        "assessments.Attestation",
        "otp_totp.TOTPDevice",
    }
