"""A published call is announced to every eligible organization: in the application (their staff's
pages) and by e-mail to its directors and coordinators, in each one's language, once."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import AuditEvent
from ancrage.grants import announcements, selectors
from ancrage.grants.models import CallAnnouncement, CallState
from tests import factories
from tests.grants.conftest import make_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(funder_org):
    eligible = factories.OrganizationFactory(
        name="Accueil Nord", borough=factories.borough("montreal-nord")
    )
    serving = factories.OrganizationFactory(name="Sert le Nord")
    serving.boroughs_served.add(factories.borough("montreal-nord"))
    elsewhere = factories.OrganizationFactory(name="Ailleurs")
    library = factories.OrganizationFactory(
        name="Bibliothèque du Nord",
        kind=OrganizationKind.LIBRARY,
        borough=factories.borough("montreal-nord"),
    )
    return {"eligible": eligible, "serving": serving, "elsewhere": elsewhere, "library": library}


def draft_for(funder_org):
    return make_call(
        funder_org,
        state=CallState.DRAFT,
        eligible_kinds=[OrganizationKind.COMMUNITY_ORGANIZATION],
        eligible_boroughs=["montreal-nord"],
    )


def publish(call, manager):
    from ancrage.grants import services

    return services.call_publish(actor=manager, call=call)


def test_every_eligible_organization_is_told_once_in_each_persons_language(
    funder_org, call_manager, network
):
    director = factories.member(network["eligible"], Role.DIRECTOR, preferred_language="en")
    coordinator = factories.member(network["eligible"], Role.COORDINATOR)
    factories.member(network["eligible"], Role.INTAKE_WORKER)  # not told
    serving_director = factories.member(network["serving"], Role.DIRECTOR)
    factories.member(network["elsewhere"], Role.DIRECTOR)
    factories.member(network["library"], Role.DIRECTOR)
    call = draft_for(funder_org)
    publish(call, call_manager)

    sent = {tuple(m.to): m for m in mail.outbox}
    assert set(sent) == {(director.email,), (coordinator.email,), (serving_director.email,)}
    english = sent[(director.email,)]
    assert english.subject == "New call for projects: An Inclusive Montréal (test)"
    assert "Accueil Nord may apply" in english.body
    assert "Total envelope: 3 750 000 $" in english.body
    assert f"/grants/open/{call.code}/" in english.body
    french = sent[(coordinator.email,)]
    assert "Montréal inclusive (test)" in french.subject  # the call's French title
    rows = CallAnnouncement.objects.filter(call=call)
    assert {(r.organization.name, r.recipients) for r in rows} == {
        ("Accueil Nord", 2),
        ("Sert le Nord", 1),
    }
    assert AuditEvent.objects.filter(target_type="grants.callannouncement").count() == 2

    # Again: nobody is told twice.
    mail.outbox.clear()
    assert announcements.announce_call(call) == []
    assert mail.outbox == []


def test_an_organization_with_nobody_to_tell_is_told_later(funder_org, call_manager, network):
    call = draft_for(funder_org)
    publish(call, call_manager)
    assert not CallAnnouncement.objects.exists()
    director = factories.member(network["eligible"], Role.DIRECTOR)
    out = StringIO()
    call_command("grants-announce", stdout=out)
    assert "1 organization(s) told." in out.getvalue()
    assert [m.to for m in mail.outbox] == [[director.email]]
    assert CallAnnouncement.objects.get().organization == network["eligible"]


def test_an_unpublished_or_past_call_is_not_announced(funder_org, network):
    factories.member(network["eligible"], Role.DIRECTOR)
    assert announcements.announce_call(draft_for(funder_org)) == []
    from datetime import timedelta

    from django.utils import timezone

    past = make_call(
        funder_org,
        opens_at=timezone.now() - timedelta(days=40),
        closes_at=timezone.now() - timedelta(days=1),
    )
    assert announcements.announce_call(past) == []
    assert mail.outbox == []


def test_the_in_app_notice_lists_open_calls_for_eligible_organizations(
    funder_org, call_manager, network
):
    call = draft_for(funder_org)
    director = factories.member(network["eligible"], Role.DIRECTOR)
    outsider = factories.member(network["elsewhere"], Role.DIRECTOR)
    worker = factories.member(network["eligible"], Role.INTAKE_WORKER)
    assert selectors.open_calls_for(director) == []  # a draft is nobody's notice
    publish(call, call_manager)
    found = selectors.open_calls_for(director)
    assert [(entry.call, entry.organizations) for entry in found] == [(call, [network["eligible"]])]
    assert found[0].may_apply
    assert selectors.open_calls_for(outsider) == []
    # Every staff member sees the notice; only directors and coordinators may apply.
    seen = selectors.open_calls_for(worker)
    assert [entry.call for entry in seen] == [call] and not seen[0].may_apply


def test_the_funder_sees_whom_it_told(client_of, funder_org, call_manager, network):
    factories.member(network["eligible"], Role.DIRECTOR)
    call = draft_for(funder_org)
    publish(call, call_manager)
    browser = client_of(call_manager)
    browser.cookies["ancrage_language"] = "en"
    page = browser.get(f"/grants/calls/{call.pk}/").content.decode()
    assert "1 organization told by e-mail." in page
    assert "Accueil Nord" in page
