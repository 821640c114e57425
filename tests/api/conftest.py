"""Directory data covering every field the HSDS mapping carries, and the official HSDS schemas."""

import datetime
import gzip
import json
from pathlib import Path

import pytest
from referencing import Registry, Resource

from ancrage.directory.models import Program
from tests import factories
from tests.factories import published_service

# The official schemas, copied into the tests' data (see tests/data/hsds/README.md).
HSDS = Path(__file__).resolve().parents[1] / "data" / "hsds"
SCHEMA = HSDS / "schema"


def _load(path: Path) -> dict:
    if not path.exists() and path.with_name(path.name + ".gz").exists():
        return json.loads(gzip.decompress(path.with_name(path.name + ".gz").read_bytes()))
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def hsds_schemas() -> dict:
    """The compiled (self-contained) schemas, and the core ones with a registry for their $refs."""
    core = {path.name: _load(path) for path in SCHEMA.glob("*.json") if path.name != "openapi.json"}
    registry = Registry().with_resources(
        (name, Resource.from_contents(contents, default_specification=_DRAFT))
        for name, contents in core.items()
    )
    return {
        "service": _load(SCHEMA / "compiled" / "service.json"),
        "organization": _load(SCHEMA / "compiled" / "organization.json"),
        "service_at_location": _load(SCHEMA / "compiled" / "service_at_location.json"),
        "tabular": _load(SCHEMA / "compiled" / "tabular.json"),
        "core": core,
        "registry": registry,
        "page": _load(SCHEMA / "openapi.json")["components"]["schemas"]["Page"],
    }


def _draft():
    from referencing.jsonschema import DRAFT202012

    return DRAFT202012


_DRAFT = _draft()


@pytest.fixture
def rich_directory(db):
    """Two organizations, three places, a program and services using every mapped field."""
    org = factories.OrganizationFactory(
        name="Centre d'accueil Ĉ",
        acronym="CAC",
        mission="Accueillir les personnes immigrantes.\nDepuis 1990.",
        email="info@cac.example.org",
        website="https://cac.example.org/",
        phone="514 555-0100",
    )
    lasalle = factories.SiteFactory(
        organization=org,
        name="Bureau LaSalle",
        accessibility="Entrée sans marche",
        phone="514 555-0101",
        postal_code="H8N 1A1",
    )
    villeray = factories.SiteFactory(
        organization=org,
        name="Bureau Villeray",
        borough=factories.borough("villeray-saint-michel-parc-extension"),
        postal_code="H2R 2B3",
    )
    program = Program.objects.create(
        organization=org,
        names={"fr": "Programme d'accueil", "en": "Welcome program"},
        descriptions={"fr": "Premières semaines", "en": "First weeks"},
        alternate_name="PA",
    )
    full = published_service(
        org,
        names={"fr": "Aide au logement", "en": "Housing help", "ar": "المساعدة في السكن"},
        descriptions={
            "fr": "Recherche de logement.",
            "en": "Finding a home.",
            "ar": "البحث عن سكن.",
        },
        eligibility_descriptions={"fr": "Nouveaux arrivants", "en": "Newcomers"},
        application_processes={"fr": "Appelez-nous", "en": "Call us"},
        fees_descriptions={"fr": "10 $ par séance", "en": "$10 per session"},
        alternate_name="LOG-1",
        url="https://cac.example.org/logement",
        email="logement@cac.example.org",
        phone="514 555-0110",
        status="inactive",
        is_free=False,
        interpretation_services="Interprètes sur demande",
        minimum_age=18,
        maximum_age=64,
        max_years_since_arrival=5,
        funding_source="Ville de Montréal",
        program=str(program.id),
        audiences=["newcomers", "families"],
        immigration_statuses=["refugee", "asylum-seeker"],
        languages=["fr", "en", "ar", "es"],
        needs=["housing", "settlement-support"],
        locations=[
            {
                "site": str(lasalle.hsds_id),
                "descriptions": {"fr": "Au 2e étage", "en": "2nd floor"},
            },
            {"site": str(villeray.hsds_id)},
        ],
        schedules=[
            {"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "09:00", "closes_at": "12:30"},
            {
                "freq": "MONTHLY",
                "interval": 2,
                "byday": "2TU",
                "opens_at": "13:00",
                "closes_at": "16:00",
                "valid_from": "2025-01-01",
                "valid_to": "2025-12-31",
                "descriptions": {"fr": "Sur rendez-vous", "en": "By appointment"},
                "site": str(villeray.hsds_id),
            },
            {"freq": "MONTHLY", "bymonthday": "1,15", "descriptions": {"fr": "Clinique"}},
        ],
        contacts=[
            {"name": "Accueil", "email": "accueil@cac.example.org", "phone": "514 555-0120"},
            {"name": "Amina Haddad", "title": "Intervenante"},
        ],
    )
    full.assured_date = datetime.date(2025, 3, 1)
    full.assurer_email = "verif@cac.example.org"
    full.save()
    other_org = factories.OrganizationFactory(name="Maison des familles")
    plain = published_service(
        other_org,
        names={"fr": "Café des parents", "en": "Parents' café", "ur": "والدین کا کیفے"},
        needs=["childhood-family"],
        audiences=[],
        contacts=[],
        schedules=[],
    )
    hidden = published_service(other_org, names={"fr": "Brouillon", "en": "Draft"})
    hidden.is_published = False
    hidden.save()
    # An organization without a published service is not in the directory.
    factories.OrganizationFactory(name="Sans service")
    return {"org": org, "full": full, "plain": plain, "hidden": hidden, "program": program}
