"""The audit trail is a hash chain: any edit or deletion is found and named."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from assessments.models import AuditEvent


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


def test_the_admin_cannot_change_or_delete_events(admin_client, attestation):
    event = AuditEvent.objects.first()
    assert admin_client.get(f"/admin/assessments/auditevent/{event.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/assessments/auditevent/{event.pk}/delete/").status_code == 403
