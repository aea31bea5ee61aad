"""On PostgreSQL, make the audit table append-only in the database itself."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION assessments_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER assessments_auditevent_append_only
    BEFORE UPDATE OR DELETE ON assessments_auditevent
    FOR EACH ROW EXECUTE FUNCTION assessments_auditevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS assessments_auditevent_append_only ON assessments_auditevent;
DROP FUNCTION IF EXISTS assessments_auditevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
