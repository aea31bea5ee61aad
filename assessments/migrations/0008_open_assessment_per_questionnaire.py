from django.db import migrations, models


def fill_slugs(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    for assessment in Assessment.objects.select_related("framework_version").iterator():
        assessment.framework_slug = assessment.framework_version.slug
        assessment.save(update_fields=["framework_slug"])


class Migration(migrations.Migration):
    dependencies = [("assessments", "0007_audit_no_truncate")]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="framework_slug",
            field=models.SlugField(default="", max_length=80),
            preserve_default=False,
        ),
        migrations.RunPython(fill_slugs, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["approved", "rejected"]), _negated=True),
                fields=("organization", "framework_slug"),
                name="one_open_assessment_per_questionnaire",
                violation_error_message="An assessment of this questionnaire is already open.",
            ),
        ),
    ]
