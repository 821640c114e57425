"""Reads of accountability reports: the periods of an agreement, the figures of a report, the
lists each side sees.

`report_figures` is the one computation of a report's numbers (the shape is the contract in
docs/REPORTS.md, rendered by `exports`). It reads the organization's service records once:
one query with a filtered aggregate per window (the period, the year to date, each target's
window, each earlier period) and per profile category (status, age band, gender, borough, years
since arrival, service type); then one over the sessions charged to the program and one for the
languages spoken (the many-to-many trait) — never a loop over clients in Python. At city scale
(10 million records, PostgreSQL) one organization's report takes about twice the single raw
GROUP BY over the same rows. Every count passes `core.privacy.suppress` with the program's
threshold before it leaves; no client id or code ever enters the figures.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone, translation

from ancrage.activities.models import Session
from ancrage.clients.models import AgeBand, Client, Gender, ServiceRecord, ServiceType
from ancrage.core import tenancy
from ancrage.core.models import Borough, ImmigrationStatus, Language
from ancrage.core.privacy import SuppressedTable, suppress
from ancrage.core.tenancy import BIGINT_MAX
from ancrage.funding.models import (
    Agreement,
    AgreementTarget,
    FollowedOrganization,
    ReportingCadence,
)
from ancrage.reporting.models import AccountabilityReport, ReportState

SCHEMA = 1
LANGUAGES = ("fr", "en")
UNKNOWN = "unknown"

# --- Words of the report, in both languages at once (the files are bilingual) --------------------

MONTHS = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

METRIC_LABELS: dict[str, dict[str, str]] = {
    "clients": {"fr": "Personnes servies (toutes)", "en": "People served (all)"},
    "eligible_clients": {
        "fr": "Personnes admissibles servies",
        "en": "Eligible clients served",
    },
    "services": {
        "fr": "Services donnés (imputés au programme)",
        "en": "Services given (charged to the program)",
    },
    "minutes": {"fr": "Minutes de service", "en": "Minutes of service"},
    "sessions": {"fr": "Séances de groupe tenues", "en": "Group sessions held"},
    "participants": {
        "fr": "Participations aux séances de groupe",
        "en": "Participants in group sessions",
    },
    "unfunded_clients": {
        "fr": "Personnes servies sans financement",
        "en": "People served without funding",
    },
    "unfunded_services": {"fr": "Services sans financement", "en": "Unfunded services"},
}
HEADLINE_METRICS = tuple(METRIC_LABELS)
TREND_METRICS = ("eligible_clients", "services", "participants")
# Counts that add up over periods (distinct people do not).
ADDITIVE_METRICS = ("services", "participants")
# Profile tables whose total is a figure of the period.
LINKED_TOTALS = {
    "immigration_status": "eligible_clients",
    "age_band": "eligible_clients",
    "gender": "eligible_clients",
    "borough": "eligible_clients",
    "years_since_arrival": "eligible_clients",
    "services_by_type": "services",
    "unfunded": "unfunded_services",
}
# Counts of people or of services to people: hidden below the funder's threshold. Sessions are
# events, not people, and minutes follow the services they belong to (hidden with them).
NOT_PEOPLE = frozenset({"sessions"})

UNKNOWN_LABEL = {"fr": "Non précisé", "en": "Not specified"}
PEOPLE_COLUMN = {"key": "clients", "label": {"fr": "Personnes", "en": "People"}}
SERVICES_COLUMN = {"key": "services", "label": {"fr": "Services", "en": "Services"}}

ARRIVAL_BANDS: tuple[tuple[str, dict[str, str]], ...] = (
    ("0-1", {"fr": "Moins d'un an", "en": "Less than a year"}),
    ("1-2", {"fr": "De 1 à 2 ans", "en": "1 to 2 years"}),
    ("2-3", {"fr": "De 2 à 3 ans", "en": "2 to 3 years"}),
    ("3-5", {"fr": "De 3 à 5 ans", "en": "3 to 5 years"}),
    ("5+", {"fr": "Plus de 5 ans", "en": "More than 5 years"}),
    (UNKNOWN, {"fr": "Date d'arrivée inconnue", "en": "Arrival date unknown"}),
)

TABLE_TITLES: dict[str, dict[str, str]] = {
    "immigration_status": {"fr": "Statut d'immigration", "en": "Immigration status"},
    "age_band": {"fr": "Groupe d'âge", "en": "Age group"},
    "gender": {"fr": "Genre", "en": "Gender"},
    "borough": {"fr": "Arrondissement de résidence", "en": "Borough of residence"},
    "years_since_arrival": {
        "fr": "Années depuis l'arrivée au Québec (à la fin de la période)",
        "en": "Years since arrival in Québec (at the end of the period)",
    },
    "language": {"fr": "Langues parlées", "en": "Languages spoken"},
    "services_by_type": {
        "fr": "Services imputés au programme, par type",
        "en": "Services charged to the program, by type",
    },
    "unfunded": {
        "fr": "Travail non financé : services aux personnes qu'aucun programme ne couvre, par type",
        "en": "Unfunded work: services to people no program covers, by type",
    },
}
TABLE_NOTES: dict[str, dict[str, str] | None] = {
    "language": {
        "fr": "Une personne peut parler plusieurs langues : les lignes ne s'additionnent pas.",
        "en": "A person may speak several languages: rows do not add up.",
    },
    "unfunded": {
        "fr": "Services à des personnes qu'aucun programme ne couvrait ce jour-là, donnés sur les "
        "fonds propres de l'organisme (par exemple à des personnes demandeuses d'asile).",
        "en": "Services to people no program covered that day, given with the organization's "
        "own funds (for example to asylum seekers).",
    },
}
PROFILE_NOTE = {
    "fr": "Personnes admissibles servies pendant la période, comptées une fois chacune.",
    "en": "Eligible clients served during the period, each counted once.",
}

RULE = {
    "fr": (
        "Personnes servies : personnes distinctes ayant reçu au moins un service de l'organisme "
        "pendant la période. Personnes admissibles : personnes distinctes ayant reçu au moins un "
        "service imputé au programme de l'entente. Services et minutes : services imputés au "
        "programme. Séances : séances non annulées des activités imputées au programme, selon "
        "leur date de début; participations : somme des présences inscrites à ces séances. "
        "Travail non financé : services imputés à aucun programme, à des personnes qu'aucun "
        "programme ne couvrait le jour du service. Profils : personnes admissibles de la période. "
        "Cibles : du début de la période de la cible jusqu'à la fin de la période du rapport. "
        "Nombres de moins de {threshold} masqués (x), avec masquage complémentaire."
    ),
    "en": (
        "People served: distinct people who received at least one service from the organization "
        "during the period. Eligible clients: distinct people who received at least one service "
        "charged to the agreement's program. Services and minutes: services charged to the "
        "program. Sessions: sessions not cancelled of the activities charged to the program, by "
        "their start date; participants: sum of the head counts recorded for those sessions. "
        "Unfunded work: services charged to no program, to people no program covered on the day "
        "of the service. Profiles: the period's eligible clients. Targets: from the start of the "
        "target's period to the end of the report's period. Numbers below {threshold} hidden "
        "(x), with complementary suppression."
    ),
}


def both_languages(text: Any) -> dict[str, str]:
    """A translatable label (lazy string) in French and English, for the bilingual files."""
    result = {}
    for language, code in (("fr", "fr-ca"), ("en", "en")):
        with translation.override(code):
            result[language] = str(text)
    return result


def names_of(texts: Mapping[str, str] | None, fallback: str) -> dict[str, str]:
    texts = texts or {}
    french = texts.get("fr") or texts.get("en") or fallback
    return {"fr": french, "en": texts.get("en") or french}


# --- Periods --------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, on the same day of the month or the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover (28 always exists)


def years_before(day: date, years: int) -> date:
    """The same day `years` years earlier (29 February becomes 1 March, as for newcomers)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, month=3, day=1)


