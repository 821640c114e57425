"""The two annual reports of an organization: the activity report for its general assembly and
the plain-language report for its members and the people it serves.

Both are computed afresh from the organization's own rows for a year — a calendar year or a
fiscal year (April to March) — and the year before it. Every count of people, of services given
to them, of referrals and of participations leaves through `core.privacy.suppress` (lone figures
as 1×1 tables): a hidden count is `None` here, "x" or "fewer than 5" on the pages. Two things
are not counts of people and are shown as they are: the number of group sessions held and money.

Rows are read through `core.tenancy.scoped(…, VIEW_REPORTS)` and then narrowed to the one
organization the view resolved, so a user never counts another organization's clients.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ancrage.activities.models import ActivityType, Session
from ancrage.clients.models import (
    AgeBand,
    Client,
    Gender,
    NeedsAssessment,
    Referral,
    ReferralState,
    ServiceRecord,
    ServiceType,
)
from ancrage.core import tenancy
from ancrage.core.models import Borough, ImmigrationStatus, Language
from ancrage.core.privacy import DEFAULT_THRESHOLD, suppress
from ancrage.core.translated import base_language
from ancrage.directory.models import TaxonomyTerm
from ancrage.funding.models import AgreementAmount
from ancrage.network.models import Organization
from ancrage.surveys.results import annual_highlights

CALENDAR = "calendar"
FISCAL = "fiscal"
BASES = [
    (CALENDAR, gettext_lazy("Calendar year (January to December)")),
    (FISCAL, gettext_lazy("Fiscal year (April to March)")),
]
FISCAL_FIRST_MONTH = 4
# No organization recorded anything in Ancrage before this year.
FIRST_YEAR = 2000
TOP_NEEDS = 5
UNKNOWN = "unknown"
# The one column of a list of counts.
N = "n"


# --- The year of a report ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportPeriod:
    """A calendar year, or the fiscal year that starts on 1 April of `year`."""

    basis: str
    year: int

    @property
    def start(self) -> date:
        return date(self.year, FISCAL_FIRST_MONTH if self.basis == FISCAL else 1, 1)

    @property
    def end(self) -> date:
        """The last day, included."""
        if self.basis == FISCAL:
            return date(self.year + 1, FISCAL_FIRST_MONTH, 1) - timedelta(days=1)
        return date(self.year, 12, 31)

    @property
    def label(self) -> str:
        return f"{self.year}–{self.year + 1}" if self.basis == FISCAL else str(self.year)

    def previous(self) -> "ReportPeriod":
        return ReportPeriod(self.basis, self.year - 1)

    def in_progress(self, today: date | None = None) -> bool:
        return (today or timezone.localdate()) <= self.end

    def aware_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes in the project's time zone."""
        start = timezone.make_aware(datetime.combine(self.start, time.min))
        end = timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))
        return start, end


def latest_year(basis: str, today: date | None = None) -> int:
    """The year of the period in progress today (the last one a user may choose)."""
    today = today or timezone.localdate()
    if basis == FISCAL and today.month < FISCAL_FIRST_MONTH:
        return today.year - 1
    return today.year


def default_period(basis: str = FISCAL, today: date | None = None) -> ReportPeriod:
    """The last complete year: what a general assembly looks back on."""
    return ReportPeriod(basis, latest_year(basis, today) - 1)


def year_choices(basis: str, today: date | None = None) -> list[int]:
    """Years offered in the form, newest first (the one in progress included)."""
    return list(range(latest_year(basis, today), FIRST_YEAR - 1, -1))


# --- Suppressed counts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    count: int | None  # None: hidden


@dataclass(frozen=True)
class CountTable:
    """A list of counts that went through `suppress`; `total` is published only with margins."""

    rows: tuple[CountRow, ...]
    total: int | None = None
    has_total: bool = False
    log: tuple[dict, ...] = ()

    @property
    def any_hidden(self) -> bool:
        return any(row.count is None for row in self.rows) or (
            self.has_total and self.total is None
        )

    def count(self, key: str) -> int | None:
        return next((row.count for row in self.rows if row.key == key), None)

    def __bool__(self) -> bool:
        return bool(self.rows)


