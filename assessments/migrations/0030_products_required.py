import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0029_products_data"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="assessment",
            name="one_open_assessment_per_questionnaire",
        ),
        migrations.AlterField(
            model_name="assessment",
            name="product",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="assessments",
                to="assessments.product",
            ),
        ),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["approved", "rejected"]), _negated=True),
                fields=("product", "framework_slug"),
                name="one_open_assessment_per_product_and_questionnaire",
                violation_error_message="An assessment of this product on this questionnaire is already open.",
            ),
        ),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(fields=["public", "name"], name="assessments_public_d07d87_idx"),
        ),
        migrations.AddConstraint(
            model_name="product",
            constraint=models.UniqueConstraint(
                models.F("organization"),
                django.db.models.functions.text.Lower("name"),
                name="one_product_name_per_organization",
                violation_error_message="This organization already has a product of that name.",
            ),
        ),
    ]
