"""Who may see and change which organization-owned rows: the one scoping layer.

Every organization-owned model declares where its owner is (`TENANT_OWNER`, a field path to the
owning organization, or "" when the row *is* the organization) and which other organizations may
read it (`TENANT_READERS`). Views never filter by organization themselves: they call
`scoped(Model, user, capability)` and fetch from the result, so a forged id is a 404.

Capabilities are granted by roles, declared as data below: within the member's own organization
(`ROLE_CAPABILITIES`), or across the whole network for coordinating bodies (`NETWORK_WIDE`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from ancrage.core.choices import OrganizationKind, Role

M = TypeVar("M", bound=models.Model)

VIEW = "network.view"
CHANGE = "network.change"
MANAGE_MEMBERS = "network.manage_members"
CREATE_ORGANIZATION = "network.create_organization"

RECORD_ACTIVITIES = "activities.record"
VIEW_PROGRAM = "activities.dashboard"

EDIT_SERVICES = "directory.edit"
REVIEW_SERVICES = "directory.review"

VIEW_CLIENTS = "clients.view"  # pseudonymous profiles and consents
CHANGE_CLIENTS = "clients.change"  # edit profiles, record consents
READ_IDENTITY = "clients.identity"  # the identity vault: register, read and edit identities
OVERRIDE_CONSENT = "clients.consent_override"  # act without consent, with a recorded reason
MANAGE_PRIVACY = "clients.privacy"  # retention policy, incident register (Law 25)

VIEW_FUNDING = "funding.view"  # programs, rule versions, trying the rules on a person
MANAGE_FUNDING = "funding.manage"  # create programs, add rule versions
MANAGE_AGREEMENTS = "funding.agreements"  # the organization's agreements, amounts, targets
VIEW_PORTFOLIO = "funding.portfolio"  # the organization's revenue by funder, renewals
ADVISE = "funding.advise"  # a funder's advisor: reports received, organizations followed

PREPARE_REPORTS = "reporting.prepare"  # draft and submit the organization's reports
VIEW_REPORTS = "reporting.view"  # read the organization's reports and annual reports

MANAGE_SURVEYS = "surveys.manage"  # questionnaires, surveys, links, results, "you said, we did"
READ_FREE_TEXT = "surveys.free_text"  # read what respondents wrote in their own words
RUN_ROUND_TABLE = "surveys.round_table"  # a round table's members, meetings, recommendations

MANAGE_CALLS = "grants.manage"  # a funder's calls, reviewer assignments, allocation, decisions
APPLY_GRANTS = "grants.apply"  # the organization's applications and funded projects
REVIEW_GRANTS = "grants.review"  # score the applications one is assigned (never one's own)

REVIEW_OVERLAP = "insights.review"  # the city's queue of overlap suggestions, coverage gaps

CAPABILITIES = (
    VIEW,
    CHANGE,
    MANAGE_MEMBERS,
    CREATE_ORGANIZATION,
    RECORD_ACTIVITIES,
    VIEW_PROGRAM,
    EDIT_SERVICES,
    REVIEW_SERVICES,
    VIEW_CLIENTS,
    CHANGE_CLIENTS,
    READ_IDENTITY,
    OVERRIDE_CONSENT,
    MANAGE_PRIVACY,
    VIEW_FUNDING,
    MANAGE_FUNDING,
    MANAGE_AGREEMENTS,
    VIEW_PORTFOLIO,
    ADVISE,
    PREPARE_REPORTS,
    VIEW_REPORTS,
    MANAGE_SURVEYS,
    READ_FREE_TEXT,
    RUN_ROUND_TABLE,
    MANAGE_CALLS,
    APPLY_GRANTS,
    REVIEW_GRANTS,
    REVIEW_OVERLAP,
)

ALL_ROLES = frozenset(Role)

# Within one's own organization.
ROLE_CAPABILITIES: dict[str, frozenset[Role]] = {
    VIEW: ALL_ROLES,
    CHANGE: frozenset({Role.DIRECTOR, Role.ADMINISTRATOR, Role.COORDINATOR}),
    MANAGE_MEMBERS: frozenset({Role.DIRECTOR, Role.ADMINISTRATOR}),
    CREATE_ORGANIZATION: frozenset(),
    RECORD_ACTIVITIES: frozenset(
        {
            Role.LIAISON_OFFICER,
            Role.COMMUNITY_WORKER,
            Role.INTAKE_WORKER,
            Role.COORDINATOR,
            Role.DIRECTOR,
            Role.ADMINISTRATOR,
        }
    ),
    VIEW_PROGRAM: frozenset(
        {
            Role.LIAISON_OFFICER,
            Role.COORDINATOR,
            Role.DIRECTOR,
            Role.DATA_STEWARD,
            Role.ADMINISTRATOR,
        }
    ),
    # Those who describe the organization's services to the public.
    EDIT_SERVICES: frozenset(
        {
            Role.LIAISON_OFFICER,
            Role.COMMUNITY_WORKER,
            Role.INTAKE_WORKER,
            Role.COORDINATOR,
            Role.DIRECTOR,
            Role.ADMINISTRATOR,
        }
    ),
    # Reviewing the directory is the city's job, never an organization's own.
    REVIEW_SERVICES: frozenset(),
    VIEW_CLIENTS: frozenset(
        {
            Role.INTAKE_WORKER,
            Role.COMMUNITY_WORKER,
            Role.COORDINATOR,
            Role.DIRECTOR,
            Role.DATA_STEWARD,
        }
    ),
    CHANGE_CLIENTS: frozenset(
        {Role.INTAKE_WORKER, Role.COMMUNITY_WORKER, Role.COORDINATOR, Role.DIRECTOR}
    ),
    # Those who meet the person; not the data steward (works on pseudonymous data), not funders.
    READ_IDENTITY: frozenset({Role.INTAKE_WORKER, Role.COMMUNITY_WORKER, Role.DIRECTOR}),
    OVERRIDE_CONSENT: frozenset({Role.DIRECTOR}),
    # The person in charge of protecting personal information is, by default, the director.
    MANAGE_PRIVACY: frozenset({Role.DIRECTOR}),
    # Every member reads the programs and their rules (they decide whom an organization may
    # count); a funder's administrators change their own programs' rules.
    VIEW_FUNDING: ALL_ROLES,
    MANAGE_FUNDING: frozenset({Role.ADMINISTRATOR}),
    # An organization enters its own agreements; its director and coordinators answer for them.
    MANAGE_AGREEMENTS: frozenset({Role.DIRECTOR, Role.COORDINATOR, Role.ADMINISTRATOR}),
    VIEW_PORTFOLIO: frozenset({Role.DIRECTOR, Role.COORDINATOR, Role.ADMINISTRATOR}),
    # Held in the funder's own organization: reaches the reports sent to that funder.
    ADVISE: frozenset({Role.FUNDER_ADVISOR}),
    PREPARE_REPORTS: frozenset({Role.DIRECTOR, Role.COORDINATOR, Role.DATA_STEWARD}),
    VIEW_REPORTS: frozenset(
        {
            Role.DIRECTOR,
            Role.COORDINATOR,
            Role.DATA_STEWARD,
            Role.ADMINISTRATOR,
            Role.LIAISON_OFFICER,
        }
    ),
    MANAGE_SURVEYS: frozenset(
        {
            Role.DIRECTOR,
            Role.COORDINATOR,
            Role.LIAISON_OFFICER,
            Role.COMMUNITY_WORKER,
            Role.DATA_STEWARD,
        }
    ),
    # Free text may name people or tell their story: those who answer for the service only.
    READ_FREE_TEXT: frozenset({Role.DIRECTOR, Role.COORDINATOR}),
    # Held in the round table's own organization (its coordination, its secretariat).
    RUN_ROUND_TABLE: frozenset({Role.DIRECTOR, Role.COORDINATOR, Role.ADMINISTRATOR}),
    # Held in the funder's organization (the City's service, a borough, a foundation).
    MANAGE_CALLS: frozenset({Role.DIRECTOR, Role.COORDINATOR, Role.ADMINISTRATOR}),
    APPLY_GRANTS: frozenset({Role.DIRECTOR, Role.COORDINATOR}),
    # A reviewer reaches only the applications assigned to them (grants.selectors).
    REVIEW_GRANTS: frozenset({Role.GRANT_REVIEWER}),
    # The city's coordination reviews overlap across organizations (network-wide grant below).
    REVIEW_OVERLAP: frozenset(),
}

# Across the network: (role, kind of the organization the role is held in) -> capabilities.
# The city's coordinators (Service de la diversité sociale, BINAM, Service des bibliothèques) see
# the whole network's organizations, sites and partnerships, register new organizations and
# review the directory; the city's platform administrators also enter every funder's rules (the
# MIFI's among them). No network-wide grant on clients, on purpose: a city service never reads
# another organization's clients.
NETWORK_WIDE: dict[tuple[Role, str], frozenset[str]] = {
    (Role.COORDINATOR, OrganizationKind.CITY_SERVICE): frozenset(
        {VIEW, CREATE_ORGANIZATION, VIEW_PROGRAM, REVIEW_SERVICES, VIEW_FUNDING, REVIEW_OVERLAP}
    ),
    (Role.ADMINISTRATOR, OrganizationKind.CITY_SERVICE): frozenset(
        {
            VIEW,
            CREATE_ORGANIZATION,
            VIEW_PROGRAM,
            REVIEW_SERVICES,
            VIEW_FUNDING,
            MANAGE_FUNDING,
            REVIEW_OVERLAP,
        }
    ),
}


@dataclass(frozen=True)
class Grant:
    """The organizations where a user holds a capability; `everywhere` for network-wide grants."""

    everywhere: bool
    organization_ids: frozenset[int]

    def covers(self, organization_id: int | None) -> bool:
        return self.everywhere or (
            organization_id is not None and organization_id in self.organization_ids
        )


NOTHING = Grant(False, frozenset())
EVERYTHING = Grant(True, frozenset())


def _active_memberships(user: Any) -> list[tuple[int, str, str]]:
    """(organization id, role, organization kind) of the user's current memberships, cached on the user."""
    cached = getattr(user, "_ancrage_memberships", None)
    if cached is None:
        membership = apps.get_model("network", "Membership")
        cached = list(
            membership.objects.current()
            .filter(user_id=user.pk)
            .values_list("organization_id", "role", "organization__kind")
        )
        user._ancrage_memberships = cached
    return cached