def count_table(
    counts: Mapping[str, int],
    labels: Sequence[tuple[str, str]],
    *,
    threshold: int,
    margins: bool = True,
) -> CountTable:
    """One column of counts through `suppress`. Rows are the labelled keys with a count;
    `margins` publishes the total (leave it off when one person may be in several rows)."""
    shown = [(key, label) for key, label in labels if counts.get(key, 0) > 0]
    if not shown:
        return CountTable(
            rows=(), total=lone(0, threshold=threshold) if margins else None, has_total=margins
        )
    keys = [key for key, _label in shown]
    table = suppress(
        {(key, N): int(counts[key]) for key in keys},
        rows=keys,
        columns=[N],
        threshold=threshold,
        margins=margins,
    )
    return CountTable(
        rows=tuple(CountRow(key, str(label), table.cell(key, N)) for key, label in shown),
        total=table.column_total(N) if margins else None,
        has_total=margins,
        log=tuple(table.log),
    )


def lone(value: int, *, threshold: int) -> int | None:
    """A figure on its own: a 1×1 table."""
    return suppress(
        {("all", N): int(value)}, rows=["all"], columns=[N], threshold=threshold, margins=False
    ).cell("all", N)


# --- Rows of the organization, read through the tenancy layer -----------------------------------


def _services(user: Any, organization: Organization) -> QuerySet[ServiceRecord]:
    return (
        tenancy.scoped(ServiceRecord, user, tenancy.VIEW_REPORTS)
        .filter(client__organization=organization)
        .order_by()
    )


def _served_in(user: Any, organization: Organization, period: ReportPeriod):
    return _services(user, organization).filter(
        served_on__gte=period.start, served_on__lte=period.end
    )


def _clients_served(
    user: Any, organization: Organization, period: ReportPeriod
) -> QuerySet[Client]:
    served = _served_in(user, organization, period).values("client_id")
    return (
        tenancy.scoped(Client, user, tenancy.VIEW_REPORTS)
        .filter(organization=organization, pk__in=served)
        .order_by()
    )


def _held_sessions(
    user: Any, organization: Organization, period: ReportPeriod
) -> QuerySet[Session]:
    """Sessions held in the year: not cancelled, already started."""
    start, end = period.aware_bounds()
    return (
        tenancy.scoped(Session, user, tenancy.VIEW_REPORTS)
        .filter(
            activity__organization=organization,
            status=Session.Status.SCHEDULED,
            starts_at__gte=start,
            starts_at__lt=min(end, timezone.now()),
        )
        .order_by()
    )


def _referrals(user: Any, organization: Organization, period: ReportPeriod, *, made: bool):
    start, end = period.aware_bounds()
    if made:
        rows = tenancy.scoped(Referral, user, tenancy.VIEW_REPORTS).filter(
            from_organization=organization
        )
    else:
        # The receiver reads a referral as one of its readers (VIEW only); the view has
        # checked VIEW_REPORTS on the organization itself.
        rows = tenancy.scoped(Referral, user, tenancy.VIEW).filter(to_organization=organization)
    return rows.filter(sent_at__gte=start, sent_at__lt=end).order_by()


# --- People served: new and returning, profile ---------------------------------------------------


@dataclass(frozen=True)
class _Person:
    status_id: int | None
    age_band: str
    gender: str
    borough_id: int | None
    arrived_on: date | None
    first_served_in_period: date
    served_before: bool