@dataclass(frozen=True)
class Period:
    """A reporting period of an agreement: a quarter (or a year for annual reporting), counted
    from the agreement's start; the last one stops at the agreement's end."""

    start: date
    end: date
    number: int  # 1-4 within the agreement year (1 for a year)
    year_start: date
    year_end: date
    cadence: str

    @property
    def key(self) -> str:
        return self.start.isoformat()

    def _span(self, language: str) -> str:
        months = MONTHS[language]
        first, last = months[self.start.month - 1], months[self.end.month - 1]
        word = " à " if language == "fr" else " to "
        if (self.start.year, self.start.month) == (self.end.year, self.end.month):
            return f"{first} {self.end.year}"
        if self.start.year == self.end.year:
            return f"{first}{word}{last} {self.end.year}"
        return f"{first} {self.start.year}{word}{last} {self.end.year}"

    @property
    def year_label(self) -> str:
        """The agreement year as named (a whole year, even when the agreement ends within it)."""
        nominal_end = add_months(self.year_start, 12) - timedelta(days=1)
        if self.year_start.year == nominal_end.year:
            return str(self.year_start.year)
        return f"{self.year_start.year}-{nominal_end.year}"

    @property
    def label(self) -> dict[str, str]:
        if self.cadence == ReportingCadence.ANNUAL:
            return {
                "fr": f"Année {self.year_label} ({self._span('fr')})",
                "en": f"Year {self.year_label} ({self._span('en')})",
            }
        return {
            "fr": f"T{self.number} {self.year_label} ({self._span('fr')})",
            "en": f"Q{self.number} {self.year_label} ({self._span('en')})",
        }

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "label": self.label}