def forget_memberships(user: Any) -> None:
    """Drop the per-request cache after the user's memberships change."""
    if hasattr(user, "_ancrage_memberships"):
        del user._ancrage_memberships


def grant_for(user: Any, capability: str) -> Grant:
    if capability not in CAPABILITIES:
        raise ValueError(f"Unknown capability: {capability!r}")
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    roles = ROLE_CAPABILITIES[capability]
    ids = set()
    for organization_id, role, kind in _active_memberships(user):
        if capability in NETWORK_WIDE.get((role, kind), frozenset()):
            return EVERYTHING
        if role in roles:
            ids.add(organization_id)
    return Grant(False, frozenset(ids))


def has_capability(user: Any, capability: str, organization_id: int | None = None) -> bool:
    """True if the user holds the capability in that organization (or anywhere, if None)."""
    grant = grant_for(user, capability)
    if organization_id is None:
        return grant.everywhere or bool(grant.organization_ids)
    return grant.covers(organization_id)


def holds_in_kinds(user: Any, capability: str, kinds: Iterable[str]) -> bool:
    """Whether the user holds the capability in an organization of one of these kinds (e.g. a
    call for projects is managed in a funder, not in every organization whose director it is)."""
    grant = grant_for(user, capability)
    if grant.everywhere:
        return True
    wanted = set(kinds)
    return any(
        organization_id in grant.organization_ids and kind in wanted
        for organization_id, _role, kind in _active_memberships(user)
    )