def _people(user: Any, organization: Organization, period: ReportPeriod) -> dict[int, _Person]:
    """Everyone served in the year, once, with what the profile tables need."""
    firsts = (
        _services(user, organization)
        .filter(served_on__lte=period.end)
        .values("client_id")
        .annotate(
            first_ever=Min("served_on"),
            first_in=Min("served_on", filter=Q(served_on__gte=period.start)),
        )
        .filter(first_in__isnull=False)
    )
    first_by_client = {row["client_id"]: row for row in firsts}
    people = {}
    rows = _clients_served(user, organization, period).values_list(
        "pk",
        "immigration_status_id",
        "age_band",
        "gender",
        "borough_id",
        "arrived_quebec_on",
        "arrived_canada_on",
    )
    for pk, status_id, age_band, gender, borough_id, quebec, canada in rows:
        first = first_by_client[pk]
        people[pk] = _Person(
            status_id=status_id,
            age_band=age_band,
            gender=gender,
            borough_id=borough_id,
            # As Client.arrival_date: Québec, else Canada.
            arrived_on=quebec or canada,
            first_served_in_period=first["first_in"],
            served_before=first["first_ever"] < period.start,
        )
    return people


ARRIVAL_BANDS = [
    ("0-1", gettext_lazy("Less than 1 year")),
    ("1-2", gettext_lazy("1 to 2 years")),
    ("2-5", gettext_lazy("2 to 5 years")),
    ("5+", gettext_lazy("More than 5 years")),
    (UNKNOWN, gettext_lazy("Not known")),
]


def _years_between(earlier: date, later: date) -> int:
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


def arrival_band(arrived_on: date | None, on: date) -> str:
    """Time since arrival in Québec on the day of the person's first service in the year."""
    if arrived_on is None or arrived_on > on:
        return UNKNOWN
    years = _years_between(arrived_on, on)
    if years < 1:
        return "0-1"
    if years < 2:
        return "1-2"
    # A newcomer has arrived five years ago or less (clients.models.NEWCOMER_YEARS).
    if years < 5 or (years == 5 and arrived_on.replace(year=arrived_on.year + 5) == on):
        return "2-5"
    return "5+"


def _reference_labels(model: Any, ids: Iterable[int]) -> list[tuple[str, str]]:
    return [(str(item.pk), item.name) for item in model.objects.filter(pk__in=set(ids))]