def periods_of(agreement: Agreement) -> list[Period]:
    """The agreement's reporting periods, in order: quarters (or years) aligned on its start."""
    step = 12 if agreement.cadence == ReportingCadence.ANNUAL else 3
    periods = []
    index = 0
    while True:
        start = add_months(agreement.starts_on, step * index)
        if start > agreement.ends_on:
            break
        end = min(
            add_months(agreement.starts_on, step * (index + 1)) - timedelta(days=1),
            agreement.ends_on,
        )
        year = (step * index) // 12
        year_start = add_months(agreement.starts_on, 12 * year)
        year_end = min(
            add_months(agreement.starts_on, 12 * (year + 1)) - timedelta(days=1), agreement.ends_on
        )
        number = (step * index) % 12 // step + 1
        periods.append(Period(start, end, number, year_start, year_end, agreement.cadence))
        index += 1
    return periods


def period_of(agreement: Agreement, start: date, end: date | None = None) -> Period | None:
    """The agreement's period starting on `start` (and ending on `end` when given), or None."""
    for period in periods_of(agreement):
        if period.start == start and (end is None or period.end == end):
            return period
    return None


# --- Counting ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    start: date
    end: date

    @property
    def name(self) -> str:
        return f"w{self.start:%Y%m%d}_{self.end:%Y%m%d}"


