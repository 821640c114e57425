"""Reads of activities that aggregate: the Liaison program dashboard.

Every figure is computed in SQL (one `aggregate` or one `values().annotate()` per table) from rows
fetched through `core.tenancy`, so a user only ever counts the sessions of organizations where they
hold `VIEW_PROGRAM` (the whole network for the city's coordinators).

What the figures count:
- a session is *held* when it is scheduled (not cancelled) and has started, within the period;
- *attendances* add up the head counts of held sessions: one person who came to ten sessions
  counts ten times; they are not distinct people;
- outreach figures are the people met off-site during the period, and how many of them came to the
  library later (they follow the period, borough and organization filters only).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ancrage.activities.models import (
    Activity,
    ActivityPartner,
    ActivityType,
    OutreachContact,
    Session,
)
from ancrage.core import tenancy
from ancrage.core.models import Borough
from ancrage.core.translated import pick
from ancrage.network.models import Organization, Site

IN = "in"
OUT = "out"
SETTINGS = [
    (IN, gettext_lazy("In the library or at the organization's site")),
    (OUT, gettext_lazy("Outside (daycare, park, school, event…)")),
]

# Held outside the library or the organization's premises: as `Activity.is_outside`.
OUTSIDE = ~Q(activity__venue_kind=Activity.VenueKind.LIBRARY) & Q(activity__site__isnull=True)

COUNT_FIELDS = (
    "newcomers",
    "immigrants",
    "others",
    "women",
    "children",
    "families",
    "library_non_users",
)


class SessionHours(Func):
    """Length of a session in hours, computed by the database's own date functions.

    Django's portable duration arithmetic calls back into Python once per row on SQLite; these
    native expressions keep a city-wide year fast on both databases.
    """

    output_field = FloatField()

    def __init__(self) -> None:
        super().__init__(F("ends_at"), F("starts_at"))

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        end, start = self.get_source_expressions()
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        params = [*end_params, *start_params]
        if connection.vendor == "sqlite":
            return f"((julianday({end_sql}) - julianday({start_sql})) * 24.0)", params
        if connection.vendor == "postgresql":
            return (
                f"(CAST(EXTRACT(EPOCH FROM ({end_sql} - {start_sql})) AS double precision) / 3600.0)",
                params,
            )
        return f"(TIMESTAMPDIFF(SECOND, {start_sql}, {end_sql}) / 3600.0)", [
            *start_params,
            *end_params,
        ]


DURATION = SessionHours()


def audience_labels() -> list[tuple[str, str]]:
    return [
        ("newcomers", _("Newcomers (5 years or less)")),
        ("immigrants", _("Immigrants (more than 5 years)")),
        ("others", _("Other participants")),
        ("women", _("Women")),
        ("children", _("Children")),
        ("families", _("Families")),
        ("library_non_users", _("Library non-users")),
    ]


@dataclass(frozen=True)
class ProgramFilters:
    """The dashboard's filters; `end` is included. Empty values mean "all"."""

    start: date
    end: date
    borough: Borough | None = None
    organization: Organization | None = None
    category: str = ""
    setting: str = ""
    activity_type: ActivityType | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "ProgramFilters":
        """The period of the same length just before this one, with the same other filters."""
        end = self.start - timedelta(days=1)
        return ProgramFilters(
            start=end - timedelta(days=self.days - 1),
            end=end,
            borough=self.borough,
            organization=self.organization,
            category=self.category,
            setting=self.setting,
            activity_type=self.activity_type,
        )


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last 12 months, today included."""
    today = today or timezone.localdate()
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + timedelta(days=1), today


def _bounds(filters: ProgramFilters) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(filters.start, time.min))
    end = timezone.make_aware(datetime.combine(filters.end + timedelta(days=1), time.min))
    return start, min(end, timezone.now())


class _TableOrder(Func):
    """The column itself; on SQLite written `+column`, which reads the table in its own order.

    Over a long period (most of the table), SQLite otherwise walks the `starts_at` index and
    fetches every row out of order: four times slower than reading the table through.
    """

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return compiler.compile(self.get_source_expressions()[0])

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"+{sql}", params


LONG_PERIOD_DAYS = 45


def held_sessions(*, user: Any, filters: ProgramFilters) -> QuerySet[Session]:
    """Sessions held in the period (scheduled, started), within the user's scope and filters."""
    start, end = _bounds(filters)
    sessions = tenancy.scoped(Session, user, tenancy.VIEW_PROGRAM).filter(
        status=Session.Status.SCHEDULED
    )
    if filters.days > LONG_PERIOD_DAYS:
        sessions = sessions.alias(
            held_at=_TableOrder(F("starts_at"), output_field=DateTimeField())
        ).filter(held_at__gte=start, held_at__lt=end)
    else:
        sessions = sessions.filter(starts_at__gte=start, starts_at__lt=end)
    if filters.borough is not None:
        sessions = sessions.filter(activity__borough=filters.borough)
    if filters.organization is not None:
        sessions = sessions.filter(activity__organization=filters.organization)
    if filters.category:
        sessions = sessions.filter(activity__category=filters.category)
    if filters.activity_type is not None:
        sessions = sessions.filter(activity__activity_type=filters.activity_type)
    if filters.setting == OUT:
        sessions = sessions.filter(OUTSIDE)
    elif filters.setting == IN:
        sessions = sessions.exclude(OUTSIDE)
    return sessions.order_by()


