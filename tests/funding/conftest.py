"""Programs built through the services, as an administrator would."""

from datetime import date

import pytest
from django.utils import translation

from ancrage.core.choices import OrganizationKind, Role
from ancrage.funding import services
from ancrage.funding.models import FundingKind
from tests import factories

PILOT = [
    "ahuntsic-cartierville",
    "lasalle",
    "montreal-nord",
    "villeray-saint-michel-parc-extension",
]
MID_YEAR = date(2024, 7, 1)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def funder(db):
    return factories.OrganizationFactory(name="Ministère (test)", kind=OrganizationKind.FUNDER)


@pytest.fixture
def city(db):
    return factories.OrganizationFactory(
        name="Service municipal (test)", kind=OrganizationKind.CITY_SERVICE
    )


@pytest.fixture
def platform_admin(city):
    """The city's platform administrator: manages every funder's rules."""
    return factories.member(city, Role.ADMINISTRATOR)


def make_program(funder, code, *versions, kind=FundingKind.SERVICE_AGREEMENT, actor=None):
    program = services.program_create(
        actor=actor,
        funder=funder,
        code=code,
        names={"fr": f"Programme {code}", "en": f"Program {code}"},
        kind=kind,
    )
    for valid_from, conditions in versions:
        services.rule_version_create(
            actor=actor, program=program, valid_from=valid_from, conditions={"all": conditions}
        )
    return program


@pytest.fixture
def programs(funder, city):
    """PASI-like (a mid-year version adds temporary workers), francization, liaison, youth."""
    pasi_v1 = [
        {"status_in": ["permanent-resident", "refugee"]},
        {"years_since_max": 5, "since": "arrived_quebec"},
        {"lives_in_quebec": True},
    ]
    pasi_v2 = [
        {"status_in": ["permanent-resident", "refugee", "temporary-worker"]},
        {"years_since_max": 5, "since": "arrived_quebec"},
        {"lives_in_quebec": True},
    ]
    return {
        "pasi": make_program(funder, "pasi-1", (date(2020, 7, 1), pasi_v1), (MID_YEAR, pasi_v2)),
        "francization": make_program(
            funder,
            "francization",
            (
                date(2019, 1, 1),
                [
                    {
                        "status_in": [
                            "permanent-resident",
                            "refugee",
                            "asylum-seeker",
                            "temporary-worker",
                            "student",
                            "citizen",
                        ]
                    },
                    {"age_min": 16},
                    {"lives_in_quebec": True},
                ],
            ),
        ),
        "liaison": make_program(
            city,
            "liaison",
            (
                date(2015, 1, 1),
                [
                    {"years_since_max": 5, "since": "arrived_canada"},
                    {"borough_in": PILOT},
                ],
            ),
            kind=FundingKind.PROJECT,
        ),
        "youth": make_program(
            city,
            "youth",
            (date(2015, 1, 1), [{"age_min": 16}, {"age_max": 29}]),
            kind=FundingKind.PROJECT,
        ),
    }
