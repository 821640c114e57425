"""Isolation matrix: every organization-owned URL × every role of organization A × B's objects.

The URL list is read from the project's URL configuration, so a new URL that takes an id fails
`test_every_object_url_is_in_the_matrix` until it is added here.
"""

import uuid
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import UUIDConverter

from ancrage.core.choices import OrganizationKind, Role
from ancrage.network.models import Organization, Partnership, Site
from tests import factories

pytestmark = pytest.mark.django_db

SECRET = "Organisme-B-confidentiel"


@dataclass
class Victim:
    organization: Organization
    site: Site
    membership_pk: int
    partnership: Partnership
    activity_pk: int = 0  # activities of B: one past session
    session_pk: int = 0
    service_pk: uuid.UUID | None = None  # directory: a published service of B with a draft edit
    revision_pk: int = 0
    program_pk: uuid.UUID | None = None
    client_pk: int = 0  # clients: a client of B with a name in the vault
    agreement_pk: int = 0  # funding: an agreement of B with an amount, a target and a report
    amount_pk: int = 0
    target_pk: int = 0
    report_pk: int = 0
    follow_pk: int = 0  # an advisor of B's funder follows B
    advisor: object = None


@pytest.fixture
def victim(db) -> Victim:
    organization = factories.OrganizationFactory(name=SECRET, mission="Mission secrète de B")
    site = factories.SiteFactory(organization=organization, name=f"Site {SECRET}")
    staff = factories.member(organization, Role.INTAKE_WORKER, last_name=SECRET)
    third = factories.OrganizationFactory(name="Organisme C")
    partnership = factories.PartnershipFactory(organization=organization, partner=third)
    victim = Victim(organization, site, staff.memberships.get().pk, partnership)
    activity = factories.ActivityFactory(
        organization=organization, title={"fr": f"Activité {SECRET}", "en": f"Activity {SECRET}"}
    )
    victim.activity_pk = activity.pk
    victim.session_pk = factories.SessionFactory(activity=activity).pk
    _directory_of(victim)
    from ancrage.clients.services import client_register

    victim.client_pk = client_register(
        actor=staff,
        organization=organization,
        profile={},
        identity={"given_names": SECRET, "family_names": SECRET},
    ).pk
    _funding_of(victim)
    return victim


def _funding_of(victim: Victim) -> None:
    """B's agreement under a funder's program, with an amount, a target, an open report, and an
    advisor of that funder who follows B."""
    from datetime import date

    from ancrage.funding import services
    from ancrage.reporting.services import report_draft_open

    funder = factories.OrganizationFactory(name="Bailleur (matrice)", kind=OrganizationKind.FUNDER)
    program = services.program_create(
        actor=None, funder=funder, code="matrix-p", names={"fr": "P", "en": "P"}
    )
    agreement = services.agreement_create(
        actor=None,
        organization=victim.organization,
        program=program,
        starts_on=date(2025, 4, 1),
        ends_on=date(2099, 3, 31),
        restrictions=f"Restriction {SECRET}",
    )
    year = {"period_start": date(2025, 4, 1), "period_end": date(2026, 3, 31)}
    victim.agreement_pk = agreement.pk
    victim.amount_pk = services.amount_set(actor=None, agreement=agreement, amount=1, **year).pk
    victim.target_pk = services.target_set(
        actor=None, agreement=agreement, metric="services", value=1, **year
    ).pk
    director = factories.member(victim.organization, Role.DIRECTOR)
    victim.report_pk = report_draft_open(
        actor=director, agreement=agreement, period_start=date(2025, 4, 1)
    ).pk
    victim.advisor = factories.member(funder, Role.FUNDER_ADVISOR)
    victim.follow_pk = services.organization_follow(
        actor=victim.advisor, funder=funder, organization=victim.organization
    ).pk


def _directory_of(victim: Victim) -> None:
    from ancrage.directory.content import service_content
    from ancrage.directory.models import Program, ServiceRevision

    program = Program.objects.create(
        organization=victim.organization, names={"fr": f"Programme {SECRET}", "en": SECRET}
    )
    service = factories.published_service(
        victim.organization, names={"fr": f"Service {SECRET}", "en": f"Service {SECRET}"}
    )
    revision = ServiceRevision.objects.create(
        service=service, number=1, content=service_content(service)
    )
    victim.service_pk, victim.revision_pk, victim.program_pk = service.pk, revision.pk, program.pk