def _unfunded() -> Q:
    """Charged to no program, and no program covered the person that day (the snapshot)."""
    return Q(program__isnull=True) & (
        Q(eligibility__covered_by=[]) | ~Q(eligibility__has_key="covered_by")
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class _Category:
    """One row of a profile table, counted in the main query with its own filter."""

    table: str
    key: Any  # the reference item's pk, a choice's value, or UNKNOWN
    condition: Q


def _arrival_bands(end: date) -> list[tuple[str, Q]]:
    """Years between arrival in Québec (else in Canada) and the end of the period."""
    one, two, three, five = (years_before(end, n) for n in (1, 2, 3, 5))
    return [
        ("0-1", Q(arrival__gt=one)),
        ("1-2", Q(arrival__gt=two, arrival__lte=one)),
        ("2-3", Q(arrival__gt=three, arrival__lte=two)),
        ("3-5", Q(arrival__gte=five, arrival__lte=three)),
        ("5+", Q(arrival__lt=five)),
        (UNKNOWN, Q(arrival__isnull=True)),
    ]


@dataclass
class _References:
    statuses: list[ImmigrationStatus]
    boroughs: list[Borough]
    service_types: list[ServiceType]

    @classmethod
    def load(cls, organization_id: int) -> "_References":
        return cls(
            list(ImmigrationStatus.objects.order_by("sort_order", "code")),
            list(Borough.objects.order_by("sort_order", "code")),
            list(
                ServiceType.objects.filter(
                    Q(organization__isnull=True) | Q(organization_id=organization_id)
                ).order_by(F("organization_id").asc(nulls_first=True), "sort_order", "code")
            ),
        )

    def categories(self, end: date) -> list[_Category]:
        found = [
            _Category("immigration_status", s.pk, Q(client__immigration_status_id=s.pk))
            for s in self.statuses
        ]
        found.append(
            _Category("immigration_status", UNKNOWN, Q(client__immigration_status__isnull=True))
        )
        for table, choices in (("age_band", AgeBand.values), ("gender", Gender.values)):
            found += [_Category(table, v, Q(**{f"client__{table}": v})) for v in choices]
            found.append(_Category(table, UNKNOWN, ~Q(**{f"client__{table}__in": choices})))
        found += [_Category("borough", b.pk, Q(client__borough_id=b.pk)) for b in self.boroughs]
        found.append(_Category("borough", UNKNOWN, Q(client__borough__isnull=True)))
        found += [
            _Category("years_since_arrival", band, condition)
            for band, condition in _arrival_bands(end)
        ]
        return found


def _record_counts(
    agreement: Agreement,
    windows: Iterable[Window],
    *,
    detailed: Iterable[Window],
    profile: Window,
    references: _References,
) -> dict[str, Any]:
    """The one query over the organization's service records, read once: per window, the
    eligible clients and the services charged to the program; for `detailed` windows also every
    client, minutes and the unfunded work; for the `profile` window the eligible clients by each
    trait and the services by type."""
    windows, detailed = set(windows), set(detailed)
    charged = Q(program_id=agreement.program_id)
    aggregates: dict[str, Any] = {}
    for window in windows | detailed:
        inside = Q(served_on__gte=window.start, served_on__lte=window.end)
        name = window.name
        aggregates[f"{name}_eligible_clients"] = Count(
            "client_id", distinct=True, filter=inside & charged
        )
        aggregates[f"{name}_services"] = Count("id", filter=inside & charged)
        if window in detailed:
            aggregates[f"{name}_clients"] = Count("client_id", distinct=True, filter=inside)
            aggregates[f"{name}_minutes"] = Sum("minutes", filter=inside & charged)
            aggregates[f"{name}_unfunded_clients"] = Count(
                "client_id", distinct=True, filter=inside & _unfunded()
            )
            aggregates[f"{name}_unfunded_services"] = Count("id", filter=inside & _unfunded())
    inside = Q(served_on__gte=profile.start, served_on__lte=profile.end)
    for i, category in enumerate(references.categories(profile.end)):
        aggregates[f"profile_{i}"] = Count(
            "client_id", distinct=True, filter=inside & charged & category.condition
        )
    for kind in references.service_types:
        of_kind = inside & Q(service_type_id=kind.pk)
        aggregates[f"type_{kind.pk}"] = Count("id", filter=of_kind & charged)
        aggregates[f"unfunded_type_{kind.pk}"] = Count("id", filter=of_kind & _unfunded())
    if connection.vendor == "postgresql":
        # The period's eligible clients, for the languages they speak (the one many-to-many
        # trait): read here rather than probing the records once more.
        aggregates["eligible_ids"] = ArrayAgg("client_id", distinct=True, filter=inside & charged)
    everything = windows | detailed | {profile}
    found = (
        ServiceRecord.objects.filter(
            client__organization_id=agreement.organization_id,
            served_on__gte=min(w.start for w in everything),
            served_on__lte=max(w.end for w in everything),
        )
        .annotate(arrival=Coalesce("client__arrived_quebec_on", "client__arrived_canada_on"))
        .aggregate(**aggregates)
    )
    eligible_ids = found.pop("eligible_ids", None)
    counts: dict[str, Any] = {key: value or 0 for key, value in found.items()}
    if eligible_ids is not None or "eligible_ids" in aggregates:
        counts["eligible_ids"] = eligible_ids or []
    return counts


def _session_counts(agreement: Agreement, windows: Iterable[Window]) -> dict[str, int]:
    """One query over the sessions of the organization's activities charged to the program."""
    windows = set(windows)
    aggregates: dict[str, Any] = {}
    for window in windows:
        inside = Q(starts_at__gte=_day_start(window.start)) & Q(
            starts_at__lt=_day_start(window.end + timedelta(days=1))
        )
        aggregates[f"{window.name}_sessions"] = Count("id", filter=inside)
        aggregates[f"{window.name}_participants"] = Sum("attendance__total", filter=inside)
    found = (
        Session.objects.filter(
            activity__organization_id=agreement.organization_id,
            activity__program_id=agreement.program_id,
            starts_at__gte=_day_start(min(w.start for w in windows)),
            starts_at__lt=_day_start(max(w.end for w in windows) + timedelta(days=1)),
        )
        .exclude(status=Session.Status.CANCELLED)
        .aggregate(**aggregates)
    )
    return {key: value or 0 for key, value in found.items()}


# --- Suppression -----------------------------------------------------------------------------------


class _Suppressor:
    """Passes every published count through `core.privacy.suppress` and keeps the log."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.log: list[dict[str, Any]] = []

    @property
    def hidden_cells(self) -> int:
        return sum(1 for entry in self.log if entry.get("kind") == "cell")

    def note_hidden(self, table: str, cell: list[str], *, reason: str) -> None:
        self.log.append({"table": table, "cell": cell, "kind": "cell", "reason": reason})

    def lone(self, value: int, *, table: str, cell: list[str], people: bool = True) -> int | None:
        """A lone figure: a 1×1 table. Counts that are not of people are published as they are
        (threshold 1 still checks them)."""
        shown = suppress(
            {("n", "n"): int(value)},
            rows=["n"],
            columns=["n"],
            threshold=self.threshold if people else 1,
        ).cell("n", "n")
        if shown is None:
            self.note_hidden(table, cell, reason="primary")
        return shown

    def series(self, table: str, values: Mapping[str, int]) -> "SuppressedTable":
        """One column of counts with its total (e.g. the periods of a year and the year)."""
        result = suppress(
            {(key, "n"): int(count) for key, count in values.items()},
            rows=list(values),
            columns=["n"],
            threshold=self.threshold,
        )
        self.log.extend({"table": table, **entry} for entry in result.log)
        return result

    def table(
        self,
        key: str,
        counts: Mapping[tuple[str, str], int],
        *,
        rows: Sequence[tuple[str, dict[str, str]]],
        columns: Sequence[dict[str, Any]],
        margins: bool = True,
        note: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        row_keys = [row for row, _label in rows]
        column_keys = [column["key"] for column in columns]
        if row_keys:
            result = suppress(
                counts,
                rows=row_keys,
                columns=column_keys,
                threshold=self.threshold,
                margins=margins,
            ).as_dict()
        else:  # nothing of this kind in the period: an empty table, zero in total
            nothing = 0 if margins else None
            result = {
                "cells": [],
                "row_totals": [],
                "column_totals": [nothing] * len(column_keys),
                "total": nothing,
                "log": [],
            }
        self.log.extend({"table": key, **entry} for entry in result["log"])
        return {
            "key": key,
            "title": TABLE_TITLES[key],
            "rows": [{"key": row, "label": label} for row, label in rows],
            "columns": list(columns),
            "cells": result["cells"],
            "row_totals": result["row_totals"],
            "column_totals": result["column_totals"],
            "total": result["total"],
            "note": note,
        }


# --- Profile tables ------------------------------------------------------------------------------


def _spoken_languages(agreement: Agreement, window: Window, counts: Mapping) -> dict:
    """Eligible clients of the period by language spoken (a person may speak several)."""
    eligible = counts.get("eligible_ids")
    if eligible is None:  # not read with the records (SQLite): a subquery
        eligible = ServiceRecord.objects.filter(
            client__organization_id=agreement.organization_id,
            program_id=agreement.program_id,
            served_on__gte=window.start,
            served_on__lte=window.end,
        ).values("client_id")
    # One row per person and language: counting rows counts people.
    return {
        row["language_id"]: row["n"]
        for row in Client.languages.through.objects.filter(client_id__in=eligible)
        .values("language_id")
        .annotate(n=Count("id"))
        .order_by()
    }


def _reference_rows(
    items: Iterable[Any], counts: Mapping, *, every: bool
) -> tuple[list, dict[str, int]]:
    """Rows of a reference list keyed by code: every item in use (or only those counted), then
    "unknown" when counted; and the counts re-keyed by code."""
    rows, by_code = [], {}
    for item in items:
        if counts.get(item.pk) or (every and item.is_active):
            # An organization's own service type may reuse a code of the shared offer.
            code = f"own-{item.code}" if getattr(item, "organization_id", None) else item.code
            rows.append((code, names_of(item.names, item.code)))
            by_code[code] = counts.get(item.pk, 0)
    if counts.get(UNKNOWN):
        rows.append((UNKNOWN, UNKNOWN_LABEL))
        by_code[UNKNOWN] = counts[UNKNOWN]
    return rows, by_code


def _choice_rows(choices: Iterable[tuple[str, Any]], counts: Mapping) -> tuple[list, dict]:
    rows = [(value, both_languages(label)) for value, label in choices]
    if counts.get(UNKNOWN):
        rows.append((UNKNOWN, UNKNOWN_LABEL))
    return rows, dict(counts)


def _as_cells(counts: Mapping, column: str) -> dict[tuple[str, str], int]:
    return {(str(row), column): int(value) for row, value in counts.items() if value}


def _profile_tables(
    agreement: Agreement,
    window: Window,
    counts: Mapping[str, Any],
    references: _References,
    suppressor: _Suppressor,
) -> list[dict[str, Any]]:
    by_table: dict[str, dict[Any, int]] = {}
    for i, category in enumerate(references.categories(window.end)):
        by_table.setdefault(category.table, {})[category.key] = counts[f"profile_{i}"]
    people, services = PEOPLE_COLUMN, SERVICES_COLUMN
    languages = _spoken_languages(agreement, window, counts)
    spoken = Language.objects.filter(pk__in=list(languages)).order_by("sort_order", "code")
    layouts = [
        (
            "immigration_status",
            _reference_rows(references.statuses, by_table["immigration_status"], every=True),
            people,
            True,
        ),
        ("age_band", _choice_rows(AgeBand.choices, by_table["age_band"]), people, True),
        ("gender", _choice_rows(Gender.choices, by_table["gender"]), people, True),
        (
            "borough",
            _reference_rows(references.boroughs, by_table["borough"], every=True),
            people,
            True,
        ),
        (
            "years_since_arrival",
            (list(ARRIVAL_BANDS), by_table["years_since_arrival"]),
            people,
            True,
        ),
        ("language", _reference_rows(spoken, languages, every=False), people, False),
        (
            "services_by_type",
            _reference_rows(
                references.service_types,
                {kind.pk: counts[f"type_{kind.pk}"] for kind in references.service_types},
                every=False,
            ),
            services,
            True,
        ),
        (
            "unfunded",
            _reference_rows(
                references.service_types,
                {kind.pk: counts[f"unfunded_type_{kind.pk}"] for kind in references.service_types},
                every=False,
            ),
            services,
            True,
        ),
    ]
    tables = []
    for key, (rows, values), column, margins in layouts:
        note = PROFILE_NOTE if key == "immigration_status" else TABLE_NOTES.get(key)
        tables.append(
            suppressor.table(
                key,
                _as_cells(values, column["key"]),
                rows=rows,
                columns=[column],
                margins=margins,
                note=note,
            )
        )
    return tables


# --- The report's figures --------------------------------------------------------------------------


def _targets_in(agreement: Agreement, start: date, end: date) -> list[AgreementTarget]:
    """Targets whose period overlaps the report's period (the year's, then this quarter's), in
    the order of the headline's measures."""
    order = {metric: i for i, metric in enumerate(HEADLINE_METRICS)}
    targets = agreement.targets.filter(period_start__lte=end, period_end__gte=start)
    return sorted(
        targets,
        key=lambda t: (t.period_start, -t.period_end.toordinal(), order.get(t.metric, 99)),
    )


def report_figures(
    agreement: Agreement, period_start: date, period_end: date, *, now: datetime | None = None
) -> dict[str, Any]:
    """The report of `agreement` for one of its periods, as a JSON-ready dict (see
    docs/REPORTS.md). Raises ValueError if the dates are not one of its periods."""
    period = period_of(agreement, period_start, period_end)
    if period is None:
        raise ValueError("Not a period of this agreement.")
    program = agreement.program
    threshold = program.small_cell_threshold or 1
    suppressor = _Suppressor(threshold)
    now = now or timezone.now()

    this = Window(period.start, period.end)
    to_date = Window(period.year_start, period.end)
    targets = _targets_in(agreement, period.start, period.end)
    target_windows = {
        target.pk: Window(target.period_start, min(target.period_end, period.end))
        for target in targets
    }
    trend_periods = [p for p in periods_of(agreement) if p.start <= period.start]
    trend_windows = [Window(p.start, p.end) for p in trend_periods]
    windows = {this, to_date, *target_windows.values(), *trend_windows}

    references = _References.load(agreement.organization_id)
    counts = _record_counts(
        agreement, windows, detailed=[this, to_date], profile=this, references=references
    )
    counts |= _session_counts(agreement, windows)

    def value(window: Window, metric: str) -> int:
        return counts[f"{window.name}_{metric}"]

    # Profile tables first: their totals are the period's eligible clients, services and unfunded
    # services; a total a table had to hide must be hidden everywhere else too.
    tables = _profile_tables(agreement, this, counts, references, suppressor)
    published: dict[tuple[Window, str], int | None] = {}
    for table in tables:
        metric = LINKED_TOTALS.get(table["key"])
        if metric and table["total"] is None and value(this, metric) >= threshold:
            published[(this, metric)] = None
            suppressor.note_hidden("headline", [metric, "period"], reason="linked")

    # Services and participants add up over the periods of a year to the year to date: each
    # year's periods are one column whose total is the year to date, suppressed together so that
    # no hidden period can be recomputed from the others and the total.
    for metric in ADDITIVE_METRICS:
        for year_start in sorted({p.year_start for p in trend_periods}):
            year = [p for p in trend_periods if p.year_start == year_start]
            series = suppressor.series(
                f"trend.{metric}.{year_start.isoformat()}",
                {p.key: value(Window(p.start, p.end), metric) for p in year},
            )
            for p in year:
                published.setdefault((Window(p.start, p.end), metric), series.cell(p.key, "n"))
            year_window = Window(year_start, year[-1].end)
            published.setdefault((year_window, metric), series.column_total("n"))
            if year_window == to_date and published[(this, metric)] is None:
                published[(to_date, metric)] = None  # hidden with the period it would reveal

    def shown(window: Window, metric: str) -> int | None:
        """The published value of a count (each count suppressed once, the same everywhere)."""
        if (window, metric) not in published:
            published[(window, metric)] = suppressor.lone(
                value(window, metric),
                table="figures",
                cell=[metric, window.start.isoformat(), window.end.isoformat()],
                people=metric not in NOT_PEOPLE,
            )
        return published[(window, metric)]

    headline = []
    for metric in HEADLINE_METRICS:
        entry: dict[str, Any] = {"metric": metric, "label": METRIC_LABELS[metric]}
        for column, window in (("period", this), ("to_date", to_date)):
            if metric == "minutes":  # minutes of a hidden number of services would hint at it
                hidden = shown(window, "services") is None
                entry[column] = None if hidden else value(window, "minutes")
            else:
                entry[column] = shown(window, metric)
        headline.append(entry)

    target_rows = []
    for target in targets:
        actual = shown(target_windows[target.pk], target.metric)
        target_rows.append(
            {
                "metric": target.metric,
                "label": METRIC_LABELS[target.metric],
                "target_start": target.period_start.isoformat(),
                "target_end": target.period_end.isoformat(),
                "target": target.value,
                "actual": actual,
                "gap": None if actual is None else actual - target.value,
                "share": (
                    None if actual is None or not target.value else round(actual / target.value, 4)
                ),
            }
        )

    trend = []
    for trend_period, window in zip(trend_periods, trend_windows, strict=True):
        entry = {"period": trend_period.as_dict()}
        for metric in TREND_METRICS:
            entry[metric] = shown(window, metric)
        trend.append(entry)

    organization = agreement.organization
    funder = program.funder
    return {
        "schema": SCHEMA,
        "organization": {"id": organization.pk, "name": organization.name},
        "funder": {"id": funder.pk, "name": funder.name},
        "program": {
            "code": program.code,
            "name": names_of(program.names, program.code),
            "kind": program.kind,
        },
        "agreement": {
            "id": agreement.pk,
            "reference": agreement.reference,
            "starts_on": agreement.starts_on.isoformat(),
            "ends_on": agreement.ends_on.isoformat(),
        },
        "period": period.as_dict(),
        "threshold": threshold,
        "computed_at": timezone.localtime(now).isoformat(timespec="seconds"),
        "headline": headline,
        "targets": target_rows,
        "trend": trend,
        "tables": tables,
        "suppression": {
            "threshold": threshold,
            "hidden_cells": suppressor.hidden_cells,
            "log": suppressor.log,
        },
    }


def counting_rule(threshold: int) -> dict[str, str]:
    """How the figures are counted, in words, stored with a submitted report."""
    return {language: text.format(threshold=threshold) for language, text in RULE.items()}


# --- Lists: the organization's side ----------------------------------------------------------------


def reports_for(user: Any) -> QuerySet[AccountabilityReport]:
    """The reports of the organizations where `user` reads reports."""
    return (
        tenancy.scoped(AccountabilityReport, user, tenancy.VIEW_REPORTS)
        .select_related("agreement__organization", "agreement__program__funder")
        .order_by("agreement__organization__name", "agreement__program__code", "-period_start")
    )


def agreements_for(user: Any) -> QuerySet[Agreement]:
    """The agreements whose reports `user` reads."""
    return (
        tenancy.scoped(Agreement, user, tenancy.VIEW_REPORTS)
        .select_related("organization", "program__funder")
        .order_by("organization__name", "-starts_on", "program__code")
    )


@dataclass
class PeriodLine:
    period: Period
    report: AccountabilityReport | None
    can_open: bool


@dataclass
class AgreementReports:
    agreement: Agreement
    lines: list[PeriodLine]


def report_overview(user: Any, *, today: date | None = None) -> list[AgreementReports]:
    """Each agreement `user` reads, with its periods begun by `today` and their reports."""
    today = today or timezone.localdate()
    agreements = list(agreements_for(user))
    reports: dict[tuple[int, date], AccountabilityReport] = {
        (report.agreement_id, report.period_start): report
        for report in reports_for(user).filter(agreement__in=agreements)
    }
    prepare = tenancy.grant_for(user, tenancy.PREPARE_REPORTS)
    overview = []
    for agreement in agreements:
        lines = []
        for period in periods_of(agreement):
            if period.start > today:
                break
            report = reports.get((agreement.pk, period.start))
            can_open = report is None and prepare.covers(agreement.organization_id)
            lines.append(PeriodLine(period, report, can_open))
        overview.append(AgreementReports(agreement, list(reversed(lines))))
    return overview


# --- Lists: the funder's side ----------------------------------------------------------------------


def reports_received(
    user: Any,
    *,
    organization_id: int | None = None,
    program_id: int | None = None,
    state: str | None = None,
    followed_only: bool = False,
) -> QuerySet[AccountabilityReport]:
    """Reports sent to the funders where `user` advises (never drafts), the organizations they
    follow first, newest first."""
    grant = tenancy.grant_for(user, tenancy.ADVISE)
    if not grant.everywhere and not grant.organization_ids:
        return AccountabilityReport.objects.none()
    received = AccountabilityReport.objects.exclude(state=ReportState.DRAFT)
    followed = FollowedOrganization.objects.filter(
        advisor_id=user.pk, organization_id=OuterRef("agreement__organization_id")
    )
    if not grant.everywhere:
        received = received.filter(agreement__program__funder_id__in=grant.organization_ids)
        followed = followed.filter(funder_id__in=grant.organization_ids)
    received = received.annotate(followed=Exists(followed))
    if organization_id is not None:
        received = received.filter(agreement__organization_id=organization_id)
    if program_id is not None:
        received = received.filter(agreement__program_id=program_id)
    if state:
        received = received.filter(state=state)
    if followed_only:
        received = received.filter(followed=True)
    return received.select_related(
        "agreement__organization", "agreement__program__funder", "submitted_by"
    ).order_by("-followed", "-submitted_at", "-pk")


def received_choices(user: Any) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The organizations and programs present in `user`'s received reports (for the filters)."""
    received = reports_received(user)
    organizations = sorted(
        set(received.values_list("agreement__organization_id", "agreement__organization__name")),
        key=lambda pair: pair[1].lower(),
    )
    programs = {
        pk: names_of(names, code)
        for pk, code, names in received.values_list(
            "agreement__program_id", "agreement__program__code", "agreement__program__names"
        )
    }
    language = "en" if translation.get_language() == "en" else "fr"
    return organizations, sorted(
        ((pk, names[language]) for pk, names in programs.items()), key=lambda pair: pair[1]
    )


# --- One report, for a view ----------------------------------------------------------------------

ORGANIZATION_SIDE = "organization"
FUNDER_SIDE = "funder"


def report_for(user: Any, pk: int) -> tuple[AccountabilityReport, str]:
    """The report `pk` and the side `user` reads it from: 404 if not visible (a forged id, a
    draft for a funder, another funder's report), 403 for members who may not read reports."""
    if not 0 < pk <= BIGINT_MAX:
        raise Http404
    own = reports_for(user).filter(pk=pk).first()
    if own is not None:
        return own, ORGANIZATION_SIDE
    received = reports_received(user).filter(pk=pk).first()
    if received is not None:
        return received, FUNDER_SIDE
    if tenancy.scoped(AccountabilityReport, user, tenancy.VIEW).filter(pk=pk).exists():
        raise PermissionDenied
    raise Http404
