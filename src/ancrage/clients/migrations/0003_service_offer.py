"""The department's service offer (DOMAIN.md), as the service types every organization shares."""

from django.db import migrations

SERVICE_OFFER = [
    ("housing", "Logement", "Housing"),
    ("documents-permits", "Documents et permis", "Documents and permits"),
    ("settlement-support", "Accompagnement à l'installation", "Settlement support"),
    ("public-services", "Services publics", "Public services"),
    ("regions", "Installation en région", "Settling in the regions"),
    ("french-courses", "Cours de français", "French courses"),
    ("first-steps", "Premières démarches d'installation", "First settlement steps"),
    ("objectif-integration", "Session Objectif Intégration", "Objectif Intégration session"),
    ("special-clienteles", "Clientèles particulières", "Special clienteles"),
    ("intercultural-mediation", "Médiation interculturelle", "Intercultural mediation"),
]


def add(apps, schema_editor):
    service_type = apps.get_model("clients", "ServiceType")
    for order, (code, fr, en) in enumerate(SERVICE_OFFER, start=1):
        service_type.objects.update_or_create(
            organization=None,
            code=code,
            defaults={"names": {"fr": fr, "en": en}, "sort_order": order * 10},
        )


def remove(apps, schema_editor):
    apps.get_model("clients", "ServiceType").objects.filter(
        organization=None, code__in=[code for code, _fr, _en in SERVICE_OFFER]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("clients", "0002_services_referrals")]

    operations = [migrations.RunPython(add, remove)]