def outreach_contacts(*, user: Any, filters: ProgramFilters) -> QuerySet[OutreachContact]:
    contacts = tenancy.scoped(OutreachContact, user, tenancy.VIEW_PROGRAM).filter(
        met_on__gte=filters.start, met_on__lte=min(filters.end, timezone.localdate())
    )
    if filters.borough is not None:
        contacts = contacts.filter(borough=filters.borough)
    if filters.organization is not None:
        contacts = contacts.filter(organization=filters.organization)
    return contacts.order_by()


def _sums() -> dict[str, Any]:
    return {
        "sessions": Count("pk"),
        "duration": Sum(DURATION),
        "attendances": Sum("attendance__total"),
        **{name: Sum(f"attendance__{name}") for name in COUNT_FIELDS},
    }


def _hours(hours: float | None) -> float:
    return round(hours or 0.0, 1)


@dataclass
class Figures:
    """The headline numbers of one period."""

    sessions: int = 0
    hours: float = 0.0
    attendances: int = 0
    newcomers: int = 0
    immigrants: int = 0
    others: int = 0
    women: int = 0
    children: int = 0
    families: int = 0
    library_non_users: int = 0
    people_met: int = 0
    came_to_library_later: int = 0
    partners: int = 0


def program_figures(
    *, user: Any, filters: ProgramFilters, per_activity_rows: list[dict[str, Any]] | None = None
) -> Figures:
    """The period's headline numbers; from `per_activity` rows of the same period when given
    (their sums add up to the same totals: one pass over the sessions rather than two)."""
    sessions = held_sessions(user=user, filters=filters)
    if per_activity_rows is None:
        row = sessions.aggregate(**_sums())
    else:
        row = {key: sum(r[key] or 0 for r in per_activity_rows) for key in _sums()}
    outreach = outreach_contacts(user=user, filters=filters).aggregate(
        met=Sum("people_met"), later=Sum("came_to_library_later")
    )
    partners = (
        tenancy.scoped(ActivityPartner, user, tenancy.VIEW_PROGRAM)
        .filter(activity_id__in=sessions.values("activity_id"))
        .aggregate(n=Count("partner", distinct=True))["n"]
    )
    return Figures(
        sessions=row["sessions"] or 0,
        hours=_hours(row["duration"]),
        attendances=row["attendances"] or 0,
        **{name: row[name] or 0 for name in COUNT_FIELDS},
        people_met=outreach["met"] or 0,
        came_to_library_later=outreach["later"] or 0,
        partners=partners or 0,
    )


def figure_labels() -> list[tuple[str, str]]:
    return [
        ("sessions", _("Sessions held")),
        ("hours", _("Hours of activity")),
        ("attendances", _("Attendances (not distinct people)")),
        *audience_labels(),
        ("people_met", _("People met during outreach")),
        ("came_to_library_later", _("Of whom came to the library later")),
        ("partners", _("Partner organizations involved")),
    ]