def _owner_path(model: type[models.Model]) -> str:
    try:
        return model.TENANT_OWNER  # type: ignore[attr-defined]
    except AttributeError as exc:
        raise TypeError(
            f"{model.__name__} does not declare TENANT_OWNER; it cannot be scoped."
        ) from exc


def _lookup(path: str) -> str:
    return f"{path}__in" if path else "pk__in"


def scoped(
    model_or_queryset: type[M] | QuerySet[M], user: Any, capability: str = VIEW
) -> QuerySet[M]:
    """The rows of an organization-owned model that `user` may see (or act on) with `capability`.

    Readers (`TENANT_READERS`) are honoured for viewing only: a partner may read a partnership that
    names it, never change it.
    """
    queryset = (
        model_or_queryset.objects.all()
        if isinstance(model_or_queryset, type)
        else model_or_queryset
    )
    model = queryset.model
    owner = _owner_path(model)
    grant = grant_for(user, capability)
    if grant.everywhere:
        return queryset
    if not grant.organization_ids:
        return queryset.none()
    ids = grant.organization_ids
    condition = Q(**{_lookup(owner): ids})
    if capability == VIEW:
        readers: Iterable[str] = getattr(model, "TENANT_READERS", ())
        for path in readers:
            condition |= Q(**{_lookup(path): ids})
    return queryset.filter(condition)


BIGINT_MAX = 2**63 - 1


def object_for(model: type[M], user: Any, capability: str = VIEW, **lookup: Any) -> M:
    """The one object a view may act on, or 404 (not visible) / 403 (visible, not allowed).

    A forged or foreign id is indistinguishable from a missing one: 404.
    """
    if any(isinstance(v, int) and not 0 <= v <= BIGINT_MAX for v in lookup.values()):
        raise Http404
    found = scoped(model, user, capability).filter(**lookup).first()
    if found is not None:
        return found
    if capability != VIEW and scoped(model, user, VIEW).filter(**lookup).exists():
        raise PermissionDenied
    raise Http404
