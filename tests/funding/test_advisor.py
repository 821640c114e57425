"""A funder's partnership advisor: follows organizations that hold an agreement with their funder,
sees those agreements (never another funder's), records visits; the organization never sees the
visit notes; foreign and forged ids are 404."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import AuditEvent
from ancrage.funding import selectors, services
from ancrage.funding.models import AdvisorVisit, FollowedOrganization, FundingKind
from tests import factories
from tests.funding.conftest import make_program
from tests.funding.test_agreements import agreement_of

pytestmark = pytest.mark.django_db

HOME = reverse("funding:advisor_home")
FOLLOW = reverse("funding:advisor_follow")
NOTE = "Note confidentielle du ministère"


@pytest.fixture
def other_funder(db):
    return factories.OrganizationFactory(name="Centraide (test)", kind=OrganizationKind.FUNDER)


@pytest.fixture
def world(funder, other_funder, org_a, org_b):
    """A holds agreements with both funders; B only with the other; C with nobody."""
    today = timezone.localdate()
    pasi = make_program(funder, "pasi-adv")
    centraide = make_program(other_funder, "centraide-adv", kind=FundingKind.MISSION)
    return {
        "pasi_a": agreement_of(
            org_a,
            pasi,
            today - timedelta(days=200),
            today + timedelta(days=60),
            restrictions="Restriction PASI",
        ),
        "centraide_a": agreement_of(
            org_a,
            centraide,
            today - timedelta(days=200),
            today + timedelta(days=300),
            restrictions="Restriction Centraide",
        ),
        "centraide_b": agreement_of(
            org_b, centraide, today - timedelta(days=10), today + timedelta(days=100)
        ),
        "third": factories.OrganizationFactory(name="Organisme C"),
    }


@pytest.fixture
def advisor(funder):
    return factories.member(funder, Role.FUNDER_ADVISOR)


@pytest.fixture
def rival(other_funder):
    return factories.member(other_funder, Role.FUNDER_ADVISOR)


def visit(actor, funder, organization, **fields):
    values = {
        "visited_on": timezone.localdate() - timedelta(days=3),
        "open_questions": NOTE,
        "follow_ups": "Envoyer le calendrier.",
        "follow_up_by": timezone.localdate() + timedelta(days=10),
        **fields,
    }
    return services.visit_record(actor=actor, funder=funder, organization=organization, **values)


# --- Services -----------------------------------------------------------------------------------


def test_an_advisor_follows_organizations_their_funder_funds(world, funder, advisor, org_a, org_b):
    follow = services.organization_follow(actor=advisor, funder=funder, organization=org_a)
    again = services.organization_follow(actor=advisor, funder=funder, organization=org_a)
    assert follow.pk == again.pk and FollowedOrganization.objects.count() == 1
    assert AuditEvent.objects.filter(target_type="funding.followedorganization").count() == 1
    with pytest.raises(ValidationError):
        services.organization_follow(actor=advisor, funder=funder, organization=org_b)
    with pytest.raises(ValidationError):
        services.organization_follow(actor=advisor, funder=funder, organization=world["third"])
    assert FollowedOrganization.objects.count() == 1


def test_only_an_advisor_of_that_funder_acts_for_it(world, funder, org_a, director_a, rival):
    for actor in (director_a, rival, factories.member(funder, Role.ADMINISTRATOR)):
        with pytest.raises(PermissionDenied):
            services.organization_follow(actor=actor, funder=funder, organization=org_a)
        with pytest.raises(PermissionDenied):
            visit(actor, funder, org_a)
    assert not FollowedOrganization.objects.exists() and not AdvisorVisit.objects.exists()


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"visited_on": timezone.localdate() + timedelta(days=1)}, "visited_on"),
        ({"visited_on": date(1850, 1, 1)}, "visited_on"),
        ({"visited_on": "2026-01-01"}, "visited_on"),
        ({"follow_up_by": timezone.localdate() - timedelta(days=30)}, "follow_up_by"),
        ({"open_questions": "", "follow_ups": "", "follow_up_by": None}, "open_questions"),
        ({"follow_ups": ""}, "follow_ups"),  # a date with nothing to follow up
        ({"open_questions": "x" * 4001}, "open_questions"),
        ({"follow_ups": "x" * 4001}, "follow_ups"),
    ],
)
def test_bad_visits_are_refused(world, funder, advisor, org_a, fields, field):
    with pytest.raises(ValidationError) as error:
        visit(advisor, funder, org_a, **fields)
    assert field in error.value.message_dict
    assert not AdvisorVisit.objects.exists()


def test_a_visit_is_recorded_and_audited(world, funder, advisor, org_a):
    recorded = visit(advisor, funder, org_a, open_questions="<b>Cible du T2</b>")
    assert recorded.advisor == advisor and recorded.funder == funder
    event = AuditEvent.objects.get(target_type="funding.advisorvisit")
    assert event.organization_id == funder.pk and event.details["organization"] == org_a.pk


def test_an_advisor_reads_only_their_funder_s_agreements_and_visits(
    world, funder, other_funder, advisor, rival, org_a
):
    visit(advisor, funder, org_a)
    visit(rival, other_funder, org_a, open_questions="Note de Centraide")
    assert list(selectors.funder_agreements(advisor, org_a)) == [world["pasi_a"]]
    assert [v.open_questions for v in selectors.visits_to(advisor, org_a)] == [NOTE]
    assert [v.open_questions for v in selectors.visits_to(rival, org_a)] == ["Note de Centraide"]
    assert set(selectors.funded_organizations(rival)) == {org_a, world["centraide_b"].organization}
    assert list(selectors.funded_organizations(advisor)) == [org_a]


# --- Pages --------------------------------------------------------------------------------------


def test_the_home_lists_followed_organizations_with_renewals_and_follow_ups(
    world, funder, advisor, org_a, client_of
):
    client = client_of(advisor)
    page = client.get(HOME)
    assert page.status_code == 200
    assert list(page.context["follow_form"].fields["organization"].queryset) == [org_a]
    response = client.post(FOLLOW, {"organization": str(org_a.pk)})
    assert response.status_code == 302
    visit(advisor, funder, org_a, follow_up_by=timezone.localdate() - timedelta(days=1))
    page = client.get(HOME)
    html = page.content.decode()
    (entry,) = page.context["entries"]
    assert entry.follow.organization == org_a
    assert [r.agreement for r in entry.renewals] == [world["pasi_a"]]  # not Centraide's
    assert entry.renewals[0].flag == 90
    assert entry.follow_up_late and "Envoyer le calendrier." in html
    assert "centraide-adv" not in html and "Restriction Centraide" not in html
    assert f"{reverse('reporting:received')}?organization={org_a.pk}" in html


def test_following_a_forged_or_unfunded_organization_changes_nothing(
    world, advisor, org_b, client_of
):
    client = client_of(advisor)
    for forged in (str(org_b.pk), str(world["third"].pk), "999999999", "2" * 30, "abc", ""):
        response = client.post(FOLLOW, {"organization": forged})
        assert response.status_code == 302
    assert not FollowedOrganization.objects.exists()
    assert client.get(FOLLOW).status_code == 405


def test_unfollow_asks_then_stops_and_another_advisor_s_follow_is_404(
    world, funder, advisor, org_a, client_of
):
    follow = services.organization_follow(actor=advisor, funder=funder, organization=org_a)
    colleague = factories.member(funder, Role.FUNDER_ADVISOR)
    url = reverse("funding:advisor_unfollow", args=[follow.pk])
    # A colleague of the same funder sees the follow, and may not end it; anyone else: 404.
    assert client_of(colleague).get(url).status_code == 403
    assert client_of(colleague).post(url).status_code == 403
    for outsider in (factories.UserFactory(), factories.member(org_a, Role.DIRECTOR)):
        assert client_of(outsider).post(url).status_code == 404
    client = client_of(advisor)
    assert client.get(url).status_code == 200 and FollowedOrganization.objects.exists()
    assert client.post(url).status_code == 302
    assert not FollowedOrganization.objects.exists()


def test_the_organization_page_shows_agreements_and_visits(
    world, funder, advisor, org_a, client_of
):
    visit(advisor, funder, org_a)
    response = client_of(advisor).get(reverse("funding:advisor_organization", args=[org_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert NOTE in html and "Restriction PASI" in html
    assert "Restriction Centraide" not in html


def test_recording_a_visit_through_the_form(world, funder, advisor, org_a, client_of):
    client = client_of(advisor)
    url = reverse("funding:visit_create", args=[org_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].fields["funder"].widget.input_type == "hidden"
    post = {
        "funder": str(funder.pk),
        "visited_on": timezone.localdate().isoformat(),
        "open_questions": "Questions",
        "follow_ups": "",
        "follow_up_by": "",
    }
    for bad, field in [
        ({"visited_on": "2026-02-31"}, "visited_on"),
        ({"visited_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "visited_on"),
        ({"funder": "999999999"}, "funder"),
        ({"open_questions": ""}, "open_questions"),
        ({"open_questions": "x" * 4001}, "open_questions"),
    ]:
        response = client.post(url, {**post, **bad})
        assert response.status_code == 200 and response.context["form"].errors[field], bad
    assert not AdvisorVisit.objects.exists()
    response = client.post(url, post)
    assert response.status_code == 302
    assert AdvisorVisit.objects.get().open_questions == "Questions"


def test_another_funder_s_advisor_or_an_organization_gets_nothing(
    world, funder, advisor, rival, org_a, org_b, director_a, client_of
):
    visit(advisor, funder, org_a)
    urls = [
        reverse("funding:advisor_organization", args=[org_a.pk]),
        reverse("funding:visit_create", args=[org_a.pk]),
    ]
    # The rival funder's advisor reaches A (it funds A), but sees only its own visits.
    rival_page = client_of(rival).get(urls[0])
    assert rival_page.status_code == 200 and NOTE not in rival_page.content.decode()
    # B is not funded by the ministry: 404 for its advisor, whatever the method.
    for url in (
        reverse("funding:advisor_organization", args=[org_b.pk]),
        reverse("funding:visit_create", args=[org_b.pk]),
    ):
        assert client_of(advisor).get(url).status_code == 404
        assert client_of(advisor).post(url, {"open_questions": "x"}).status_code == 404
    # The organization itself has no advisor pages, and never sees the notes.
    assert client_of(director_a).get(HOME).status_code == 403
    for url in urls:
        assert client_of(director_a).get(url).status_code == 403
        assert client_of(director_a).post(url, {"open_questions": "x"}).status_code == 403
    for url in (
        reverse("funding:agreement_detail", args=[world["pasi_a"].pk]),
        reverse("funding:agreement_list", args=[org_a.pk]),
        reverse("funding:portfolio"),
    ):
        page = client_of(director_a).get(url)
        assert page.status_code == 200 and NOTE not in page.content.decode()
    assert AdvisorVisit.objects.count() == 1


def test_forged_ids_are_404(advisor, client_of):
    client = client_of(advisor)
    for forged in (999_999_999, 2**63 + 5):
        for name in (
            "funding:advisor_organization",
            "funding:visit_create",
            "funding:advisor_unfollow",
        ):
            assert client.get(reverse(name, args=[forged])).status_code == 404


def test_anonymous_visitors_sign_in_first(client):
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
