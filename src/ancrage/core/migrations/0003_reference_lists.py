"""Load the reference lists; afterwards they are data, edited in the admin."""

from django.db import migrations

from ancrage.core import reference_data


def load(apps, schema_editor):
    Borough = apps.get_model("core", "Borough")
    Language = apps.get_model("core", "Language")
    ImmigrationStatus = apps.get_model("core", "ImmigrationStatus")
    Audience = apps.get_model("core", "Audience")
    for order, (code, name) in enumerate(reference_data.BOROUGHS):
        Borough.objects.update_or_create(code=code, defaults={"names": {"fr": name, "en": name}, "sort_order": order})
    for order, (code, fr, en) in enumerate(reference_data.IMMIGRATION_STATUSES):
        ImmigrationStatus.objects.update_or_create(code=code, defaults={"names": {"fr": fr, "en": en}, "sort_order": order})
    for order, (code, fr, en) in enumerate(reference_data.AUDIENCES):
        Audience.objects.update_or_create(code=code, defaults={"names": {"fr": fr, "en": en}, "sort_order": order})
    for order, (code, fr, en, autonym, rtl) in enumerate(reference_data.LANGUAGES):
        Language.objects.update_or_create(
            code=code,
            defaults={"names": {"fr": fr, "en": en}, "autonym": autonym, "is_rtl": rtl, "sort_order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
