from django.db import migrations


def one_product_per_organization(apps, schema_editor):
    """Every organization's assessments become those of one product named after it: nothing
    is lost, and an organization with one product needs to do nothing."""
    Organization = apps.get_model("assessments", "Organization")
    Product = apps.get_model("assessments", "Product")
    Assessment = apps.get_model("assessments", "Assessment")
    for organization in Organization.objects.all().iterator():
        product = Product.objects.create(
            organization=organization,
            name=organization.legal_name[:120],
            addresses=[organization.website] if organization.website else [],
        )
        Assessment.objects.filter(organization=organization).update(product=product)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0028_products"),
    ]

    operations = [
        migrations.RunPython(one_product_per_organization, migrations.RunPython.noop),
    ]
