"""Reads of funding: which programs cover a person on a day, the catalogue of rules; an
organization's agreements and funding portfolio (revenue by funder and kind over fiscal years,
renewal calendar); what a funder's advisor sees.

Programs and their rules are not secret: every organization of the network reads them to know
whom it may count. Changing them is scoped (see `core.tenancy.MANAGE_FUNDING`). Agreements belong
to the organization that holds them (`VIEW_PORTFOLIO`); a funder's advisor reads those under their
funder's programs only (`ADVISE`).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from ancrage.core import tenancy
from ancrage.funding.eligibility import (
    EligibilityResult,
    PersonFacts,
    Vocabulary,
    evaluate,
    facts_check,
)
from ancrage.funding.models import (
    AdvisorVisit,
    Agreement,
    AgreementAmount,
    AgreementTarget,
    EligibilityRule,
    FollowedOrganization,
    FundingKind,
    FundingProgram,
)
from ancrage.network.models import Organization


def _active_programs_on(on: date) -> QuerySet[FundingProgram]:
    in_force = EligibilityRule.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on
    )
    return (
        FundingProgram.objects.filter(
            Exists(in_force.filter(program=OuterRef("pk"))), is_active=True
        )
        .select_related("funder")
        .prefetch_related(Prefetch("rules", queryset=in_force))
        .order_by("code")
    )


def eligibility_for(
    facts: PersonFacts, on: date, *, programs: QuerySet[FundingProgram] | None = None
) -> list[EligibilityResult]:
    """The verdict of every active program with a rule in force on `on` (eligible or not, with
    reasons), by code.

    Raises ValidationError for impossible facts, before evaluating anything.
    """
    reference = Vocabulary.load()
    facts_check(facts, on=on, reference=reference)
    if programs is None:
        programs = _active_programs_on(on)
    return [evaluate(program, facts, on, reference=reference) for program in programs]


def programs_for(facts: PersonFacts, on: date) -> list[FundingProgram]:
    """The programs that cover this person on that day (empty: serve them unfunded, or under
    another source; `eligibility_for` says why each program does not)."""
    return [result.program for result in eligibility_for(facts, on) if result.eligible]


def program_catalogue() -> QuerySet[FundingProgram]:
    """Every program with its funder and all its rule versions, newest version first."""
    return (
        FundingProgram.objects.select_related("funder")
        .prefetch_related(
            Prefetch(
                "rules",
                queryset=EligibilityRule.objects.select_related("created_by").order_by(
                    "-valid_from"
                ),
            )
        )
        .order_by("-is_active", "code")
    )


def manageable_programs(user: Any) -> QuerySet[FundingProgram]:
    """Programs whose rules `user` may change."""
    return tenancy.scoped(FundingProgram, user, tenancy.MANAGE_FUNDING).order_by("code")


def possible_funders(user: Any) -> QuerySet[Organization]:
    """Organizations for which `user` may create programs."""
    return tenancy.scoped(Organization, user, tenancy.MANAGE_FUNDING).order_by("name")


# --- An organization's agreements ---------------------------------------------------------------


def agreements_of(user: Any, organization: Organization) -> QuerySet[Agreement]:
    """The organization's agreements that `user` may read, newest first, with what they pay."""
    return (
        tenancy.scoped(Agreement, user, tenancy.VIEW_PORTFOLIO)
        .filter(organization=organization)
        .select_related("program", "program__funder")
        .prefetch_related(
            Prefetch("amounts", queryset=AgreementAmount.objects.order_by("period_start")),
            Prefetch(
                "targets", queryset=AgreementTarget.objects.order_by("period_start", "metric")
            ),
        )
        .order_by("-ends_on", "program__code")
    )


def programs_for_agreements() -> QuerySet[FundingProgram]:
    """Programs an agreement may be entered under: every one, active first.

    Inactive programs (the legacy PRINT) stay offered for the record of past agreements; the
    service refuses a current agreement under them."""
    return FundingProgram.objects.select_related("funder").order_by(
        "-is_active", "funder__name", "code"
    )


def charged_programs(organization: Organization) -> QuerySet[FundingProgram]:
    """Programs an activity of the organization may be charged to: those it holds an agreement
    under."""
    return (
        FundingProgram.objects.filter(
            Exists(Agreement.objects.filter(organization=organization, program=OuterRef("pk")))
        )
        .select_related("funder")
        .order_by("code")
    )


# --- Fiscal years (April to March, as Québec's and the funders') --------------------------------

