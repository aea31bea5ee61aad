"""Store every published framework version without fields left at their defaults, and rehash.

The questionnaire schema gained optional fields (evidence links, citation strength and
hashes, scope conditions). Dumping with defaults would have changed the hash of versions
published before, whose content did not change; this brings stored rows to the new form.
"""

from django.db import migrations


def rehash(apps, schema_editor):
    from questionnaires.frameworks.loader import content_of
    from questionnaires.frameworks.schema import Framework

    FrameworkVersion = apps.get_model("assessments", "FrameworkVersion")
    for version in FrameworkVersion.objects.all():
        plain, digest = content_of(Framework.model_validate(version.definition))
        version.definition, version.sha256 = plain, digest
        version.save(update_fields=["definition", "sha256"])


class Migration(migrations.Migration):
    dependencies = [("assessments", "0013_attestation_status_index")]

    operations = [migrations.RunPython(rehash, migrations.RunPython.noop)]
