import uuid

from django.db import migrations, models


def give_ids(apps, schema_editor):
    for name in ("Organization", "Site"):
        model = apps.get_model("network", name)
        for row in model.objects.filter(hsds_id__isnull=True).only("pk"):
            model.objects.filter(pk=row.pk).update(hsds_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="hsds_id",
            field=models.UUIDField(null=True, editable=False, verbose_name="directory id"),
        ),
        migrations.AddField(
            model_name="site",
            name="hsds_id",
            field=models.UUIDField(null=True, editable=False, verbose_name="directory id"),
        ),
        migrations.RunPython(give_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="organization",
            name="hsds_id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="directory id"
            ),
        ),
        migrations.AlterField(
            model_name="site",
            name="hsds_id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="directory id"
            ),
        ),
    ]
