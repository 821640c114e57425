"""The funding portfolio: revenue by funder and by kind over fiscal years (April to March), the
share of the largest funder and of mission funding, recurring or not, and the renewal calendar
flagged at 180, 90 and 30 days — for the organization's own staff only."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from ancrage.core.choices import OrganizationKind, Role
from ancrage.funding import selectors, services
from ancrage.funding.models import FundingKind, RenewalAlert
from tests import factories
from tests.funding.conftest import make_program
from tests.funding.test_agreements import agreement_of

pytestmark = pytest.mark.django_db

PORTFOLIO = reverse("funding:portfolio")


def pay(agreement, start, end, amount):
    services.amount_set(
        actor=None, agreement=agreement, period_start=start, period_end=end, amount=amount
    )


# --- Fiscal years -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, label",
    [
        (date(2026, 3, 31), "2025-2026"),
        (date(2026, 4, 1), "2026-2027"),
        (date(2026, 12, 31), "2026-2027"),
        (date(2027, 1, 1), "2026-2027"),
    ],
)
def test_fiscal_years_run_from_april_to_march(day, label):
    year = selectors.fiscal_year_of(day)
    assert year.label == label
    assert year.first <= day <= year.last
    quarters = year.quarters()
    assert quarters[0][0] == year.first and quarters[-1][1] == year.last
    assert all(
        quarters[i][1] + timedelta(days=1) == quarters[i + 1][0] for i in range(3)
    )  # no gap, no overlap


def test_an_amount_across_fiscal_years_is_shared_by_days_to_the_cent():
    parts = selectors.split_by_fiscal_year(date(2025, 9, 1), date(2027, 8, 31), Decimal("100000"))
    # 212, 365 and 153 of 730 days; the last year takes the rounding.
    assert parts == {
        2025: Decimal("29041.10"),
        2026: Decimal("50000.00"),
        2027: Decimal("20958.90"),
    }
    one_year = selectors.split_by_fiscal_year(date(2025, 4, 1), date(2026, 3, 31), Decimal("7.01"))
    assert one_year == {2025: Decimal("7.01")}
    thirds = selectors.split_by_fiscal_year(date(2025, 4, 1), date(2028, 3, 31), Decimal("100"))
    assert sum(thirds.values()) == Decimal("100") and len(thirds) == 3


# --- The figures --------------------------------------------------------------------------------


@pytest.fixture
def funders(db):
    return {
        "ministry": factories.OrganizationFactory(
            name="Ministère (test)", kind=OrganizationKind.FUNDER
        ),
        "centraide": factories.OrganizationFactory(
            name="Centraide (test)", kind=OrganizationKind.FUNDER
        ),
    }


@pytest.fixture
def portfolio_of_a(org_a, funders):
    """The ministry pays 300,000 (service agreement) + 100,000 (mission); Centraide 100,000."""
    service = make_program(funders["ministry"], "pasi-p")
    mission = make_program(funders["ministry"], "psm-p", kind=FundingKind.MISSION)
    centraide = make_program(funders["centraide"], "centraide-p", kind=FundingKind.MISSION)
    project = make_program(funders["centraide"], "project-p", kind=FundingKind.PROJECT)
    fy25 = (date(2025, 4, 1), date(2026, 3, 31))
    fy26 = (date(2026, 4, 1), date(2027, 3, 31))
    a = agreement_of(org_a, service, fy25[0], fy26[1], recurring=True)
    pay(a, *fy25, Decimal("300000"))
    pay(a, *fy26, Decimal("320000"))
    b = agreement_of(org_a, mission, *fy25, recurring=True)
    pay(b, *fy25, Decimal("100000"))
    c = agreement_of(org_a, centraide, *fy25, recurring=True)
    pay(c, *fy25, Decimal("100000"))
    d = agreement_of(org_a, project, date(2026, 1, 1), date(2026, 12, 31))
    pay(d, date(2026, 1, 1), date(2026, 12, 31), Decimal("36500"))
    return {"service": a, "mission": b, "centraide": c, "project": d}


def test_revenue_by_funder_and_kind_with_shares(portfolio_of_a, org_a, director_a):
    figures = selectors.portfolio(director_a, org_a, date(2025, 10, 1))
    assert [year.label for year in figures.years] == ["2025-2026", "2026-2027"]
    # The project's 36,500 spread by days: 90 of 365 days in 2025-26.
    assert figures.totals == [Decimal("509000.00"), Decimal("347500.00")]
    ministry, centraide = figures.by_funder
    assert ministry.label == "Ministère (test)"
    assert ministry.values == [Decimal("400000"), Decimal("320000")]
    assert ministry.shares[0] == Decimal("78.6")
    assert figures.largest[0] == ("Ministère (test)", Decimal("78.6"))
    kinds = {row.label: row for row in figures.by_kind}
    mission = kinds[str(FundingKind.MISSION.label)]
    assert mission.values == [Decimal("200000"), Decimal("0")]
    assert figures.mission_share == [Decimal("39.3"), Decimal("0.0")]
    assert figures.recurring.values == [Decimal("500000"), Decimal("320000")]
    assert figures.not_recurring.values == [Decimal("9000.00"), Decimal("27500.00")]
    # The bars add up: the longest bar is the largest total.
    bars = figures.chart["bars"]
    widths = [sum(Decimal(s["width"]) for s in bar["segments"]) for bar in bars]
    assert widths[0] == max(widths) and abs(widths[0] - selectors.BAR_WIDTH) < 1


def test_only_recent_fiscal_years_are_shown(org_a, funders, director_a):
    program = make_program(funders["ministry"], "old-p")
    old = agreement_of(org_a, program, date(2010, 4, 1), date(2011, 3, 31))
    pay(old, date(2010, 4, 1), date(2011, 3, 31), 1000)
    figures = selectors.portfolio(director_a, org_a, date(2025, 10, 1))
    assert figures.is_empty and figures.years == []


def test_renewal_calendar_flags_180_90_and_30_days(org_a, funders):
    today = date(2026, 1, 10)
    agreements = []
    for code, days in [
        ("r200", 200),
        ("r180", 180),
        ("r91", 91),
        ("r90", 90),
        ("r30", 30),
        ("r0", 0),
    ]:
        program = make_program(funders["ministry"], code)
        agreements.append(
            agreement_of(org_a, program, date(2025, 4, 1), today + timedelta(days=days))
        )
    passed_program = make_program(funders["ministry"], "passed")
    passed = agreement_of(
        org_a,
        passed_program,
        date(2025, 4, 1),
        date(2026, 12, 31),
        renewal_on=today - timedelta(days=5),
    )
    ended_program = make_program(funders["ministry"], "ended")
    agreement_of(org_a, ended_program, date(2024, 4, 1), date(2025, 3, 31))
    calendar = selectors.renewal_calendar(
        [*agreements, passed, *org_a.agreements.filter(program=ended_program)], today
    )
    flags = {r.agreement.program.code: (r.days_left, r.flag, r.passed) for r in calendar}
    assert flags == {
        "passed": (-5, None, True),
        "r0": (0, 30, False),
        "r30": (30, 30, False),
        "r90": (90, 90, False),
        "r91": (91, 180, False),
        "r180": (180, 180, False),
        "r200": (200, None, False),
    }  # the ended agreement is not on the calendar
    assert [r.agreement.program.code for r in calendar][0] == "passed"  # by renewal date


# --- The page -----------------------------------------------------------------------------------


def test_the_page_shows_the_portfolio_in_french(portfolio_of_a, director_a, client_of):
    response = client_of(director_a).get(PORTFOLIO)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ministère (test)" in html and "Centraide (test)" in html
    assert '<svg role="img"' in html and "<caption" in html and 'scope="col"' in html
    assert "style=" not in html  # the content security policy forbids inline styles
    assert "Renewal calendar" in html or "Calendrier" in html or "renouvellement" in html.lower()
    # SVG coordinates never take a decimal comma, whatever the language.
    chart = html.split("<svg role")[1].split("</svg>")[0]
    coordinates = re.findall(r' (?:x|y|width|height|viewBox)="([^"]*)"', chart)
    assert coordinates and not any("," in value for value in coordinates)


def test_the_renewal_calendar_on_the_page_says_when_an_alert_went(
    portfolio_of_a, director_a, client_of
):
    agreement = portfolio_of_a["service"]
    today = timezone.localdate()
    services.agreement_update(
        actor=director_a,
        agreement=agreement,
        version=1,
        ends_on=max(agreement.ends_on, today + timedelta(days=60)),
        renewal_on=today + timedelta(days=45),
    )
    agreement.refresh_from_db()
    RenewalAlert.objects.create(
        agreement=agreement, days_before=90, renewal_date=agreement.renewal_date, recipients=[]
    )
    response = client_of(director_a).get(PORTFOLIO)
    renewal = next(r for r in response.context["portfolio"].renewals if r.agreement == agreement)
    assert renewal.flag == 90 and renewal.last_alert is not None
    assert reverse("funding:agreement_detail", args=[agreement.pk]) in response.content.decode()


def test_an_empty_portfolio_says_what_to_do(org_a, director_a, client_of):
    response = client_of(director_a).get(PORTFOLIO)
    assert response.status_code == 200
    assert response.context["portfolio"].is_empty


def test_someone_in_several_organizations_chooses_and_forged_choices_are_404(
    portfolio_of_a, org_a, org_b, director_a, client_of
):
    factories.MembershipFactory(user=director_a, organization=org_b, role=Role.COORDINATOR)
    client = client_of(director_a)
    page = client.get(PORTFOLIO)
    assert page.status_code == 200 and 'name="organization"' in page.content.decode()
    chosen = client.get(PORTFOLIO, {"organization": org_b.pk})
    assert chosen.context["organization"] == org_b and chosen.context["portfolio"].is_empty
    stranger = factories.OrganizationFactory(name="Organisme C")
    for forged in (stranger.pk, 999_999_999, 2**63 + 5, "abc", "1;DROP"):
        assert client.get(PORTFOLIO, {"organization": forged}).status_code == 404


def test_the_portfolio_is_for_directors_and_coordinators(org_a, org_b, portfolio_of_a, client_of):
    for role in (Role.INTAKE_WORKER, Role.COMMUNITY_WORKER, Role.LIAISON_OFFICER):
        assert client_of(factories.member(org_a, role)).get(PORTFOLIO).status_code == 403
    assert client_of(factories.UserFactory()).get(PORTFOLIO).status_code == 403
    coordinator = client_of(factories.member(org_a, Role.COORDINATOR))
    assert coordinator.get(PORTFOLIO).status_code == 200
    # Another organization's director sees their own, never A's.
    other = client_of(factories.member(org_b, Role.DIRECTOR)).get(PORTFOLIO)
    assert "Ministère (test)" not in other.content.decode()
    intake_b = client_of(factories.member(org_b, Role.INTAKE_WORKER))
    assert intake_b.get(PORTFOLIO, {"organization": org_a.pk}).status_code in (403, 404)