FISCAL_START_MONTH = 4
YEARS_SHOWN = 5


@dataclass(frozen=True)
class FiscalYear:
    start_year: int

    @property
    def first(self) -> date:
        return date(self.start_year, FISCAL_START_MONTH, 1)

    @property
    def last(self) -> date:
        return date(self.start_year + 1, FISCAL_START_MONTH, 1) - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}"

    def quarters(self) -> list[tuple[date, date]]:
        bounds = [self.first]
        for month in (7, 10):
            bounds.append(date(self.start_year, month, 1))
        bounds += [date(self.start_year + 1, 1, 1), date(self.start_year + 1, 4, 1)]
        return [(bounds[i], bounds[i + 1] - timedelta(days=1)) for i in range(4)]


def fiscal_year_of(day: date) -> FiscalYear:
    return FiscalYear(day.year if day.month >= FISCAL_START_MONTH else day.year - 1)


def split_by_fiscal_year(start: date, end: date, amount: Decimal) -> dict[int, Decimal]:
    """The amount of a period spread over the fiscal years it covers, in proportion of days (to
    the cent; the last year takes the rounding so the parts add up to the amount)."""
    days = (end - start).days + 1
    parts: dict[int, Decimal] = {}
    year = fiscal_year_of(start)
    left = amount
    while year.first <= end:
        first, last = max(start, year.first), min(end, year.last)
        if last >= end:
            parts[year.start_year] = left
            break
        share = (amount * ((last - first).days + 1) / days).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        parts[year.start_year] = share
        left -= share
        year = FiscalYear(year.start_year + 1)
    return parts


# --- The funding portfolio ----------------------------------------------------------------------

