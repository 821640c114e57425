import uuid

from django.db import migrations

from ancrage.directory.needs import NEEDS

TAXONOMY_ID = uuid.UUID("6a1f3c52-9d0e-4f1b-8a77-2f5e0c4b9d10")


def load(apps, schema_editor):
    Taxonomy = apps.get_model("directory", "Taxonomy")
    TaxonomyTerm = apps.get_model("directory", "TaxonomyTerm")
    taxonomy, _created = Taxonomy.objects.update_or_create(
        name="ancrage-needs",
        defaults={
            "id": TAXONOMY_ID,
            "description": "Needs of newcomers that services address (Ancrage, Montréal)",
            "version": "1",
        },
    )
    for order, (code, names) in enumerate(NEEDS.items()):
        TaxonomyTerm.objects.update_or_create(
            taxonomy=taxonomy,
            code=code,
            defaults={
                # Stable ids: other systems refer to these terms in exports.
                "id": uuid.uuid5(TAXONOMY_ID, code),
                "names": names,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
