"""Attestation numbers run per organization and questionnaire, not per assessment (a
re-assessment's first attestation was "No. 1" again). Existing ones are renumbered in the
order they were signed."""

import django.db.models.deletion
from django.db import migrations, models


def renumber(apps, schema_editor):
    Attestation = apps.get_model("assessments", "Attestation")
    counters = {}
    rows = Attestation.objects.select_related("assessment").order_by("signed_at", "id")
    for attestation in rows:
        line = (attestation.assessment.organization_id, attestation.assessment.framework_slug)
        counters[line] = counters.get(line, 0) + 1
        attestation.organization_id, attestation.framework_slug = line
        attestation.number = 1_000_000 + counters[line]  # clear of the old numbers first
        attestation.save(update_fields=["organization", "framework_slug", "number"])
    for attestation in Attestation.objects.all():
        attestation.number -= 1_000_000
        attestation.save(update_fields=["number"])


class Migration(migrations.Migration):
    dependencies = [("assessments", "0009_invitations")]

    operations = [
        migrations.RemoveConstraint(
            model_name="attestation", name="one_attestation_number_per_assessment"
        ),
        migrations.AddField(
            model_name="attestation",
            name="framework_slug",
            field=models.SlugField(default="", max_length=80),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="attestation",
            name="organization",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="attestations",
                to="assessments.organization",
            ),
        ),
        migrations.RunPython(renumber, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="attestation",
            name="organization",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="attestations",
                to="assessments.organization",
            ),
        ),
        migrations.AddConstraint(
            model_name="attestation",
            constraint=models.UniqueConstraint(
                fields=("organization", "framework_slug", "number"),
                name="attestation_numbers_per_organization_and_questionnaire",
            ),
        ),
    ]