KIND_ORDER = [FundingKind.MISSION, FundingKind.SERVICE_AGREEMENT, FundingKind.PROJECT]
# Colours of the bars, one per kind, dark enough on white (WCAG AA for graphics, 3:1).
KIND_COLOURS = {
    FundingKind.MISSION: "#1b5e8c",
    FundingKind.SERVICE_AGREEMENT: "#b35900",
    FundingKind.PROJECT: "#2e7d32",
}
RENEWAL_FLAGS = (30, 90, 180)
BAR_WIDTH = 560


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole`, one decimal (None when there is no whole)."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class PortfolioRow:
    label: str
    values: list[Decimal]
    shares: list[Decimal | None] = field(default_factory=list)
    colour: str = ""

    @property
    def pairs(self) -> list[tuple[Decimal, Decimal | None]]:
        return list(zip(self.values, self.shares, strict=False))


@dataclass
class Renewal:
    agreement: Agreement
    renewal_date: date
    days_left: int
    flag: int | None  # 30, 90 or 180: the nearest step reached; None: further off
    passed: bool
    last_alert: Any = None


@dataclass
class Portfolio:
    organization: Organization
    years: list[FiscalYear]
    current: FiscalYear
    by_funder: list[PortfolioRow]
    by_kind: list[PortfolioRow]
    totals: list[Decimal]
    largest: list[tuple[str, Decimal | None]]  # per year: the largest funder and its share
    mission_share: list[Decimal | None]
    recurring: PortfolioRow
    not_recurring: PortfolioRow
    chart: dict[str, Any]
    renewals: list[Renewal]

    @property
    def is_empty(self) -> bool:
        return not self.years

    @property
    def stability(self) -> list[PortfolioRow]:
        return [self.recurring, self.not_recurring]

    @property
    def summary(self) -> list[dict[str, Any]]:
        """One line per fiscal year: total, largest funder and its share, mission and recurring
        shares."""
        return [
            {
                "year": year,
                "is_current": year == self.current,
                "total": self.totals[i],
                "largest": self.largest[i][0],
                "largest_share": self.largest[i][1],
                "mission_share": self.mission_share[i],
                "recurring_share": self.recurring.shares[i],
            }
            for i, year in enumerate(self.years)
        ]


def _years_shown(amount_years: set[int], today: date) -> list[FiscalYear]:
    current = fiscal_year_of(today).start_year
    shown = sorted(y for y in amount_years if current - YEARS_SHOWN + 1 <= y <= current + 1)
    if not shown:
        return []
    return [FiscalYear(y) for y in range(shown[0], shown[-1] + 1)]


def renewal_calendar(agreements: list[Agreement], today: date) -> list[Renewal]:
    """Agreements not yet ended, by renewal date, flagged at 180, 90 and 30 days."""
    calendar = []
    for agreement in agreements:
        if agreement.ends_on < today:
            continue
        renewal = agreement.renewal_date
        days_left = (renewal - today).days
        flag = next((step for step in RENEWAL_FLAGS if 0 <= days_left <= step), None)
        alerts = [a for a in agreement.alerts.all() if a.renewal_date == renewal]
        calendar.append(
            Renewal(
                agreement=agreement,
                renewal_date=renewal,
                days_left=days_left,
                flag=flag,
                passed=days_left < 0,
                last_alert=max(alerts, key=lambda a: a.sent_at) if alerts else None,
            )
        )
    return sorted(calendar, key=lambda r: (r.renewal_date, r.agreement.program.code))


BAR_LABEL = 110  # room for the fiscal year's label, left of each bar
BAR_HEIGHT = 24
BAR_STEP = 36


def _bars(years: list[FiscalYear], by_kind: list[PortfolioRow], totals: list[Decimal]) -> dict:
    """Stacked horizontal bars, one per fiscal year, a segment per kind, in SVG coordinates
    (strings, so that no locale puts a decimal comma in an attribute)."""
    top = max(totals, default=Decimal(0)) or Decimal(1)
    bars = []
    for index, year in enumerate(years):
        x = Decimal(BAR_LABEL)
        segments = []
        for row in by_kind:
            value = row.values[index]
            if not value:
                continue
            width = (value * BAR_WIDTH / top).quantize(Decimal("0.1"))
            segments.append(
                {
                    "x": f"{x:f}",
                    "width": f"{width:f}",
                    "colour": row.colour,
                    "label": row.label,
                    "value": value,
                }
            )
            x += width
        bars.append(
            {
                "year": year,
                "y": index * BAR_STEP,
                "text_y": index * BAR_STEP + 20,
                "segments": segments,
                "total": totals[index],
                "total_x": f"{x + 8:f}",
            }
        )
    return {
        "bars": bars,
        "width": BAR_LABEL + BAR_WIDTH + 140,
        "height": max(len(years), 1) * BAR_STEP,
        "bar_height": BAR_HEIGHT,
    }


def portfolio(user: Any, organization: Organization, today: date) -> Portfolio:
    """The organization's revenue by funder and by kind over fiscal years, its dependency on its
    largest funder, the share of mission funding, recurring or not, and the renewal calendar."""
    agreements = list(
        agreements_of(user, organization)
        .select_related("program__funder")
        .prefetch_related("alerts")
    )
    spread: list[tuple[Agreement, dict[int, Decimal]]] = []
    for agreement in agreements:
        parts: dict[int, Decimal] = {}
        for amount in agreement.amounts.all():
            for year, value in split_by_fiscal_year(
                amount.period_start, amount.period_end, amount.amount
            ).items():
                parts[year] = parts.get(year, Decimal(0)) + value
        spread.append((agreement, parts))
    years = _years_shown({y for _a, parts in spread for y in parts}, today)
    index = {year.start_year: i for i, year in enumerate(years)}

    def zeros() -> list[Decimal]:
        return [Decimal(0)] * len(years)

    funders: dict[int, PortfolioRow] = {}
    kinds = {
        kind: PortfolioRow(str(kind.label), zeros(), colour=KIND_COLOURS[kind])
        for kind in KIND_ORDER
    }
    recurring = PortfolioRow(_("Recurring"), zeros())
    not_recurring = PortfolioRow(_("Not recurring"), zeros())
    totals = zeros()
    for agreement, parts in spread:
        funder = agreement.program.funder
        row = funders.setdefault(funder.pk, PortfolioRow(funder.name, zeros()))
        for year, value in parts.items():
            if year not in index:
                continue
            i = index[year]
            row.values[i] += value
            kinds[FundingKind(agreement.program.kind)].values[i] += value
            (recurring if agreement.recurring else not_recurring).values[i] += value
            totals[i] += value
    for row in [*funders.values(), *kinds.values(), recurring, not_recurring]:
        row.shares = [share(value, totals[i]) for i, value in enumerate(row.values)]
    by_funder = sorted(
        (row for row in funders.values() if any(row.values)),
        key=lambda row: ([-v for v in reversed(row.values)], row.label),
    )
    largest = []
    for i in range(len(years)):
        top = max(by_funder, key=lambda row: row.values[i], default=None)
        largest.append(
            (top.label, top.shares[i]) if top is not None and top.values[i] else ("", None)
        )
    by_kind = [kinds[kind] for kind in KIND_ORDER]
    return Portfolio(
        organization=organization,
        years=years,
        current=fiscal_year_of(today),
        by_funder=by_funder,
        by_kind=by_kind,
        totals=totals,
        largest=largest,
        mission_share=kinds[FundingKind.MISSION].shares,
        recurring=recurring,
        not_recurring=not_recurring,
        chart=_bars(years, by_kind, totals),
        renewals=renewal_calendar(agreements, today),
    )


def portfolio_organizations(user: Any) -> QuerySet[Organization]:
    """Organizations whose portfolio `user` may read."""
    return tenancy.scoped(Organization, user, tenancy.VIEW_PORTFOLIO).order_by("name")


# --- What a funder's advisor sees ---------------------------------------------------------------


def advised_funders(user: Any) -> QuerySet[Organization]:
    """The funders `user` advises for (those they hold ADVISE in, with programs)."""
    return (
        tenancy.scoped(Organization, user, tenancy.ADVISE)
        .filter(Exists(FundingProgram.objects.filter(funder=OuterRef("pk"))))
        .order_by("name")
    )


def funded_organizations(user: Any) -> QuerySet[Organization]:
    """Organizations holding an agreement under a program of a funder `user` advises for."""
    funded = Agreement.objects.filter(
        organization=OuterRef("pk"), program__funder__in=advised_funders(user)
    )
    return Organization.objects.filter(Exists(funded)).order_by("name")


def funder_agreements(user: Any, organization: Organization) -> QuerySet[Agreement]:
    """The organization's agreements with the funders `user` advises for — never the others'."""
    return (
        Agreement.objects.filter(
            organization=organization, program__funder__in=advised_funders(user)
        )
        .select_related("program", "program__funder")
        .prefetch_related(
            Prefetch("amounts", queryset=AgreementAmount.objects.order_by("period_start")),
            Prefetch(
                "targets", queryset=AgreementTarget.objects.order_by("period_start", "metric")
            ),
            "alerts",
        )
        .order_by("-ends_on", "program__code")
    )


def follows_of(user: Any) -> QuerySet[FollowedOrganization]:
    """The organizations `user` follows as an advisor of their funder."""
    return (
        tenancy.scoped(FollowedOrganization, user, tenancy.ADVISE)
        .filter(advisor=user)
        .select_related("organization", "funder")
        .order_by("organization__name")
    )


def visits_to(user: Any, organization: Organization) -> QuerySet[AdvisorVisit]:
    """The visits of `user`'s funders' advisors to the organization, newest first."""
    return (
        tenancy.scoped(AdvisorVisit, user, tenancy.ADVISE)
        .filter(organization=organization)
        .select_related("advisor", "funder")
        .order_by("-visited_on", "-pk")
    )


@dataclass
class FollowedEntry:
    follow: FollowedOrganization
    renewals: list[Renewal]
    last_visit: AdvisorVisit | None
    follow_up_late: bool


def advisor_home(user: Any, today: date) -> list[FollowedEntry]:
    """Each organization the advisor follows: its current agreements with their funder (renewal
    dates flagged) and the follow-ups of the last visit (each visit restates what is still open)."""
    follows = list(follows_of(user))
    organization_ids = [f.organization_id for f in follows]
    agreements: dict[int, list[Agreement]] = {}
    for agreement in (
        Agreement.objects.filter(
            organization_id__in=organization_ids,
            program__funder__in=advised_funders(user),
            ends_on__gte=today,
        )
        .select_related("program", "program__funder")
        .prefetch_related("alerts")
    ):
        agreements.setdefault(agreement.organization_id, []).append(agreement)
    last_visits: dict[int, AdvisorVisit] = {}
    for visit in (
        tenancy.scoped(AdvisorVisit, user, tenancy.ADVISE)
        .filter(organization_id__in=organization_ids)
        .order_by("organization_id", "-visited_on", "-pk")
    ):
        last_visits.setdefault(visit.organization_id, visit)
    entries = []
    for follow in follows:
        visit = last_visits.get(follow.organization_id)
        entries.append(
            FollowedEntry(
                follow=follow,
                renewals=renewal_calendar(agreements.get(follow.organization_id, []), today),
                last_visit=visit,
                follow_up_late=bool(
                    visit and visit.follow_ups and visit.follow_up_by and visit.follow_up_by < today
                ),
            )
        )
    return entries