@dataclass
class Comparison:
    label: str
    current: float
    previous: float

    @property
    def difference(self) -> float:
        return round(self.current - self.previous, 1)

    @property
    def percent(self) -> float | None:
        if not self.previous:
            return None
        return round(100 * (self.current - self.previous) / self.previous, 1)


@dataclass
class Breakdown:
    """One table of the dashboard: a label per row, then numbers; `chart` is the charted column."""

    key: str
    title: str
    columns: list[str]
    rows: list[tuple[str, list[float]]]
    chart: int = 2
    heading: str = ""  # what the first column names: borough, site, month…

    @property
    def chart_max(self) -> float:
        return max((values[self.chart] for _label, values in self.rows), default=0) or 1

    @property
    def chart_label(self) -> str:
        return self.columns[self.chart]

    @property
    def table(self) -> list[tuple[str, list[float], float]]:
        """Rows with the charted value apart, for templates."""
        return [(label, values, values[self.chart]) for label, values in self.rows]


@dataclass
class ProgramReport:
    filters: ProgramFilters
    figures: Figures
    previous_filters: ProgramFilters
    previous: Figures
    comparisons: list[Comparison] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)


def _columns() -> list[str]:
    return [_("Sessions held"), _("Hours"), _("Attendances"), _("Newcomers")]


def _values(row: dict[str, Any]) -> list[float]:
    return [
        row["sessions"] or 0,
        _hours(row["duration"]),
        row["attendances"] or 0,
        row["newcomers"] or 0,
    ]


GROUP_SUMS = {
    "sessions": Count("pk"),
    "duration": Sum(DURATION),
    "attendances": Sum("attendance__total"),
    "newcomers": Sum("attendance__newcomers"),
}
SETTING = Case(When(OUTSIDE, then=Value(OUT)), default=Value(IN), output_field=CharField())
DIMENSIONS = (
    "activity__borough",
    "activity__site",
    "activity__officer",
    "activity__category",
    "activity__activity_type",
    "setting",
)


def _grouped(sessions: QuerySet[Session], key: str) -> list[dict[str, Any]]:
    return list(sessions.values(key).annotate(**GROUP_SUMS).order_by(key))


def per_activity(sessions: QuerySet[Session]) -> list[dict[str, Any]]:
    """Sessions, hours, attendances and every head count per activity, with what describes the
    activity.

    One pass over the sessions in SQL; every table by borough, site, person, category, type or
    setting adds up these per-activity sums (an activity has one of each).
    """
    return list(
        sessions.annotate(setting=SETTING)
        .values("activity_id", *DIMENSIONS)
        .annotate(**_sums())
        .order_by()
    )


def _roll_up(
    rows: list[dict[str, Any]], key: str, labels: dict[Any, str], missing: str
) -> list[tuple[str, list[float]]]:
    sums: dict[Any, list[float]] = {}
    for row in rows:
        acc = sums.setdefault(row[key], [0, 0.0, 0, 0])
        acc[0] += row["sessions"] or 0
        acc[1] += row["duration"] or 0.0
        acc[2] += row["attendances"] or 0
        acc[3] += row["newcomers"] or 0
    table = [
        (
            labels.get(value, missing) if value is not None else missing,
            [acc[0], _hours(acc[1]), acc[2], acc[3]],
        )
        for value, acc in sums.items()
    ]
    # Largest first, then by name: the order a reader scans a ranking in.
    return sorted(table, key=lambda r: (-r[1][2], -r[1][0], r[0]))


def _months(filters: ProgramFilters) -> list[date]:
    months, current = [], filters.start.replace(day=1)
    while current <= filters.end:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def _by_month(
    sessions: QuerySet[Session], filters: ProgramFilters
) -> list[tuple[str, list[float]]]:
    """Month by month; the month is found by comparing with local month starts (native SQL)."""
    months = _months(filters)
    starts = [timezone.make_aware(datetime.combine(m, time.min)) for m in months[1:]]
    month = Case(
        *[When(starts_at__lt=start, then=Value(number)) for number, start in enumerate(starts)],
        default=Value(len(months) - 1),
        output_field=IntegerField(),
    )
    found = {
        row["month"]: _values(row) for row in _grouped(sessions.annotate(month=month), "month")
    }
    return [
        (date_format(day, "YEAR_MONTH_FORMAT"), found.get(number, [0, 0.0, 0, 0]))
        for number, day in enumerate(months)
    ]


