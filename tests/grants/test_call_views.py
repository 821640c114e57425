"""The funder's call pages and the public pages of open calls."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from ancrage.core.choices import OrganizationKind, Role
from ancrage.grants.models import CallState, GrantCall
from tests import factories
from tests.grants.conftest import make_application, make_call

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def manager_client(client_of, call_manager):
    client = client_of(call_manager)
    client.cookies["ancrage_language"] = "en"
    return client


def english(client):
    client.cookies["ancrage_language"] = "en"
    return client


def test_a_manager_prepares_and_publishes_a_call_through_the_pages(
    manager_client, funder_org, applicant
):
    now = timezone.localtime()
    response = manager_client.post(
        reverse("grants:call_create"),
        {
            "funder": funder_org.pk,
            "code": "inclusion-2025",
            "title_fr": "Montréal inclusive",
            "title_en": "An Inclusive Montréal",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
            "eligible_kinds": [OrganizationKind.COMMUNITY_ORGANIZATION],
            "documents_required": "États financiers | Financial statements",
        },
    )
    call = GrantCall.objects.get(code="inclusion-2025")
    assert response.status_code == 302
    assert call.documents_required == [{"fr": "États financiers", "en": "Financial statements"}]
    detail = reverse("grants:call_detail", args=[call.pk])
    page = manager_client.get(detail).content.decode()
    assert "Give the call the envelope of at least one year." in page

    years = reverse("grants:call_years", args=[call.pk])
    response = manager_client.post(
        years,
        {
            "rows": 3,
            "year_1": 2025,
            "envelope_1": "1 250 000",
            "year_2": 2026,
            "envelope_2": "1250000,00",
        },
    )
    assert response.status_code == 302
    response = manager_client.post(
        reverse("grants:call_objectives", args=[call.pk]),
        {"rows": 3, "name_fr_1": "Réduire la discrimination", "name_en_1": "Reduce discrimination"},
    )
    assert response.status_code == 302
    criteria = reverse("grants:call_criteria", args=[call.pk])
    response = manager_client.post(
        criteria,
        {
            "rows": 3,
            "name_fr_1": "Pertinence",
            "weight_1": 60,
            "name_fr_2": "Faisabilité",
            "weight_2": 30,
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "add up to 90%: they must add up to 100%" in content
    assert not call.criteria.exists()
    manager_client.post(
        criteria,
        {
            "rows": 3,
            "name_fr_1": "Pertinence",
            "weight_1": 60,
            "name_fr_2": "Faisabilité",
            "weight_2": 40,
        },
    )
    assert call.criteria.count() == 2
    response = manager_client.post(reverse("grants:call_publish", args=[call.pk]))
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.state == CallState.PUBLISHED
    assert [m.to for m in mail.outbox] == [[applicant.email]]


def test_more_rows_keeps_what_was_typed_and_saves_nothing(manager_client, draft_call):
    url = reverse("grants:call_objectives", args=[draft_call.pk])
    response = manager_client.post(url, {"rows": 1, "name_fr_1": "Tapé", "action": "more"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="Tapé"' in content
    assert 'name="name_fr_6"' in content
    assert draft_call.objectives.count() == 5  # unchanged


def test_a_negative_envelope_is_refused_on_the_page(manager_client, draft_call):
    url = reverse("grants:call_years", args=[draft_call.pk])
    response = manager_client.post(url, {"rows": 1, "year_1": 2025, "envelope_1": "-5"})
    assert response.status_code == 200
    assert "An amount cannot be negative." in response.content.decode()
    assert draft_call.years.count() == 3


def test_call_pages_are_the_funders_only(client_of, call, applicant, other_applicant):
    advisor = factories.member(call.funder, Role.FUNDER_ADVISOR)
    other_funder = factories.OrganizationFactory(kind=OrganizationKind.FUNDER)
    foreign_manager = factories.member(other_funder, Role.DIRECTOR)
    for url in (
        reverse("grants:call_detail", args=[call.pk]),
        reverse("grants:call_edit", args=[call.pk]),
        reverse("grants:call_years", args=[call.pk]),
        reverse("grants:call_applications", args=[call.pk]),
    ):
        assert client_of(applicant).get(url).status_code == 404
        assert client_of(foreign_manager).get(url).status_code == 404
        assert client_of(foreign_manager).post(url, {}).status_code == 404
        assert client_of(advisor).get(url).status_code == 403
    worker = factories.member(call.funder, Role.INTAKE_WORKER)
    assert client_of(worker).get(reverse("grants:call_list")).status_code == 403
    assert client_of(foreign_manager).get(reverse("grants:call_list")).status_code == 200
    assert (
        call.title
        not in client_of(foreign_manager).get(reverse("grants:call_list")).content.decode()
    )


def test_forged_ids_are_404(manager_client):
    for pk in (0, 999999, 2**63):
        assert manager_client.get(f"/grants/calls/{pk}/").status_code == 404
    assert manager_client.get("/grants/calls/abc/").status_code == 404


def test_the_funder_reads_sent_applications_with_amounts_and_overlaps(
    manager_client, call, applicant_org, other_applicant_org
):
    sent = make_application(call, applicant_org)
    draft = make_application(call, other_applicant_org, state="draft", title="Brouillon secret")
    page = manager_client.get(reverse("grants:call_applications", args=[call.pk])).content.decode()
    assert escape(sent.title) in page and "Brouillon secret" not in page
    assert "60,000.00" in page or "60 000,00" in page
    response = manager_client.get(reverse("grants:funder_application", args=[sent.pk]))
    assert response.status_code == 200
    assert "What already exists close to this project" in response.content.decode()
    assert (
        manager_client.get(reverse("grants:funder_application", args=[draft.pk])).status_code == 404
    )


def test_closing_before_the_deadline_is_refused_on_the_page(manager_client, call):
    response = manager_client.post(reverse("grants:call_close", args=[call.pk]), follow=True)
    assert "The deadline has not passed" in response.content.decode()
    call.refresh_from_db()
    assert call.state == CallState.PUBLISHED
    assert manager_client.get(reverse("grants:call_close", args=[call.pk])).status_code == 405


# --- Public pages -----------------------------------------------------------------------------


def test_the_public_sees_open_calls_without_signing_in(client, call, draft_call):
    english(client)
    page = client.get(reverse("grants:public_calls")).content.decode()
    assert "An Inclusive Montréal (test)" in page
    assert f"/grants/open/{call.code}/" in page
    assert draft_call.code not in page
    response = client.get(reverse("grants:public_call", args=[call.code]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Open for applications" in content
    assert "3,750,000" in content or "3 750 000" in content
    assert "Reduce discrimination" in content
    assert "Relevance" in content and "30" in content
    assert client.get(reverse("grants:public_call", args=[draft_call.code])).status_code == 404
    assert client.get("/grants/open/nothing-here/").status_code == 404


def test_a_past_call_is_off_the_list_but_its_page_says_closed(client, funder_org):
    english(client)
    past = make_call(
        funder_org,
        opens_at=timezone.now() - timedelta(days=60),
        closes_at=timezone.now() - timedelta(days=1),
    )
    assert past.code not in client.get(reverse("grants:public_calls")).content.decode()
    content = client.get(reverse("grants:public_call", args=[past.code])).content.decode()
    assert "This call is closed." in content


def test_public_pages_speak_the_public_languages(client, call):
    client.cookies["ancrage_language"] = "ar"
    response = client.get(reverse("grants:public_call", args=[call.code]))
    assert response.status_code == 200
    assert 'lang="ar"' in response.content.decode()
    assert 'dir="rtl"' in response.content.decode()


def test_script_in_a_call_description_is_escaped(client, call):
    call.descriptions = {"fr": "<script>alert(1)</script>"}
    call.save()
    content = client.get(reverse("grants:public_call", args=[call.code])).content.decode()
    assert "<script>alert(1)" not in content


def test_a_closed_call_leads_to_its_reviewers_ranking_and_allocation(manager_client, funder_org):
    call = make_call(funder_org, state=CallState.CLOSED)
    page = manager_client.get(reverse("grants:call_detail", args=[call.pk])).content.decode()
    for name in ("grants:call_reviewers", "grants:call_ranking", "grants:call_allocation"):
        assert reverse(name, args=[call.pk]) in page
    published = make_call(funder_org, code="still-open")
    page = manager_client.get(reverse("grants:call_detail", args=[published.pk])).content.decode()
    assert reverse("grants:call_allocation", args=[published.pk]) not in page