def _referral_of(victim: Victim) -> int:
    """A referral of B's client to the third organization (created on first use)."""
    from ancrage.clients.models import Referral

    referral, _created = Referral.objects.get_or_create(
        client_id=victim.client_pk,
        defaults={
            "from_organization": victim.organization,
            "to_organization_id": victim.partnership.partner_id,
            "reason": f"Raison {SECRET}",
            "basis": "consent",
        },
    )
    return referral.pk


def _incident_of(victim: Victim) -> int:
    """An entry of B's privacy incident register (created on first use)."""
    from ancrage.core.models import PrivacyIncident

    incident, _created = PrivacyIncident.objects.get_or_create(
        organization=victim.organization,
        defaults={
            "discovered_on": "2025-01-15",
            "description": f"Incident {SECRET}",
            "people_affected": 3,
            "serious_injury_risk": False,
        },
    )
    return incident.pk


# url name -> the kwargs that point at organization B's object
OBJECT_URLS = {
    "network:organization_detail": lambda v: {"pk": v.organization.pk},
    "network:organization_edit": lambda v: {"pk": v.organization.pk},
    "network:site_create": lambda v: {"organization_pk": v.organization.pk},
    "network:membership_add": lambda v: {"organization_pk": v.organization.pk},
    "network:partnership_create": lambda v: {"organization_pk": v.organization.pk},
    "network:site_edit": lambda v: {"pk": v.site.pk},
    "network:membership_edit": lambda v: {"pk": v.membership_pk},
    "network:partnership_edit": lambda v: {"pk": v.partnership.pk},
    "activities:manage_activity_create": lambda v: {"organization_pk": v.organization.pk},
    "activities:manage_outreach_create": lambda v: {"organization_pk": v.organization.pk},
    "activities:manage_activity": lambda v: {"pk": v.activity_pk},
    "activities:manage_activity_edit": lambda v: {"pk": v.activity_pk},
    "activities:manage_session_new": lambda v: {"pk": v.activity_pk},
    "activities:manage_series_new": lambda v: {"pk": v.activity_pk},
    "activities:manage_attendance": lambda v: {"pk": v.session_pk},
    "activities:manage_session_cancel": lambda v: {"pk": v.session_pk},
    "activities:manage_session_move": lambda v: {"pk": v.session_pk},
    "directory:manage_service_create": lambda v: {"organization_pk": v.organization.pk},
    "directory:manage_program_create": lambda v: {"organization_pk": v.organization.pk},
    "directory:manage_program_edit": lambda v: {"pk": v.program_pk},
    "directory:manage_service": lambda v: {"pk": v.service_pk},
    "directory:manage_service_edit": lambda v: {"pk": v.service_pk},
    "directory:manage_service_verify": lambda v: {"pk": v.service_pk},
    "directory:manage_service_history": lambda v: {"pk": v.service_pk},
    "directory:manage_revision": lambda v: {"pk": v.revision_pk},
    "directory:manage_revision_edit": lambda v: {"pk": v.revision_pk},
    "clients:client_create": lambda v: {"organization_pk": v.organization.pk},
    "clients:client_detail": lambda v: {"pk": v.client_pk},
    "clients:client_edit": lambda v: {"pk": v.client_pk},
    "clients:identity_edit": lambda v: {"pk": v.client_pk},
    "clients:consents": lambda v: {"pk": v.client_pk},
    "clients:consent_override": lambda v: {"pk": v.client_pk},
    "clients:consent_form": lambda v: {"pk": v.client_pk},
    "clients:privacy": lambda v: {"organization_pk": v.organization.pk},
    "clients:privacy_retention": lambda v: {"organization_pk": v.organization.pk},
    "clients:privacy_incident_create": lambda v: {"organization_pk": v.organization.pk},
    "clients:privacy_incident_edit": lambda v: {"pk": _incident_of(v)},
    "clients:privacy_client": lambda v: {"pk": v.client_pk},
    "clients:privacy_export_json": lambda v: {"pk": v.client_pk},
    "clients:privacy_export_pdf": lambda v: {"pk": v.client_pk},
    "clients:service_create": lambda v: {"pk": v.client_pk},
    "clients:needs_create": lambda v: {"pk": v.client_pk},
    "clients:referral_create": lambda v: {"pk": v.client_pk},
    "clients:referral_detail": lambda v: {"pk": _referral_of(v)},
    "clients:group_services": lambda v: {"pk": v.session_pk},
    "clients:service_types": lambda v: {"organization_pk": v.organization.pk},
    "funding:agreement_list": lambda v: {"organization_pk": v.organization.pk},
    "funding:agreement_create": lambda v: {"organization_pk": v.organization.pk},
    "funding:agreement_detail": lambda v: {"pk": v.agreement_pk},
    "funding:agreement_edit": lambda v: {"pk": v.agreement_pk},
    "funding:amount_set": lambda v: {"pk": v.agreement_pk},
    "funding:target_set": lambda v: {"pk": v.agreement_pk},
    "funding:amount_remove": lambda v: {"pk": v.amount_pk},
    "funding:target_remove": lambda v: {"pk": v.target_pk},
    "reporting:report_detail": lambda v: {"pk": v.report_pk},
    "reporting:report_download": lambda v: {
        "pk": v.report_pk,
        "format": "pdf",
        "language": "fr-ca",
    },
    "reporting:annual_report": lambda v: {"organization_pk": v.organization.pk},
    "reporting:plain_report": lambda v: {"organization_pk": v.organization.pk},
}

