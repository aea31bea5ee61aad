"""On PostgreSQL, refuse TRUNCATE of the audit table too.

The row triggers of 0002 do not fire on TRUNCATE, which emptied the trail in one statement.
(A database superuser can still switch triggers off; what detects that is an anchor of the
chain outside the database.)"""

from django.db import migrations

CREATE = """
CREATE TRIGGER assessments_auditevent_no_truncate
    BEFORE TRUNCATE ON assessments_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION assessments_auditevent_append_only();
"""
DROP = "DROP TRIGGER IF EXISTS assessments_auditevent_no_truncate ON assessments_auditevent;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0006_queue_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]
