"""Writing and clearing the Montréal demo network.

Organizations, sites, memberships and partnerships go through `ancrage.network.services`, so the
demo data passes the same validation as real data and leaves the same audit trail.
"""

import time
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from ancrage.activities.models import Activity, Attendance, OutreachContact, Session
from ancrage.core.audit import audit_record
from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import Borough
from ancrage.core.reference_data import LIAISON_PILOT_BOROUGHS
from ancrage.demo.activities import demo_activities
from ancrage.demo.directory import seed_directory
from ancrage.demo.montreal import (
    DEFAULT_SEED,
    DEMO_ACCOUNTS,
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    SUPERUSER_EMAIL,
    DemoPlan,
    build_plan,
    demo_email,
)
from ancrage.directory.models import Service
from ancrage.funding.demo import reset_funding, seed_funding
from ancrage.grants.demo import reset_grants, seed_grants
from ancrage.insights.services import seed_insights
from ancrage.network.models import Membership, Organization, Partnership, Site
from ancrage.network.services import (
    membership_add,
    organization_create,
    partnership_create,
    site_create,
)
from ancrage.surveys.demo import seed_surveys
from ancrage.surveys.demo_roundtables import reset_round_tables, seed_round_tables
from ancrage.surveys.models import Survey

User = get_user_model()

SUPERUSER_ROLE = "superuser"


class DemoDataExists(Exception):
    """The database already holds organizations: seeding would mix demo and other data."""


class BoroughsMissing(Exception):
    """The borough reference list is not loaded (migrations not applied)."""


@dataclass(frozen=True)
class DemoAccount:
    role: str
    role_label: str
    email: str
    organization: str


@dataclass
class DemoSummary:
    seed: int
    organizations: int
    organizations_by_kind: dict[str, int]
    sites: int
    library_branches: int
    memberships: int
    users: int
    partnerships: int
    accounts: list[DemoAccount] = field(default_factory=list)
    activities: int = 0
    sessions: int = 0
    cancelled_sessions: int = 0
    attendances: int = 0  # head counts added up: not distinct people
    pilot_attendances: int = 0  # those of the four pilot boroughs' Liaison Officers
    outreach_contacts: int = 0
    services: int = 0  # published in the public directory
    seconds: float = 0.0


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def demo_users():
    """Every account the demo created (all of them, and only them, use the demo domain)."""
    return User.objects.filter(username__iendswith="@" + DEMO_DOMAIN)


def demo_accounts() -> list[DemoAccount]:
    """The accounts to try the demo with, as they are in the database now."""
    accounts = []
    for spec in DEMO_ACCOUNTS:
        email = demo_email(spec.local_part)
        membership = (
            Membership.objects.filter(user__username=email, role=spec.role)
            .select_related("organization")
            .first()
        )
        if membership is not None:
            accounts.append(
                DemoAccount(
                    spec.role, str(Role(spec.role).label), email, membership.organization.name
                )
            )
    if User.objects.filter(username=SUPERUSER_EMAIL, is_superuser=True).exists():
        accounts.append(
            DemoAccount(SUPERUSER_ROLE, _("Superuser (Django admin)"), SUPERUSER_EMAIL, "")
        )
    return accounts