# URLs for the city's coordinators only (network-wide capabilities), never for B's own staff: they
# are checked like the others, except that a coordinator of a city service, not B's director,
# reaches them.
COORDINATOR_URLS = {
    "directory:manage_review_settings": lambda v: {"organization_pk": v.organization.pk},
}
# URLs of a funder's advisor about an organization the funder pays: reached by an advisor of B's
# funder, never by anyone of A.
ADVISOR_URLS = {
    "funding:advisor_organization": lambda v: {"organization_pk": v.organization.pk},
    "funding:visit_create": lambda v: {"organization_pk": v.organization.pk},
    "funding:advisor_unfollow": lambda v: {"pk": v.follow_pk},
}
ALL_URLS = {**OBJECT_URLS, **COORDINATOR_URLS, **ADVISOR_URLS}

# Forms posted at B's objects: a forged POST must not change anything either.
HOSTILE_POST = {
    "name": "Piraté",
    "kind": "community_organization",
    "borough": "",
    "street_address": "1 rue X",
    "email": "intrus@example.org",
    "role": "director",
    "partner": "",
    "kinds": ["reference"],
    "transition": "publish",
    "decision": "require",
    "reason": "Piraté",
    "name_fr": "Piraté",
    "name_en": "Hacked",
    "description_fr": "Piraté",
    "description_en": "Hacked",
    "status": "active",
}


def _object_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            child = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace == "admin":
                continue
            yield from _object_url_names(entry, child)
        elif isinstance(entry, URLPattern) and entry.name and entry.pattern.converters:
            yield f"{namespace}{entry.name}"


# URLs with parameters that do not name an organization's record.
NOT_ORGANIZATION_OWNED = {
    "password_reset_confirm",
    # Public iCalendar feeds of public activities (tests/activities/test_ical.py checks the 404s).
    "activities:organization_feed",
    "activities:site_feed",
    # The public directory and its HSDS API show published services only (tests/directory and
    # tests/api check that drafts and unpublished services are 404 there).
    "directory:service",
    "hsds:service",
    "hsds:organization",
    "hsds:service_at_location",
    "hsds:taxonomy",
    "hsds:taxonomy_term",
}


def test_every_object_url_is_in_the_matrix():
    assert set(_object_url_names()) - NOT_ORGANIZATION_OWNED == set(ALL_URLS)


def _snapshot(v: Victim):
    from ancrage.directory.models import Program, ReviewRequirement, Service, ServiceRevision

    v.organization.refresh_from_db()
    v.site.refresh_from_db()
    service = Service.objects.get(pk=v.service_pk)
    return (
        v.organization.name,
        v.organization.mission,
        v.site.name,
        v.organization.memberships.count(),
        v.organization.sites.count(),
        v.organization.partnerships.count(),
        service.names,
        service.assured_date,
        list(ServiceRevision.objects.values_list("pk", "state", "content")),
        Service.objects.count(),
        list(Program.objects.values_list("names", flat=True)),
        ReviewRequirement.objects.count(),
    )


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("url_name", sorted(ALL_URLS))
def test_member_of_a_gets_nothing_of_b(role, url_name, victim, org_a, client_of):
    user = factories.member(org_a, role)
    client = client_of(user)
    url = reverse(url_name, kwargs=ALL_URLS[url_name](victim))
    before = _snapshot(victim)

    for response in (client.get(url), client.post(url, HOSTILE_POST)):
        assert response.status_code in (403, 404), (url, response.status_code)
        assert SECRET not in response.content.decode()
    assert _snapshot(victim) == before


