"""Coverage gaps: supply of services and activities per borough and need, against demand.

Supply of a (borough, need) cell: published, not discontinued services given there (their places'
boroughs, else their organization's) that address the need; sessions per month of activities held
there for the need (scheduled sessions of the last 90 days, divided by 3); the languages they are
offered in. Demand: the borough's newcomers (`CoverageDemand`, reference data edited in the admin).
The most underserved cells come first: the fewest services and sessions per 1,000 newcomers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from ancrage.core.translated import pick
from ancrage.directory import search
from ancrage.directory.models import NEEDS_TAXONOMY_NAME, Service, ServiceAtLocation, TaxonomyTerm

from .models import CoverageDemand

SESSION_MONTHS = 3
HEAT_LEVELS = 5  # CSS classes heat-0 (least served) … heat-4


@dataclass
class Cell:
    borough: str
    borough_name: str
    need: str
    need_name: str
    newcomers: int
    services: int = 0
    sessions_per_month: float = 0.0
    languages: set[str] = field(default_factory=set)
    level: int = 0

    @property
    def supply_per_thousand(self) -> float:
        """Services and monthly sessions per 1,000 newcomers (what is ranked)."""
        if not self.newcomers:
            return float("inf")
        return round((self.services + self.sessions_per_month) * 1000 / self.newcomers, 2)


def _service_boroughs() -> dict:
    """Public service id → set of borough codes (places first, else the organization's)."""
    public = search.public_services()
    boroughs: dict = defaultdict(set)
    for service_id, code in ServiceAtLocation.objects.filter(
        service__in=public.values("pk"), location__borough__isnull=False
    ).values_list("service_id", "location__borough__code"):
        boroughs[service_id].add(code)
    for service_id, code in public.filter(organization__borough__isnull=False).values_list(
        "id", "organization__borough__code"
    ):
        boroughs.setdefault(service_id, {code})
    return boroughs


def coverage_cells() -> list[Cell]:
    """Every (borough with a demand, need) cell, the most underserved first."""
    from ancrage.activities.models import Activity, Session

    demands = list(CoverageDemand.objects.select_related("borough"))
    needs = list(TaxonomyTerm.objects.filter(taxonomy__name=NEEDS_TAXONOMY_NAME).order_by("code"))
    cells = {
        (d.borough.code, n.code): Cell(
            d.borough.code, d.borough.name, n.code, pick(n.names) or n.code, d.newcomer_population
        )
        for d in demands
        for n in needs
    }
    boroughs_of = _service_boroughs()
    languages_of: dict = defaultdict(set)
    public = search.public_services()
    for service_id, code in Service.languages.through.objects.filter(
        service__in=public.values("pk")
    ).values_list("service_id", "language__code"):
        languages_of[service_id].add(code)
    for service_id, need in Service.needs.through.objects.filter(
        service__in=public.values("pk")
    ).values_list("service_id", "taxonomyterm__code"):
        for borough in boroughs_of.get(service_id, ()):
            cell = cells.get((borough, need))
            if cell:
                cell.services += 1
                cell.languages |= languages_of[service_id]
    since = timezone.now() - timedelta(days=30 * SESSION_MONTHS)
    sessions: dict = defaultdict(int)
    for activity_id in (
        Session.objects.filter(starts_at__gte=since, starts_at__lte=timezone.now())
        .exclude(status=Session.Status.CANCELLED)
        .values_list("activity_id", flat=True)
    ):
        sessions[activity_id] += 1
    activity_languages: dict = defaultdict(set)
    for activity_id, code in Activity.languages.through.objects.values_list(
        "activity_id", "language__code"
    ):
        activity_languages[activity_id].add(code)
    for activity_id, borough, site_borough, need in Activity.objects.filter(
        needs__isnull=False
    ).values_list("id", "borough__code", "site__borough__code", "needs__code"):
        cell = cells.get((borough or site_borough, need))
        if cell and sessions.get(activity_id):
            cell.sessions_per_month += sessions[activity_id] / SESSION_MONTHS
            cell.languages |= activity_languages[activity_id]
    ranked = sorted(cells.values(), key=lambda c: (c.supply_per_thousand, -c.newcomers, c.need))
    for cell in ranked:
        cell.sessions_per_month = round(cell.sessions_per_month, 1)
    _levels(ranked)
    return ranked


def _levels(cells: list[Cell]) -> None:
    """Heat level by quantile of supply per 1,000 newcomers: 0 is the least served fifth."""
    for position, cell in enumerate(cells):
        cell.level = min(HEAT_LEVELS - 1, position * HEAT_LEVELS // max(len(cells), 1))


def language_gaps() -> list[dict]:
    """Per borough and language its newcomers speak: how many, and whether any service there is
    offered in it (most newcomers without an offer in their language first)."""
    offered: dict = defaultdict(set)
    boroughs_of = _service_boroughs()
    for service_id, code in Service.languages.through.objects.filter(
        service__in=search.public_services().values("pk")
    ).values_list("service_id", "language__code"):
        for borough in boroughs_of.get(service_id, ()):
            offered[borough].add(code)
    rows = []
    for demand in CoverageDemand.objects.select_related("borough"):
        for language, share in (demand.language_shares or {}).items():
            try:
                speakers = round(demand.newcomer_population * float(share))
            except (TypeError, ValueError):
                continue
            rows.append(
                {
                    "borough": demand.borough.name,
                    "language": language,
                    "speakers": speakers,
                    "offered": language in offered[demand.borough.code],
                }
            )
    return sorted(rows, key=lambda r: (r["offered"], -r["speakers"], r["borough"]))


def csv_safe(value: object) -> str:
    """A spreadsheet would run a cell starting with = + - @ as a formula: keep it text."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
