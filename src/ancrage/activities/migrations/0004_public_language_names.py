from django.db import migrations

from ancrage.core.public_names import PUBLIC_NAMES


def add_names(apps, schema_editor):
    ActivityType = apps.get_model("activities", "ActivityType")
    for item in ActivityType.objects.filter(code__in=PUBLIC_NAMES["ActivityType"]):
        # Names already written (edited in the admin) win over these defaults.
        item.names = {**PUBLIC_NAMES["ActivityType"][item.code], **item.names}
        item.save(update_fields=["names"])


class Migration(migrations.Migration):
    dependencies = [("activities", "0003_activity_needs"), ("core", "0004_public_language_names")]
    operations = [migrations.RunPython(add_names, migrations.RunPython.noop)]