def _with_unknown(labels: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [*labels, (UNKNOWN, _("Not known"))]


@dataclass(frozen=True)
class ProfileTable:
    key: str
    title: str
    table: CountTable
    note: str = ""


def _profile(
    user: Any,
    organization: Organization,
    period: ReportPeriod,
    people: Mapping[int, _Person],
    threshold: int,
) -> list[ProfileTable]:
    everyone = list(people.values())

    def counted(values: Iterable[Any]) -> Counter:
        return Counter(UNKNOWN if value in (None, "") else str(value) for value in values)

    statuses = counted(p.status_id for p in everyone)
    status_labels = sorted(
        _reference_labels(ImmigrationStatus, (int(k) for k in statuses if k != UNKNOWN)),
        key=lambda pair: pair[1],
    )
    boroughs = counted(p.borough_id for p in everyone)
    borough_labels = sorted(
        _reference_labels(Borough, (int(k) for k in boroughs if k != UNKNOWN)),
        key=lambda pair: pair[1],
    )
    arrivals = Counter(arrival_band(p.arrived_on, p.first_served_in_period) for p in everyone)
    languages = Counter(
        str(language_id)
        for language_id in Client.languages.through.objects.filter(
            client__in=_clients_served(user, organization, period)
        ).values_list("language_id", flat=True)
    )
    language_labels = sorted(
        _reference_labels(Language, (int(k) for k in languages)),
        key=lambda pair: (-languages[pair[0]], pair[1]),
    )
    return [
        ProfileTable(
            "status",
            _("Immigration status"),
            count_table(statuses, _with_unknown(status_labels), threshold=threshold),
        ),
        ProfileTable(
            "age",
            _("Age"),
            count_table(
                counted(p.age_band for p in everyone),
                _with_unknown([(k, str(v)) for k, v in AgeBand.choices]),
                threshold=threshold,
            ),
        ),
        ProfileTable(
            "gender",
            _("Gender"),
            count_table(
                counted(p.gender for p in everyone),
                _with_unknown([(k, str(v)) for k, v in Gender.choices]),
                threshold=threshold,
            ),
        ),
        ProfileTable(
            "borough",
            _("Borough where they live"),
            count_table(boroughs, _with_unknown(borough_labels), threshold=threshold),
        ),
        ProfileTable(
            "arrival",
            _("Time since arrival in Québec"),
            count_table(arrivals, [(k, str(v)) for k, v in ARRIVAL_BANDS], threshold=threshold),
            _("On the day of the person's first service of the year."),
        ),
        ProfileTable(
            "languages",
            _("Languages spoken"),
            count_table(languages, language_labels, threshold=threshold, margins=False),
            _("A person may speak several languages: there is no total."),
        ),
    ]


# --- Services, group activities, referrals, needs, funding ---------------------------------------


@dataclass(frozen=True)
class ServiceRow:
    label: str
    services: int | None
    people: int | None
    hours: Decimal | None


def _hours(minutes: int | None) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _services_by_type(
    user: Any, organization: Organization, period: ReportPeriod, threshold: int
) -> tuple[list[ServiceRow], CountTable]:
    rows = list(
        _served_in(user, organization, period)
        .values("service_type_id")
        .annotate(
            services=Count("pk"), people=Count("client_id", distinct=True), minutes=Sum("minutes")
        )
    )
    names = {
        t.pk: t.name
        for t in ServiceType.objects.filter(pk__in=[r["service_type_id"] for r in rows])
    }
    labels = sorted(
        ((str(r["service_type_id"]), names[r["service_type_id"]]) for r in rows),
        key=lambda pair: pair[1],
    )
    by_key = {str(r["service_type_id"]): r for r in rows}
    services = count_table(
        {k: r["services"] for k, r in by_key.items()}, labels, threshold=threshold
    )
    # One person may receive several kinds of service: no total of people by type.
    people = count_table(
        {k: r["people"] for k, r in by_key.items()}, labels, threshold=threshold, margins=False
    )
    result = []
    for key, label in labels:
        given, served = services.count(key), people.count(key)
        hours = _hours(by_key[key]["minutes"]) if given is not None and served is not None else None
        result.append(ServiceRow(label, given, served, hours))
    return result, services


@dataclass(frozen=True)
class GroupRow:
    label: str
    sessions: int
    participants: int | None
    newcomers: int | None
    women: int | None
    children: int | None


GROUP_COUNTS = ("participants", "newcomers", "women", "children")


@dataclass(frozen=True)
class GroupActivities:
    rows: tuple[GroupRow, ...]
    sessions: int
    totals: dict[str, int | None]

    @property
    def participants(self) -> int | None:
        return self.totals.get("participants")


def _group_activities(
    user: Any, organization: Organization, period: ReportPeriod, threshold: int
) -> GroupActivities:
    rows = list(
        _held_sessions(user, organization, period)
        .values("activity__activity_type_id")
        .annotate(
            sessions=Count("pk"),
            participants=Sum("attendance__total"),
            newcomers=Sum("attendance__newcomers"),
            women=Sum("attendance__women"),
            children=Sum("attendance__children"),
        )
    )
    types = {t.pk: t.name for t in ActivityType.objects.all()}
    labels = sorted(
        (
            (str(r["activity__activity_type_id"]), types[r["activity__activity_type_id"]])
            for r in rows
        ),
        key=lambda pair: pair[1],
    )
    by_key = {str(r["activity__activity_type_id"]): r for r in rows}
    tables = {
        name: count_table({k: r[name] or 0 for k, r in by_key.items()}, labels, threshold=threshold)
        for name in GROUP_COUNTS
    }
    # A type whose head counts are all zero (attendance not recorded) still held its sessions.
    group_rows = tuple(
        GroupRow(
            label,
            by_key[key]["sessions"],
            *(
                tables[name].count(key) if (by_key[key][name] or 0) > 0 else 0
                for name in GROUP_COUNTS
            ),
        )
        for key, label in labels
    )
    return GroupActivities(
        rows=group_rows,
        sessions=sum(r["sessions"] for r in rows),
        totals={name: tables[name].total for name in GROUP_COUNTS},
    )


def _referral_table(
    user: Any, organization: Organization, period: ReportPeriod, threshold: int, *, made: bool
) -> CountTable:
    counts = dict(
        _referrals(user, organization, period, made=made)
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    return count_table(counts, [(k, str(v)) for k, v in ReferralState.choices], threshold=threshold)


def _needs(
    user: Any, organization: Organization, period: ReportPeriod, threshold: int
) -> CountTable:
    """The needs assessed for the most people in the year (each person once per need)."""
    assessments = tenancy.scoped(NeedsAssessment, user, tenancy.VIEW_REPORTS).filter(
        client__organization=organization,
        assessed_on__gte=period.start,
        assessed_on__lte=period.end,
    )
    rows = (
        NeedsAssessment.needs.through.objects.filter(needsassessment__in=assessments)
        .values("taxonomyterm_id")
        .annotate(people=Count("needsassessment__client_id", distinct=True))
        .order_by("-people", "taxonomyterm_id")[:TOP_NEEDS]
    )
    counts = {str(r["taxonomyterm_id"]): r["people"] for r in rows}
    terms = {str(t.pk): t.name for t in TaxonomyTerm.objects.filter(pk__in=list(counts))}
    labels = [(key, terms[key]) for key in counts]
    return count_table(counts, labels, threshold=threshold, margins=False)


@dataclass(frozen=True)
class FunderRow:
    funder: str
    programs: str
    amount: Decimal

    @property
    def amount_text(self) -> str:
        return money(self.amount)


def _funding(
    user: Any, organization: Organization, period: ReportPeriod
) -> tuple[list[FunderRow], Decimal]:
    """What the organization's agreements pay for the year, by funder. An amount whose period
    crosses the year's limits counts for its days within the year."""
    amounts = (
        tenancy.scoped(AgreementAmount, user, tenancy.VIEW_REPORTS)
        .filter(
            agreement__organization=organization,
            period_start__lte=period.end,
            period_end__gte=period.start,
        )
        .select_related("agreement__program__funder")
        .order_by("period_start", "pk")
    )
    by_funder: dict[int, dict[str, Any]] = {}
    for row in amounts:
        days = (row.period_end - row.period_start).days + 1
        inside = (min(row.period_end, period.end) - max(row.period_start, period.start)).days + 1
        share = (row.amount * inside / days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        program = row.agreement.program
        entry = by_funder.setdefault(
            program.funder_id, {"name": program.funder.name, "programs": [], "amount": Decimal(0)}
        )
        entry["amount"] += share
        if program.name not in entry["programs"]:
            entry["programs"].append(program.name)
    rows = sorted(
        (FunderRow(e["name"], ", ".join(e["programs"]), e["amount"]) for e in by_funder.values()),
        key=lambda r: (-r.amount, r.funder),
    )
    return rows, sum((r.amount for r in rows), Decimal(0))


# --- What people said (surveys) ------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyHighlight:
    question: str
    answer: str
    respondents: int | None  # through suppress


def what_people_said(
    *, user: Any, organization: Organization, period: ReportPeriod, threshold: int
) -> list[SurveyHighlight]:
    """The year's survey results and public "you said, we did" actions, in plain words
    (`surveys.results.annual_highlights`), each number of respondents suppressed like every
    other count. Empty when the organization ran no survey that year."""
    found = annual_highlights(
        user=user,
        organization=organization,
        start=period.start,
        end=period.end,
        threshold=threshold,
    )
    return [
        SurveyHighlight(str(question), str(answer), lone(respondents, threshold=threshold))
        for question, answer, respondents in found
    ]


# --- Comparison with the year before -------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """The raw figures of one year that the comparison looks at."""

    people: int
    new_people: int
    services: int
    hours: Decimal
    sessions: int
    participations: int
    referrals_made: int
    referrals_received: int
    funding: Decimal


def _headline(
    user: Any,
    organization: Organization,
    period: ReportPeriod,
    people: Mapping[int, _Person] | None = None,
    funding: Decimal | None = None,
) -> Headline:
    if people is None:
        people = _people(user, organization, period)
    if funding is None:
        funding = _funding(user, organization, period)[1]
    services = _served_in(user, organization, period).aggregate(
        n=Count("pk"), minutes=Sum("minutes")
    )
    sessions = _held_sessions(user, organization, period).aggregate(
        n=Count("pk"), participations=Sum("attendance__total")
    )
    return Headline(
        people=len(people),
        new_people=sum(1 for p in people.values() if not p.served_before),
        services=services["n"],
        hours=_hours(services["minutes"]),
        sessions=sessions["n"],
        participations=sessions["participations"] or 0,
        referrals_made=_referrals(user, organization, period, made=True).count(),
        referrals_received=_referrals(user, organization, period, made=False).count(),
        funding=funding,
    )


def money(amount: Decimal | None) -> str:
    """$ amounts as Québec writes them: "1 234,50 $" in French, "$1,234.50" in English."""
    if amount is None:
        return ""
    text = number_format(amount, 2, force_grouping=True)
    return f"{text}\u00a0$" if base_language(get_language()) == "fr" else f"${text}"


def _number(value: int | Decimal) -> str:
    places = 1 if isinstance(value, Decimal) and value != value.to_integral() else 0
    return number_format(value, places, force_grouping=True)


def percent(value: int) -> str:
    sign = "+" if value > 0 else "−" if value < 0 else ""
    space = "\u00a0" if base_language(get_language()) == "fr" else ""
    return f"{sign}{abs(value)}{space}%"


@dataclass(frozen=True)
class Change:
    """One figure this year and the year before, and what changed in words."""

    key: str
    label: str | Promise  # lazy: the words are said in the reader's language
    now: int | Decimal | None  # None: hidden
    before: int | Decimal | None
    is_money: bool = False
    previous_label: str = ""

    @property
    def comparable(self) -> bool:
        return self.now is not None and self.before is not None

    @property
    def difference(self) -> int | Decimal | None:
        return self.now - self.before if self.comparable else None  # type: ignore[operator]

    @property
    def percent(self) -> int | None:
        if not self.comparable or not self.before:
            return None
        return int(
            (Decimal(self.now - self.before) * 100 / Decimal(self.before)).quantize(  # type: ignore[operator]
                Decimal(1), rounding=ROUND_HALF_UP
            )
        )

    @property
    def direction(self) -> str:
        """ "up", "down", "same", or "" when the two years cannot be compared."""
        difference = self.difference
        if difference is None:
            return ""
        return "up" if difference > 0 else "down" if difference < 0 else "same"

    @property
    def size(self) -> int | None:
        """How much it changed, as a whole number (for sentences)."""
        difference = self.difference
        return None if difference is None else int(abs(difference))

    @property
    def shown_now(self) -> str:
        return self.shown(self.now)

    @property
    def shown_before(self) -> str:
        return self.shown(self.before)

    def shown(self, value: int | Decimal | None) -> str:
        if value is None:
            return "x"
        return money(Decimal(value)) if self.is_money else _number(value)

    @property
    def change_text(self) -> str:
        difference = self.difference
        if difference is None:
            return ""
        sign = "+" if difference > 0 else "−" if difference < 0 else ""
        text = f"{sign}{self.shown(abs(difference))}"
        if self.percent is not None and difference:
            text += f" ({percent(self.percent)})"
        return text

    @property
    def words(self) -> str:
        values = {
            "measure": self.label,
            "now": self.shown(self.now),
            "before": self.shown(self.before),
            "year": self.previous_label,
        }
        if not self.comparable:
            return (
                _(
                    "%(measure)s: cannot be compared with %(year)s, a number is too small to be shown."
                )
                % values
            )
        if self.difference == 0:
            return _("%(measure)s: %(now)s, the same as in %(year)s.") % values
        # The change in percent, or in units when there is nothing to divide by.
        values["change"] = percent(self.percent) if self.percent is not None else self.change_text
        if self.difference > 0:  # type: ignore[operator]
            return _("%(measure)s: %(now)s, up from %(before)s in %(year)s (%(change)s).") % values
        return _("%(measure)s: %(now)s, down from %(before)s in %(year)s (%(change)s).") % values


COMPARED: list[tuple[str, Promise, str]] = [
    # (key, label, kind): "count" goes through suppress, "plain" is not a count of people.
    ("people", gettext_lazy("People served"), "count"),
    ("new_people", gettext_lazy("People served for the first time"), "count"),
    ("services", gettext_lazy("Services given"), "count"),
    ("hours", gettext_lazy("Hours of service"), "hours"),
    ("sessions", gettext_lazy("Group sessions held"), "plain"),
    ("participations", gettext_lazy("Participations in group sessions"), "count"),
    ("referrals_made", gettext_lazy("Referrals made"), "count"),
    ("referrals_received", gettext_lazy("Referrals received"), "count"),
    ("funding", gettext_lazy("Funding received"), "money"),
]


def _compare(
    now: Headline, before: Headline, previous: ReportPeriod, threshold: int
) -> list[Change]:
    changes = []
    for key, label, kind in COMPARED:
        values = [getattr(now, key), getattr(before, key)]
        if kind == "count":
            values = [lone(v, threshold=threshold) for v in values]
        elif kind == "hours":
            # Hours are shown only beside a visible number of services.
            values = [
                v if lone(h.services, threshold=threshold) is not None else None
                for v, h in zip(values, (now, before), strict=True)
            ]
        changes.append(Change(key, label, values[0], values[1], kind == "money", previous.label))
    return changes


# --- The reports ---------------------------------------------------------------------------------


@dataclass
class AnnualReport:
    organization: Organization
    period: ReportPeriod
    threshold: int
    people: CountTable  # new and returning; its total is the number of people served
    profile: list[ProfileTable]
    services: list[ServiceRow]
    services_total: int | None
    hours: Decimal | None
    groups: GroupActivities
    referrals_made: CountTable
    referrals_received: CountTable
    needs: CountTable
    funding: list[FunderRow]
    funding_total: Decimal
    changes: list[Change]
    survey: list[SurveyHighlight] = field(default_factory=list)

    @property
    def previous(self) -> ReportPeriod:
        return self.period.previous()

    @property
    def people_served(self) -> int | None:
        return self.people.total

    @property
    def new_people(self) -> int | None:
        return self.people.count("new")

    @property
    def any_hidden(self) -> bool:
        tables = [
            self.people,
            self.referrals_made,
            self.referrals_received,
            self.needs,
            *(p.table for p in self.profile),
        ]
        return (
            any(t.any_hidden for t in tables)
            or any(None in (r.services, r.people) for r in self.services)
            or any(
                None in (r.participants, r.newcomers, r.women, r.children) for r in self.groups.rows
            )
            or any(c.now is None or c.before is None for c in self.changes)
        )

    @property
    def whole_hours(self) -> int | None:
        return None if self.hours is None else int(self.hours.to_integral_value(ROUND_HALF_UP))

    @property
    def funding_total_text(self) -> str:
        return money(self.funding_total)

    def change(self, key: str) -> Change:
        return next(c for c in self.changes if c.key == key)

    def arrived_recently(self) -> dict[str, int | None]:
        """People whose time since arrival is known, and those who had arrived less than 2 and
        5 years before (sums of visible cells only: None when a part is hidden)."""
        arrival = next(p.table for p in self.profile if p.key == "arrival")

        def visible_sum(keys: Sequence[str]) -> int | None:
            counts = [arrival.count(k) for k in keys if any(r.key == k for r in arrival.rows)]
            return None if None in counts else sum(counts)  # type: ignore[arg-type]

        return {
            "known": visible_sum(["0-1", "1-2", "2-5", "5+"]),
            "under_2": visible_sum(["0-1", "1-2"]),
            "under_5": visible_sum(["0-1", "1-2", "2-5"]),
        }

    def recent_arrivals_phrase(self) -> str:
        """ "most" when most people of known arrival had arrived less than 2 (or 5) years before."""
        recent = self.arrived_recently()
        known = recent["known"]
        if not known:
            return ""
        if recent["under_2"] is not None and recent["under_2"] * 2 > known:
            return "under_2"
        if recent["under_5"] is not None and recent["under_5"] * 2 > known:
            return "under_5"
        return ""


def annual_report(
    *,
    user: Any,
    organization: Organization,
    period: ReportPeriod,
    threshold: int = DEFAULT_THRESHOLD,
) -> AnnualReport:
    """Both reports' figures for one organization and one year, with the year before."""
    people = _people(user, organization, period)
    returning = sum(1 for p in people.values() if p.served_before)
    services, services_table = _services_by_type(user, organization, period, threshold)
    funding, funding_total = _funding(user, organization, period)
    now = _headline(user, organization, period, people, funding_total)
    before = _headline(user, organization, period.previous())
    services_total = services_table.total
    return AnnualReport(
        organization=organization,
        period=period,
        threshold=threshold,
        people=count_table(
            {"new": len(people) - returning, "returning": returning},
            [
                ("new", _("New: first service ever in this year")),
                ("returning", _("Returning: served in an earlier year too")),
            ],
            threshold=threshold,
        ),
        profile=_profile(user, organization, period, people, threshold),
        services=services,
        services_total=services_total,
        hours=now.hours if services_total is not None else None,
        groups=_group_activities(user, organization, period, threshold),
        referrals_made=_referral_table(user, organization, period, threshold, made=True),
        referrals_received=_referral_table(user, organization, period, threshold, made=False),
        needs=_needs(user, organization, period, threshold),
        funding=funding,
        funding_total=funding_total,
        changes=_compare(now, before, period.previous(), threshold),
        survey=what_people_said(
            user=user, organization=organization, period=period, threshold=threshold
        ),
    )


# --- Languages of the plain-language report ------------------------------------------------------

ALWAYS_OFFERED = ("fr-ca", "en")


def public_languages() -> dict[str, str]:
    """Code → name in the language itself, in the project's order."""
    return dict(settings.LANGUAGES)


def suggested_languages(
    *,
    user: Any,
    organization: Organization,
    period: ReportPeriod,
    threshold: int = DEFAULT_THRESHOLD,
) -> list[str]:
    """French, English, and the public languages spoken by at least `threshold` people served in
    the year: what the report offers until staff choose otherwise."""
    spoken = dict(
        Client.languages.through.objects.filter(
            client__in=_clients_served(user, organization, period)
        )
        .values_list("language__code")
        .annotate(n=Count("client_id"))
    )
    return [
        code
        for code in public_languages()
        if code in ALWAYS_OFFERED or spoken.get(base_language(code), 0) >= threshold
    ]


def chosen_languages(codes: Iterable[str]) -> list[str]:
    """The public languages among `codes` (unknown ones dropped), French and English always."""
    wanted = set(codes) | set(ALWAYS_OFFERED)
    return [code for code in public_languages() if code in wanted]
