"""The demonstration programs: the real ones of the sources, with rules that run."""

from datetime import date

import pytest

from ancrage.core.choices import OrganizationKind
from ancrage.funding.conditions import conditions_check
from ancrage.funding.demo import reset_funding, seed_funding
from ancrage.funding.eligibility import PersonFacts
from ancrage.funding.models import EligibilityRule, FundingProgram
from ancrage.funding.selectors import eligibility_for, programs_for
from ancrage.network.models import Organization
from tests import factories

pytestmark = pytest.mark.django_db

CODES = [
    "borough-ahuntsic-cartierville",
    "borough-lasalle",
    "borough-montreal-nord",
    "borough-villeray-st-michel-parc-ex",
    "centraide-mission",
    "liaison-libraries",
    "montreal-inclusive",
    "pasi-stream-1",
    "pasi-stream-2",
    "pili-francization",
    "pmd",
    "print-legacy",
    "psm-mission",
    "psoc-mission",
]
# Funding with no condition on the person: mission, project grants, borough budgets.
UNCONDITIONAL = [
    "borough-ahuntsic-cartierville",
    "borough-lasalle",
    "borough-montreal-nord",
    "borough-villeray-st-michel-parc-ex",
    "centraide-mission",
    "pmd",
    "psm-mission",
    "psoc-mission",
]


def test_seed_creates_the_programs_once_with_valid_rules():
    mifi = factories.OrganizationFactory(
        name="Ministère de l'Immigration", acronym="MIFI", kind=OrganizationKind.FUNDER
    )
    created = seed_funding()
    assert sorted(p.code for p in created) == CODES
    assert FundingProgram.objects.get(code="pasi-stream-1").funder == mifi  # found, not duplicated
    assert Organization.objects.filter(acronym="BINAM").count() == 1  # created when missing
    for rule in EligibilityRule.objects.all():
        assert conditions_check(rule.conditions) == rule.conditions
        assert rule.note
    for program in FundingProgram.objects.all():
        assert program.names["fr"] and program.names["en"]
    assert seed_funding() == []  # a second run keeps what is there
    assert FundingProgram.objects.count() == len(CODES)


def test_demo_rules_tell_the_story_of_the_sources():
    seed_funding()
    on = date(2025, 6, 1)
    asylum_seeker = PersonFacts(
        status_code="asylum-seeker",
        arrived_canada=date(2024, 2, 1),
        arrived_quebec=date(2024, 2, 1),
        birth_date=date(1992, 5, 5),
        borough_code="montreal-nord",
    )
    covered = [p.code for p in programs_for(asylum_seeker, on)]
    # Not the department's integration streams; French courses, the city's programs, mission.
    assert covered == sorted(
        ["liaison-libraries", "montreal-inclusive", "pili-francization", *UNCONDITIONAL]
    )
    without_status = PersonFacts(status_code="without-status", borough_code="verdun")
    results = {r.program.code: r for r in eligibility_for(without_status, on)}
    assert not results["pasi-stream-1"].eligible
    assert results["montreal-inclusive"].eligible
    # PASI Stream 1 changed mid-2024: temporary workers from 1 July.
    worker = PersonFacts(
        status_code="temporary-worker", arrived_quebec=date(2023, 9, 1), lives_in_quebec=True
    )
    assert "pasi-stream-1" not in [p.code for p in programs_for(worker, date(2024, 6, 30))]
    assert "pasi-stream-1" in [p.code for p in programs_for(worker, date(2024, 7, 1))]


def test_reset_removes_programs_so_organizations_can_be_deleted():
    seed_funding()
    assert reset_funding() > 0
    assert not FundingProgram.objects.exists() and not EligibilityRule.objects.exists()
    Organization.objects.all().delete()
