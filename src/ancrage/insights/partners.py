"""Partnership suggestions: organizations that would complement one organization.

A candidate serves, in one of the organization's boroughs, the audiences it serves, with needs it
does not cover itself; it is not already a partner (either direction, partnership not ended).
Ranked by how many of those needs it adds, then shared boroughs and audiences; each suggestion
carries its reasons. Read from the published directory: only public information.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from ancrage.directory import search
from ancrage.network.models import Organization, Partnership

from .overlap import service_items


@dataclass
class PartnerSuggestion:
    organization: Organization
    needs: list[str] = field(default_factory=list)  # needs it covers that ours does not
    boroughs: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return 3 * len(self.needs) + len(self.boroughs) + len(self.audiences)


def partner_suggestions(organization: Organization, limit: int = 20) -> list[PartnerSuggestion]:
    ours = service_items(search.public_services().filter(organization=organization))
    boroughs = {code for item in ours for code in item.boroughs}
    if organization.borough_id:
        boroughs.add(organization.borough.code)
    boroughs |= set(
        organization.sites.filter(borough__isnull=False).values_list("borough__code", flat=True)
    )
    needs = {need for item in ours for need in item.needs}
    audiences = {audience for item in ours for audience in item.audiences}
    today = timezone.localdate()
    partners = set()
    for a, b in (
        Partnership.objects.filter(Q(organization=organization) | Q(partner=organization))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .values_list("organization_id", "partner_id")
    ):
        partners |= {a, b}
    theirs = service_items(
        search.public_services()
        .filter(
            Q(locations__location__borough__code__in=boroughs)
            | Q(locations__isnull=True, organization__borough__code__in=boroughs)
        )
        .exclude(organization_id__in=partners | {organization.pk})
        .distinct()
    )
    found: dict[int, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for item in theirs:
        serves_them = not item.audiences or not audiences or item.audiences & audiences
        added = item.needs - needs
        if not serves_them or not added:
            continue
        row = found[item.organization_id]
        row["needs"] |= added
        row["boroughs"] |= item.boroughs & boroughs
        row["audiences"] |= item.audiences & audiences
    organizations = Organization.objects.in_bulk(list(found))
    suggestions = [
        PartnerSuggestion(
            organizations[pk],
            sorted(row["needs"]),
            sorted(row["boroughs"]),
            sorted(row["audiences"]),
        )
        for pk, row in found.items()
        if pk in organizations
    ]
    suggestions.sort(key=lambda s: (-s.score, s.organization.name))
    return suggestions[:limit]
