"""`ancrage seed-demo`: the Montréal demonstration network, as someone trying the demo sees it."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum
from django.test import Client, RequestFactory
from django.utils import timezone
from django.utils.translation import gettext

from ancrage.activities.models import Activity, Attendance, OutreachContact, Session
from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import AuditEvent, Borough
from ancrage.core.reference_data import LIAISON_PILOT_BOROUGHS
from ancrage.demo.montreal import DEMO_PASSWORD, SUPERUSER_EMAIL, build_plan
from ancrage.funding.models import FundingProgram
from ancrage.network.models import Membership, Organization, Partnership, Site

User = get_user_model()
POSTAL_CODE = re.compile(r"^H\d[A-Z] \d[A-Z]\d$")


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed-demo", *args, stdout=out)
    return out.getvalue()


def can_log_in(email: str) -> bool:
    # django-axes needs the request that a real login form would carry.
    request = RequestFactory().post("/")
    return Client().login(request=request, username=email, password=DEMO_PASSWORD)


def snapshot() -> dict[str, list]:
    """What the database holds, without ids or timestamps: equal snapshots, same demo."""
    return {
        "organizations": sorted(
            (name, code or "", kind, mission)
            for name, code, kind, mission in Organization.objects.values_list(
                "name", "borough__code", "kind", "mission"
            )
        ),
        "sites": sorted(
            Site.objects.values_list("organization__name", "name", "street_address", "postal_code")
        ),
        "people": sorted(
            Membership.objects.values_list(
                "user__username",
                "user__first_name",
                "user__last_name",
                "organization__name",
                "role",
            )
        ),
        "partnerships": sorted(
            Partnership.objects.values_list("organization__name", "partner__name", "kinds")
        ),
        "activities": sorted(
            (org, title["fr"], str(officer or ""))
            for org, title, officer in Activity.objects.values_list(
                "organization__name", "title", "officer__username"
            )
        ),
        "sessions": Session.objects.count(),
        "funding_programs": sorted(FundingProgram.objects.values_list("code", "rules__valid_from")),
        "cancelled": Session.objects.filter(status=Session.Status.CANCELLED).count(),
        "session_times": sorted(
            (title["fr"], str(starts_at))
            for title, starts_at in Session.objects.values_list("activity__title", "starts_at")
        ),
        "attendance": Attendance.objects.aggregate(
            total=Sum("total"), newcomers=Sum("newcomers"), women=Sum("women"), rows=Count("pk")
        ),
        "outreach": sorted(
            OutreachContact.objects.values_list(
                "officer__username", "met_on", "place", "people_met"
            )
        ),
    }


@pytest.mark.django_db
def test_demo_network_looks_like_montreal():
    output = seed()

    assert Borough.objects.count() == 19
    branches = Site.objects.filter(kind=Site.Kind.LIBRARY_BRANCH).select_related("organization")
    assert branches.count() == 45
    assert {b.borough_id for b in branches} == set(Borough.objects.values_list("pk", flat=True))
    assert all(b.organization.kind == OrganizationKind.LIBRARY for b in branches)
    assert all(b.organization.borough_id == b.borough_id for b in branches)
    assert Organization.objects.filter(kind=OrganizationKind.LIBRARY).count() == 19
    assert Organization.objects.filter(kind=OrganizationKind.BOROUGH).count() == 19
    assert all(
        POSTAL_CODE.match(code) for code in Site.objects.values_list("postal_code", flat=True)
    )

    liaison = Membership.objects.filter(role=Role.LIAISON_OFFICER).select_related(
        "organization__borough"
    )
    assert liaison.count() == 4
    assert {m.organization.borough.code for m in liaison} == set(LIAISON_PILOT_BOROUGHS)
    for membership in liaison:
        sites = list(membership.sites.all())
        assert sites, membership
        assert all(s.kind == Site.Kind.LIBRARY_BRANCH for s in sites)
        assert all(s.borough_id == membership.organization.borough_id for s in sites)

    community = Organization.objects.filter(
        kind__in=[OrganizationKind.COMMUNITY_ORGANIZATION, OrganizationKind.SOCIAL_ECONOMY]
    )
    assert community.count() >= 110
    assert all(org.mission for org in community)
    assert community.filter(is_autonomous_community_action=True).count() > community.count() / 2
    # More organizations where more newcomers settle.
    assert (
        community.filter(borough__code="cote-des-neiges-notre-dame-de-grace").count()
        > community.filter(borough__code="outremont").count()
    )
    funders = dict(
        Organization.objects.filter(kind=OrganizationKind.FUNDER).values_list("acronym", "borough")
    )
    assert "MIFI" in funders and funders["MIFI"] is None
    assert Organization.objects.filter(name="Centraide du Grand Montréal").exists()
    assert Organization.objects.filter(acronym="BINAM", kind=OrganizationKind.CITY_SERVICE).exists()
    assert Organization.objects.filter(kind=OrganizationKind.ROUND_TABLE).count() >= 2
    assert not Organization.objects.filter(is_synthetic=False).exists()
    assert Partnership.objects.count() >= 200
    # Created through the services: every organization has its audit event.
    assert AuditEvent.objects.filter(
        target_type="network.organization", action="create"
    ).count() == (Organization.objects.count())

    for role in Role:
        membership = (
            Membership.objects.filter(role=role, user__username__endswith="@demo.ancrage.ca")
            .select_related("user")
            .order_by("user__username")
        )
        accounts = [m.user.username for m in membership if m.user.username in output]
        assert accounts, f"no demo account printed for {role}"
        assert can_log_in(accounts[0]), accounts[0]
    assert User.objects.get(username=SUPERUSER_EMAIL).is_superuser
    assert can_log_in(SUPERUSER_EMAIL)
    assert DEMO_PASSWORD in output
    # The summary gives the activity figures too (in the language the command speaks).
    figures = {
        "count": Activity.objects.count(),
        "sessions": Session.objects.count(),
        "cancelled": Session.objects.filter(status=Session.Status.CANCELLED).count(),
    }
    assert figures["count"] and figures["sessions"]
    assert (
        gettext("Activities: %(count)d; sessions: %(sessions)d, of which %(cancelled)d cancelled")
        % figures
        in output
    )
    outreach = {"count": OutreachContact.objects.count()}
    assert gettext("Outreach contacts: %(count)d") % outreach in output
    assert str(Attendance.objects.aggregate(n=Sum("total"))["n"]) in output


@pytest.mark.django_db
def test_a_year_of_liaison_program_activity():
    seed()
    now = timezone.now()
    held = Attendance.objects.filter(session__starts_at__gte=now - timedelta(days=366))
    pilot = held.filter(
        session__activity__officer__in=Membership.objects.filter(role=Role.LIAISON_OFFICER).values(
            "user"
        ),
        session__activity__borough__code__in=LIAISON_PILOT_BOROUGHS,
    )
    # The program's figure: more than 10,000 people in 12 months by four officers.
    pilot_total = pilot.aggregate(n=Sum("total"))["n"]
    assert 9_000 <= pilot_total <= 13_000
    assert pilot.values("session__activity__officer").distinct().count() == 4
    # Every library branch runs something; some community organizations too.
    branches = Site.objects.filter(kind=Site.Kind.LIBRARY_BRANCH)
    assert not branches.exclude(activities__isnull=False).exists()
    assert Activity.objects.filter(
        organization__kind=OrganizationKind.COMMUNITY_ORGANIZATION
    ).exists()
    # Attendance only on past sessions that were not cancelled; counts add up.
    assert not Attendance.objects.filter(session__starts_at__gt=now).exists()
    assert not Attendance.objects.filter(session__status=Session.Status.CANCELLED).exists()
    assert Session.objects.filter(status=Session.Status.CANCELLED).exists()
    assert Session.objects.filter(starts_at__gt=now).exists()  # the calendar has a future
    for activity in Activity.objects.all()[:50]:
        assert activity.title.get("fr") and activity.title.get("en")
    outside = Activity.objects.filter(site__isnull=True).exclude(venue_kind="library")
    assert outside.exists()
    assert OutreachContact.objects.values("officer").distinct().count() == 4


@pytest.mark.django_db
def test_running_again_refuses_keeps_or_rebuilds_the_same_data():
    seed("--seed", "2026")
    first = snapshot()
    events = AuditEvent.objects.count()
    # The funders' programs come with their eligibility rules (PASI, francization, the city's).
    assert {"pasi-stream-1", "pili-francization"} <= {
        code for code, _since in first["funding_programs"]
    }

    # `make demo` runs this on every start: it must not duplicate anything.
    output = seed("--if-empty")
    assert snapshot() == first
    assert "direction@demo.ancrage.ca" in output and DEMO_PASSWORD in output

    with pytest.raises(CommandError, match="--reset"):
        seed()
    assert snapshot() == first

    seed("--reset", "--seed", "2026")
    assert snapshot() == first
    # The reset leaves the append-only audit log alone, and says it happened.
    assert AuditEvent.objects.count() > events
    assert AuditEvent.objects.filter(action="delete", reason="Demo data reset").count() == 1

    seed("--reset", "--seed", "7")
    other = snapshot()
    assert other["people"] != first["people"]
    assert other["organizations"] != first["organizations"]
    assert other["partnerships"] != first["partnerships"]
    assert other["attendance"] != first["attendance"]
    assert Membership.objects.filter(role=Role.LIAISON_OFFICER).count() == 4
    # The accounts to try the demo with do not depend on the seed.
    assert can_log_in("direction@demo.ancrage.ca")


@pytest.mark.django_db
def test_city_scale_over_a_reset_is_refused_without_writing_anything():
    # The city is generated into an empty database only (tests/demo/test_city.py generates one).
    with pytest.raises(CommandError, match="--reset"):
        seed("--scale", "city", "--reset")
    assert not Organization.objects.exists()


def test_plan_is_deterministic_and_consistent():
    plan = build_plan(2026)
    assert build_plan(2026) == plan
    assert build_plan(2027) != plan
    names = [(o.name.lower(), o.borough) for o in plan.organizations]
    assert len(names) == len(set(names))
    emails = [p.email for p in plan.people]
    assert len({(p.email, p.organization, p.role) for p in plan.people}) == len(emails)
    assert len(set(emails)) == len(emails)
    for org in plan.organizations:
        assert len({s.name.lower() for s in org.sites}) == len(org.sites)
    pairs = [frozenset((p.organization, p.partner)) for p in plan.partnerships]
    assert len(pairs) == len(set(pairs))