@pytest.mark.parametrize("url_name", sorted(ALL_URLS))
def test_non_member_and_anonymous_get_nothing(url_name, victim, client, client_of):
    url = reverse(url_name, kwargs=ALL_URLS[url_name](victim))
    outsider = client_of(factories.UserFactory())
    for response in (outsider.get(url), outsider.post(url, HOSTILE_POST)):
        assert response.status_code in (403, 404)
        assert SECRET not in response.content.decode()
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    before = _snapshot(victim)
    assert client.post(url, HOSTILE_POST).status_code == 302
    assert _snapshot(victim) == before


@pytest.mark.parametrize("url_name", sorted(OBJECT_URLS))
def test_the_matrix_is_not_vacuous_b_director_reaches_every_url(url_name, victim, client_of):
    director_b = factories.member(victim.organization, Role.DIRECTOR)
    url = reverse(url_name, kwargs=OBJECT_URLS[url_name](victim))
    assert client_of(director_b).get(url).status_code == 200


@pytest.mark.parametrize("url_name", sorted(COORDINATOR_URLS))
def test_the_matrix_is_not_vacuous_a_city_coordinator_reaches_them(url_name, victim, client_of):
    city = factories.OrganizationFactory(kind=OrganizationKind.CITY_SERVICE)
    coordinator = factories.member(city, Role.COORDINATOR)
    url = reverse(url_name, kwargs=COORDINATOR_URLS[url_name](victim))
    assert client_of(coordinator).get(url).status_code == 200


@pytest.mark.parametrize("url_name", sorted(ADVISOR_URLS))
def test_the_matrix_is_not_vacuous_b_funders_advisor_reaches_them(url_name, victim, client_of):
    url = reverse(url_name, kwargs=ADVISOR_URLS[url_name](victim))
    assert client_of(victim.advisor).get(url).status_code == 200


def _forged_kwargs(url_name: str):
    """Ids nobody has, for each parameter of the URL: huge or unknown ints, random UUIDs."""
    namespace, _sep, name = url_name.rpartition(":")
    resolver = get_resolver()
    for part in filter(None, namespace.split(":")):
        resolver = next(
            r for r in resolver.url_patterns if isinstance(r, URLResolver) and r.namespace == part
        )
    pattern = next(p for p in resolver.url_patterns if isinstance(p, URLPattern) and p.name == name)
    converters = pattern.pattern.converters
    if all(isinstance(c, UUIDConverter) for c in converters.values()):
        return [{key: uuid.uuid4() for key in converters}]
    return [dict.fromkeys(converters, forged) for forged in (999_999_999, 2**63 + 5)]


@pytest.mark.parametrize("url_name", sorted(ALL_URLS))
def test_forged_ids_are_404(url_name, org_a, client_of):
    director = factories.member(org_a, Role.DIRECTOR)
    client = client_of(director)
    for kwargs in _forged_kwargs(url_name):
        assert client.get(reverse(url_name, kwargs=kwargs)).status_code == 404


def test_lists_never_show_other_organizations(victim, org_a, client_of):
    client = client_of(factories.member(org_a, Role.DIRECTOR))
    for url in (
        reverse("home"),
        reverse("network:organization_list"),
        reverse("network:organization_list") + "?q=confidentiel",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert SECRET not in response.content.decode()


def test_partner_sees_the_partnership_but_not_the_partner_internals(victim, client_of):
    """C is named in B's partnership: C sees it on its own page, and still cannot open B."""
    third = Partnership.objects.get(pk=victim.partnership.pk).partner
    client = client_of(factories.member(third, Role.DIRECTOR))
    own_page = client.get(reverse("network:organization_detail", kwargs={"pk": third.pk}))
    assert SECRET in own_page.content.decode()  # the partner's name, recorded by B, is shown to C
    assert (
        client.get(
            reverse("network:organization_detail", kwargs={"pk": victim.organization.pk})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("network:partnership_edit", kwargs={"pk": victim.partnership.pk})
        ).status_code
        == 403
    )
