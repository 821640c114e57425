"""Fixtures of the clients tests: an organization with its staff, clients registered through the
service (so their identity is encrypted and indexed as in real use)."""

from datetime import date

import pytest

from ancrage.clients import services
from ancrage.core.choices import Role
from ancrage.core.models import ImmigrationStatus
from tests import factories

GIVEN = "Zéphyrine"
FAMILY = "Oyelaran-Kowalczyk"
BORN = date(1988, 3, 14)


def profile(**overrides):
    values = {
        "immigration_status": ImmigrationStatus.objects.get(code="permanent-resident"),
        "status_since": date(2022, 5, 1),
        "arrived_canada_on": date(2022, 4, 2),
        "arrived_quebec_on": date(2022, 4, 2),
        "age_band": "35-44",
        "gender": "woman",
        "french_level": "beginner",
        "borough": factories.borough("lasalle"),
        "household": "single_parent",
        "household_size": 3,
        "library_user": True,
        "document_language": "es",
    }
    values.update(overrides)
    return values


def identity(**overrides):
    values = {
        "given_names": GIVEN,
        "family_names": FAMILY,
        "preferred_name": "Zéphy",
        "born_on": BORN,
        "phone": "514 555-0199",
        "email": "zephyrine@example.org",
        "address": "4321 rue Centrale, Montréal",
        "uci_number": "1234-5678",
        "health_insurance_number": "OYEZ 8803 1412",
        "other_file_number": "DOSSIER-77",
        "note": "Préfère être appelée le matin.",
    }
    values.update(overrides)
    return values


def register(organization, actor=None, *, profile_values=None, confirm_distinct=True, **ident):
    actor = actor or factories.member(organization, Role.INTAKE_WORKER)
    return services.client_register(
        actor=actor,
        organization=organization,
        profile=profile(**(profile_values or {})),
        identity=identity(**ident),
        confirm_distinct=confirm_distinct,
    )


@pytest.fixture
def intake_a(org_a):
    return factories.member(org_a, Role.INTAKE_WORKER)


@pytest.fixture
def person(org_a, intake_a):
    """A client of organization A (a `Client`, not a test browser)."""
    return register(org_a, intake_a)
