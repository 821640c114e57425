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


# --- Demo agreements: a real portfolio for `make demo` ------------------------------------------


def _demo_network():
    """The few organizations and people of the demo network the agreements need."""
    from ancrage.core.choices import Role
    from ancrage.demo.montreal import (
        ANCHOR_NAME,
        LIAISON_DEMO_BOROUGH,
        demo_email,
        library_organization_name,
    )

    villeray = factories.borough(LIAISON_DEMO_BOROUGH)
    mifi = factories.OrganizationFactory(
        name="Ministère de l'Immigration, de la Francisation et de l'Intégration",
        acronym="MIFI",
        kind=OrganizationKind.FUNDER,
    )
    anchor = factories.OrganizationFactory(name=ANCHOR_NAME, borough=villeray)
    library = factories.OrganizationFactory(
        name=library_organization_name(LIAISON_DEMO_BOROUGH),
        kind=OrganizationKind.LIBRARY,
        borough=villeray,
    )
    others = [factories.OrganizationFactory(name=f"Organisme démo {i}") for i in range(3)]
    for organization in [anchor, *others]:
        factories.member(organization, Role.DIRECTOR)
    advisor = factories.member(mifi, Role.FUNDER_ADVISOR, username=demo_email("conseillere.mifi"))
    return {"mifi": mifi, "anchor": anchor, "library": library, "advisor": advisor}


@pytest.mark.parametrize("today", [date(2026, 2, 15), date(2026, 4, 1), date(2026, 12, 31)])
def test_demo_agreements_make_a_real_portfolio(today):
    from decimal import Decimal

    from ancrage.funding.models import Agreement, AgreementTarget, FollowedOrganization
    from ancrage.funding.selectors import fiscal_year_of, portfolio

    network = _demo_network()
    seed_funding(today=today)
    anchor, library = network["anchor"], network["library"]
    codes = set(anchor.agreements.values_list("program__code", flat=True))
    assert {"pasi-stream-1", "pili-francization", "psm-mission", "centraide-mission"} <= codes
    assert {"psoc-mission", "montreal-inclusive", "print-legacy"} <= codes

    # Amounts by fiscal year (April to March), within each agreement.
    for agreement in Agreement.objects.prefetch_related("amounts"):
        for amount in agreement.amounts.all():
            assert agreement.starts_on <= amount.period_start <= amount.period_end
            assert amount.period_end <= agreement.ends_on
            assert fiscal_year_of(amount.period_start) == fiscal_year_of(amount.period_end)
    # PILI: $3,000 a quarter; quarterly targets.
    pili = anchor.agreements.filter(program__code="pili-francization").first()
    assert {a.amount for a in pili.amounts.all()} == {Decimal("3000.00")}
    quarters = AgreementTarget.objects.filter(agreement__organization=anchor)
    assert quarters.exists() and all(
        (t.period_end - t.period_start).days < 92 or t.metric == "participants" for t in quarters
    )

    # The agreement that pays the Liaison Officer comes up for renewal within 90 days.
    liaison = library.agreements.get(program__code="liaison-libraries")
    assert 0 <= (liaison.renewal_date - today).days <= 90
    assert "agente de liaison" in liaison.restrictions

    # The department weighs 55 % to 95 % of the anchor's money, as in the sources.
    figures = portfolio(factories.member(anchor, "director"), anchor, today)
    current = figures.years.index(fiscal_year_of(today))
    name, share = figures.largest[current]
    assert name == network["mifi"].name and Decimal(55) <= share <= Decimal(95)
    assert figures.mission_share[current] < Decimal(50)  # mission funding is the small part
    assert any(r.flag for r in figures.renewals)

    # The advisor follows the anchor (and two more), with visits.
    followed = FollowedOrganization.objects.filter(advisor=network["advisor"])
    assert anchor.pk in set(followed.values_list("organization", flat=True))
    assert followed.count() == 3

    # Idempotent: a second run adds nothing.
    counts = (Agreement.objects.count(), AgreementTarget.objects.count(), followed.count())
    seed_funding(today=today)
    assert (Agreement.objects.count(), AgreementTarget.objects.count(), followed.count()) == counts


def test_reset_removes_agreements_visits_and_programs():
    from ancrage.funding.models import AdvisorVisit, Agreement

    _demo_network()
    seed_funding(today=date(2026, 6, 1))
    assert Agreement.objects.exists() and AdvisorVisit.objects.exists()
    reset_funding()
    assert not Agreement.objects.exists() and not AdvisorVisit.objects.exists()
    assert not FundingProgram.objects.exists()
    Organization.objects.all().delete()


def test_print_is_kept_as_a_legacy_program():
    seed_funding()
    legacy = FundingProgram.objects.get(code="print-legacy")
    assert not legacy.is_active and legacy.kind == "service_agreement"
    assert legacy.rules.get().valid_to == date(2020, 6, 30)
    kinds = dict(FundingProgram.objects.values_list("code", "kind"))
    assert kinds["psm-mission"] == kinds["centraide-mission"] == kinds["psoc-mission"] == "mission"
    assert kinds["montreal-inclusive"] == kinds["borough-lasalle"] == kinds["pmd"] == "project"
    assert kinds["pili-francization"] == kinds["pasi-stream-2"] == "service_agreement"
