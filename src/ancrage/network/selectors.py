"""Reads of the network that list or aggregate; all of them go through the tenancy scope."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from ancrage.core import tenancy
from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import Borough
from ancrage.network.models import Membership, Organization, Partnership, Site


def organization_list(
    *, user: Any, query: str = "", kind: str = "", borough: Borough | None = None
) -> QuerySet[Organization]:
    organizations = tenancy.scoped(Organization, user, tenancy.VIEW).select_related("borough")
    if query:
        organizations = organizations.filter(Q(name__icontains=query) | Q(acronym__icontains=query))
    if kind:
        organizations = organizations.filter(kind=kind)
    if borough is not None:
        organizations = organizations.filter(
            Q(borough=borough) | Q(boroughs_served=borough)
        ).distinct()
    return organizations.annotate(site_count=Count("sites", distinct=True)).order_by("name")


def organization_sites(*, user: Any, organization: Organization) -> QuerySet[Site]:
    return tenancy.scoped(Site, user).filter(organization=organization).select_related("borough")


def organization_members(*, user: Any, organization: Organization) -> QuerySet[Membership]:
    return (
        tenancy.scoped(Membership, user)
        .filter(organization=organization)
        .select_related("user")
        .prefetch_related("sites")
        .order_by("ended_on", "user__last_name", "user__first_name")
    )


def organization_partnerships(*, user: Any, organization: Organization) -> QuerySet[Partnership]:
    """Partnerships the organization recorded and those where it is named as partner."""
    return (
        tenancy.scoped(Partnership, user)
        .filter(Q(organization=organization) | Q(partner=organization))
        .select_related("organization", "partner")
        .order_by("partner__name")
    )


def partner_choices(*, organization: Organization) -> QuerySet[Organization]:
    """Any organization of the network may be named as partner: names are public information."""
    return Organization.objects.exclude(pk=organization.pk).order_by("name")


@dataclass
class OrganizationCard:
    organization: Organization
    roles: list[str] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    member_count: int = 0
    partnership_count: int = 0
    can_change: bool = False
    can_manage_members: bool = False


@dataclass
class NetworkSummary:
    organization_count: int
    by_kind: list[tuple[str, int]]
    by_borough: list[tuple[str, int, int]]  # borough, organizations based there, sites there
    partnership_count: int


@dataclass
class Dashboard:
    cards: list[OrganizationCard]
    network: NetworkSummary | None
    liaison_sites: list[Site]


def network_summary(*, user: Any) -> NetworkSummary | None:
    """City-wide counts for those who coordinate the network; None for everyone else."""
    if not tenancy.grant_for(user, tenancy.VIEW).everywhere:
        return None
    organizations = tenancy.scoped(Organization, user)
    kinds = dict(OrganizationKind.choices)
    by_kind = [
        (str(kinds.get(row["kind"], row["kind"])), row["n"])
        for row in organizations.values("kind").annotate(n=Count("pk")).order_by("-n", "kind")
    ]
    based = dict(
        organizations.values("borough").annotate(n=Count("pk")).values_list("borough", "n")
    )
    sites = dict(
        tenancy.scoped(Site, user)
        .filter(is_active=True)
        .values("borough")
        .annotate(n=Count("pk"))
        .values_list("borough", "n")
    )
    by_borough = [
        (borough.name, based.get(borough.pk, 0), sites.get(borough.pk, 0))
        for borough in Borough.objects.filter(is_active=True)
    ]
    return NetworkSummary(
        organization_count=organizations.count(),
        by_kind=by_kind,
        by_borough=by_borough,
        partnership_count=tenancy.scoped(Partnership, user).count(),
    )


def dashboard_for(*, user: Any) -> Dashboard:
    memberships = list(
        Membership.objects.current()
        .filter(user=user)
        .select_related("organization", "organization__borough")
        .prefetch_related("sites")
        .order_by("organization__name", "role")
    )
    change = tenancy.grant_for(user, tenancy.CHANGE)
    manage = tenancy.grant_for(user, tenancy.MANAGE_MEMBERS)
    cards: dict[int, OrganizationCard] = {}
    for membership in memberships:
        organization = membership.organization
        card = cards.get(organization.pk)
        if card is None:
            card = cards[organization.pk] = OrganizationCard(
                organization=organization,
                can_change=change.covers(organization.pk),
                can_manage_members=manage.covers(organization.pk),
            )
        card.roles.append(membership.get_role_display())
    if cards:
        ids = list(cards)
        counts = Organization.objects.filter(pk__in=ids).annotate(
            current_members=Count(
                "memberships", filter=Q(memberships__ended_on__isnull=True), distinct=True
            ),
            recorded=Count("partnerships", distinct=True),
            named_in=Count("partnerships_as_partner", distinct=True),
        )
        for row in counts:
            cards[row.pk].member_count = row.current_members
            cards[row.pk].partnership_count = row.recorded + row.named_in
        for site in Site.objects.filter(organization_id__in=ids, is_active=True).select_related(
            "borough"
        ):
            cards[site.organization_id].sites.append(site)
    liaison_sites = sorted(
        {site for m in memberships if m.role == Role.LIAISON_OFFICER for site in m.sites.all()},
        key=lambda s: s.name,
    )
    return Dashboard(
        cards=list(cards.values()), network=network_summary(user=user), liaison_sites=liaison_sites
    )
