from django.db import migrations

from ancrage.core.public_names import PUBLIC_NAMES


def add_names(apps, schema_editor):
    for model_name in ("Audience", "ImmigrationStatus"):
        model = apps.get_model("core", model_name)
        for item in model.objects.filter(code__in=PUBLIC_NAMES[model_name]):
            # Names already written (edited in the admin) win over these defaults.
            item.names = {**PUBLIC_NAMES[model_name][item.code], **item.names}
            item.save(update_fields=["names"])


class Migration(migrations.Migration):
    dependencies = [("core", "0003_reference_lists")]
    operations = [migrations.RunPython(add_names, migrations.RunPython.noop)]