def demo_summary(*, seed: int, seconds: float = 0.0) -> DemoSummary:
    counts = dict(
        Organization.objects.order_by()
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return DemoSummary(
        seed=seed,
        organizations=sum(counts.values()),
        organizations_by_kind={
            kind: counts[kind] for kind in OrganizationKind.values if kind in counts
        },
        sites=Site.objects.count(),
        library_branches=Site.objects.filter(kind=Site.Kind.LIBRARY_BRANCH).count(),
        memberships=Membership.objects.count(),
        users=demo_users().count(),
        partnerships=Partnership.objects.count(),
        accounts=demo_accounts(),
        seconds=seconds,
        activities=Activity.objects.count(),
        sessions=Session.objects.count(),
        cancelled_sessions=Session.objects.filter(status=Session.Status.CANCELLED).count(),
        attendances=Attendance.objects.aggregate(n=Sum("total"))["n"] or 0,
        pilot_attendances=Attendance.objects.filter(
            session__activity__officer_id__in=Membership.objects.filter(
                role=Role.LIAISON_OFFICER
            ).values("user_id"),
            session__activity__borough__code__in=LIAISON_PILOT_BOROUGHS,
        ).aggregate(n=Sum("total"))["n"]
        or 0,
        outreach_contacts=OutreachContact.objects.count(),
        services=Service.objects.filter(is_published=True).count(),
    )


def _write_plan(plan: DemoPlan, stdout: TextIO | None) -> None:
    boroughs = {borough.code: borough for borough in Borough.objects.all()}
    needed = {spec.borough for spec in plan.organizations if spec.borough}
    if not needed <= boroughs.keys():
        raise BoroughsMissing(sorted(needed - boroughs.keys()))

    _say(
        stdout,
        _("Creating %(count)d organizations and their sites…") % {"count": len(plan.organizations)},
    )
    organizations: dict[str, Organization] = {}
    sites: dict[tuple[str, str], Site] = {}
    for spec in plan.organizations:
        organization = organization_create(
            actor=None,
            name=spec.name,
            kind=spec.kind,
            borough=boroughs.get(spec.borough) if spec.borough else None,
            boroughs_served=[boroughs[code] for code in spec.boroughs_served],
            # Every demo row is flagged, public bodies included: their contents are invented.
            is_synthetic=True,
            acronym=spec.acronym,
            mission=spec.mission,
            is_autonomous_community_action=spec.is_autonomous_community_action,
            email=spec.email,
            phone=spec.phone,
        )
        organizations[spec.name] = organization
        for site in spec.sites:
            sites[(spec.name, site.name)] = site_create(
                actor=None,
                organization=organization,
                name=site.name,
                kind=site.kind,
                borough=boroughs[site.borough],
                street_address=site.street_address,
                postal_code=site.postal_code,
            )

    _say(stdout, _("Adding %(count)d people to their organizations…") % {"count": len(plan.people)})
    for person in plan.people:
        membership_add(
            actor=None,
            organization=organizations[person.organization],
            email=person.email,
            role=person.role,
            first_name=person.first_name,
            last_name=person.last_name,
            title=person.title,
            sites=[sites[(person.organization, name)] for name in person.sites],
            started_on=person.started_on,
        )
    first_name, last_name = plan.superuser_name
    superuser = User(
        username=SUPERUSER_EMAIL,
        email=SUPERUSER_EMAIL,
        first_name=first_name,
        last_name=last_name,
        is_staff=True,
        is_superuser=True,
    )
    superuser.save()
    audit_record(actor=None, action="create", target=superuser, details={"superuser": True})
    # One hash for every demo account: hashing is deliberately slow (Argon2), and the password is
    # public anyway. New accounts from membership_add had an unusable password until now.
    demo_users().update(password=make_password(DEMO_PASSWORD))

    _say(stdout, _("Recording %(count)d partnerships…") % {"count": len(plan.partnerships)})
    for spec in plan.partnerships:
        partnership_create(
            actor=None,
            organization=organizations[spec.organization],
            partner=organizations[spec.partner],
            kinds=spec.kinds,
            description=spec.description,
            started_on=spec.started_on,
        )


def demo_seed(*, seed: int = DEFAULT_SEED, stdout: TextIO | None = None) -> DemoSummary:
    """Build the whole Montréal demo network in one transaction; refuse if organizations exist."""
    started = time.monotonic()
    plan = build_plan(seed)
    with transaction.atomic():
        if Organization.objects.exists() or demo_users().exists():
            raise DemoDataExists
        _write_plan(plan, stdout)
        demo_activities(seed=seed, stdout=stdout)
        seed_directory(seed=seed, stdout=stdout)
        seed_funding(stdout=stdout)
        seed_surveys(seed=seed, stdout=stdout)
        seed_round_tables(stdout=stdout)
        seed_grants(stdout=stdout)
        seed_insights()
    return demo_summary(seed=seed, seconds=time.monotonic() - started)


@transaction.atomic
def demo_reset(*, stdout: TextIO | None = None) -> dict[str, Any]:
    """Delete every organization (with its sites, memberships and partnerships) and demo account.

    The audit log is append-only: its events stay, and one more records the reset.
    """
    removed = {
        "organizations": Organization.objects.count(),
        "sites": Site.objects.count(),
        "memberships": Membership.objects.count(),
        "partnerships": Partnership.objects.count(),
        "users": demo_users().count(),
        "activities": Activity.objects.count(),
        "outreach_contacts": OutreachContact.objects.count(),
    }
    _say(
        stdout,
        _("Deleting %(organizations)d organizations and %(users)d demo accounts…") % removed,
    )
    # Activities first: their sites are protected while an activity takes place there.
    Attendance.objects.all().delete()
    Activity.objects.all().delete()
    OutreachContact.objects.all().delete()
    # Answers protect their questions: the surveys (and their answers) go first.
    removed["surveys"] = Survey.objects.all().delete()[0]
    # Grants, round tables and funding programs protect the organizations they name.
    removed["grant_calls"] = reset_grants()
    removed["round_tables"] = reset_round_tables()
    removed["funding_programs"] = reset_funding()
    Partnership.objects.all().delete()
    Membership.objects.all().delete()
    Site.objects.all().delete()
    Organization.objects.all().delete()
    demo_users().delete()
    audit_record(actor=None, action="delete", reason="Demo data reset", details=removed)
    return removed
