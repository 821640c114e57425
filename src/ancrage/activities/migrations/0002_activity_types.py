from django.db import migrations

from ancrage.activities.activity_types import ACTIVITY_TYPES


def load(apps, schema_editor):
    ActivityType = apps.get_model("activities", "ActivityType")
    for order, (code, fr, en) in enumerate(ACTIVITY_TYPES):
        ActivityType.objects.update_or_create(
            code=code, defaults={"names": {"fr": fr, "en": en}, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
