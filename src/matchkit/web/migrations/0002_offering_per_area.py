"""The offering per municipality: ``OfferedApproach.area`` ("" for every other municipality)."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    """Add the area to an offered approach; an approach is offered once per area."""

    dependencies = [("web", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="offeredapproach",
            name="area",
            field=models.CharField(blank=True, default="", max_length=100),
        ),
        migrations.AlterField(
            model_name="offeredapproach",
            name="approach_id",
            field=models.CharField(max_length=100),
        ),
        migrations.AddConstraint(
            model_name="offeredapproach",
            constraint=models.UniqueConstraint(
                fields=("area", "approach_id"), name="one_offer_per_area"
            ),
        ),
    ]