def _officer_name(user: Any) -> str:
    return user.get_full_name() or user.username


def program_report(*, user: Any, filters: ProgramFilters) -> ProgramReport:
    """Everything the dashboard and its exports show, for one user and one set of filters."""
    sessions = held_sessions(user=user, filters=filters)
    rows = per_activity(sessions)
    figures = program_figures(user=user, filters=filters, per_activity_rows=rows)
    previous_filters = filters.previous()
    previous = program_figures(user=user, filters=previous_filters)
    comparisons = [
        Comparison(label, getattr(figures, name), getattr(previous, name))
        for name, label in figure_labels()
    ]

    def ids(key: str) -> set[Any]:
        return {row[key] for row in rows if row[key] is not None}

    boroughs = {b.pk: b.name for b in Borough.objects.filter(pk__in=ids("activity__borough"))}
    sites = {s.pk: s.name for s in Site.objects.filter(pk__in=ids("activity__site"))}
    officers = {
        u.pk: _officer_name(u)
        for u in get_user_model().objects.filter(pk__in=ids("activity__officer"))
    }
    types = {
        t.pk: pick(t.names) or t.code
        for t in ActivityType.objects.filter(pk__in=ids("activity__activity_type"))
    }
    categories = {k: str(v) for k, v in Activity.Category.choices}
    settings = {k: str(v) for k, v in SETTINGS}
    columns = _columns()
    unknown = _("Unknown")
    breakdowns = [
        Breakdown(
            "borough",
            _("By borough"),
            columns,
            _roll_up(rows, "activity__borough", boroughs, unknown),
        ),
        Breakdown(
            "site",
            _("By library or site"),
            columns,
            _roll_up(rows, "activity__site", sites, _("Outside the sites")),
        ),
        Breakdown(
            "officer",
            _("By person in charge"),
            columns,
            _roll_up(rows, "activity__officer", officers, _("No one named")),
        ),
        Breakdown(
            "category",
            _("By category"),
            columns,
            _roll_up(rows, "activity__category", categories, unknown),
        ),
        Breakdown(
            "type",
            _("By type of activity"),
            columns,
            _roll_up(rows, "activity__activity_type", types, unknown),
        ),
        Breakdown(
            "setting", _("By setting"), columns, _roll_up(rows, "setting", settings, unknown)
        ),
        Breakdown(
            "audience",
            _("By audience"),
            [_("Attendances"), _("Share of attendances (%)")],
            [
                (
                    label,
                    [
                        getattr(figures, name),
                        round(100 * getattr(figures, name) / figures.attendances, 1)
                        if figures.attendances
                        else 0.0,
                    ],
                )
                for name, label in audience_labels()
            ],
            chart=0,
        ),
        Breakdown("month", _("By month"), columns, _by_month(sessions, filters)),
    ]
    headings = {
        "borough": _("Borough"),
        "site": _("Library or site"),
        "officer": _("Person in charge"),
        "category": _("Category"),
        "type": _("Type of activity"),
        "setting": _("Setting"),
        "audience": _("Audience"),
        "month": _("Month"),
    }
    for breakdown in breakdowns:
        breakdown.heading = headings[breakdown.key]
    return ProgramReport(
        filters=filters,
        figures=figures,
        previous_filters=previous_filters,
        previous=previous,
        comparisons=comparisons,
        breakdowns=breakdowns,
    )


def visible_organizations(*, user: Any) -> QuerySet[Organization]:
    """Organizations the user may filter on: their own, or every organization with activities."""
    organizations = tenancy.scoped(Organization, user, tenancy.VIEW_PROGRAM)
    if tenancy.grant_for(user, tenancy.VIEW_PROGRAM).everywhere:
        organizations = organizations.filter(pk__in=Activity.objects.values("organization_id"))
    return organizations.order_by("name")
