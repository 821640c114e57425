"""Round-table pages: the table's page, members, meetings and minutes, recommendations and their
steps, what the institution reads, the public tracker; bad input and foreign or forged ids."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ancrage.core.choices import OrganizationKind, Role
from ancrage.surveys.models import Meeting, Recommendation, RecommendationEvent, TableMember
from tests import factories
from tests.surveys.test_roundtables import make_table, recommendation_in

pytestmark = pytest.mark.django_db

SECRET = "Recommandation-confidentielle"


def in_english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def ago(days: int):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def table(db):
    return make_table("Table de quartier de LaSalle")


@pytest.fixture
def institution(db):
    return factories.OrganizationFactory(
        name="Ministère (test)", kind=OrganizationKind.FUNDER, acronym="MIFI"
    )


@pytest.fixture
def coordinator(table):
    return factories.member(table, Role.COORDINATOR)


@pytest.fixture
def browser(coordinator, client_of):
    return in_english(client_of(coordinator))


@pytest.fixture
def meeting(table):
    return Meeting.objects.create(
        table=table, held_on=ago(30), title="Assemblée générale", minutes="Décisions."
    )


@pytest.fixture
def records(table, institution, meeting, org_a):
    """One of each kind of row of the table, a draft among them."""
    seat = TableMember.objects.create(table=table, member=org_a, role="chair", joined_on=ago(900))
    draft = recommendation_in(table, institution, "drafted", title=SECRET, meeting=meeting)
    sent = recommendation_in(
        table, institution, "sent", title="Signer des ententes de trois ans", sent_on=ago(75)
    )
    return {"seat": seat, "draft": draft, "sent": sent, "meeting": meeting}


def object_urls(table, records):
    seat, draft, meeting = records["seat"], records["draft"], records["meeting"]
    return [
        reverse("surveys:table_detail", args=[table.pk]),
        reverse("surveys:table_member_add", args=[table.pk]),
        reverse("surveys:table_member_edit", args=[seat.pk]),
        reverse("surveys:table_member_remove", args=[seat.pk]),
        reverse("surveys:table_meeting_create", args=[table.pk]),
        reverse("surveys:table_meeting", args=[meeting.pk]),
        reverse("surveys:table_meeting_edit", args=[meeting.pk]),
        reverse("surveys:recommendation_create", args=[table.pk]),
        reverse("surveys:recommendation_detail", args=[draft.pk]),
        reverse("surveys:recommendation_edit", args=[draft.pk]),
    ]


def snapshot(table):
    return (
        list(TableMember.objects.values_list("pk", "role", "left_on")),
        list(Meeting.objects.values_list("pk", "title", "minutes")),
        list(Recommendation.objects.values_list("pk", "state", "version", "title")),
        RecommendationEvent.objects.count(),
    )


HOSTILE = {
    "member": "",
    "role": "chair",
    "title": "Piraté",
    "text": "Piraté",
    "held_on": "2026-01-01",
    "minutes": "Piraté",
    "step": "adopt",
    "adopt-version": "1",
    "adopt-on": "2026-01-01",
    "remind_after_days": "1",
}


# --- Pages of the table --------------------------------------------------------------------------


def test_the_table_page_shows_members_meetings_and_recommendations(browser, table, records):
    page = browser.get(reverse("surveys:table_detail", args=[table.pk])).content.decode()
    assert "Organisme A" in page and "Co-chair" in page and ago(900).isoformat() in page
    assert "Assemblée générale" in page
    assert SECRET in page and "Signer des ententes de trois ans" in page
    assert "75 days" in page and "overdue" in page
    assert "<caption" in page and 'scope="col"' in page


def test_the_tables_staff_without_the_capability_read_but_do_not_run(table, records, client_of):
    worker = in_english(client_of(factories.member(table, Role.COMMUNITY_WORKER)))
    page = worker.get(reverse("surveys:table_detail", args=[table.pk]))
    assert page.status_code == 200 and SECRET in page.content.decode()
    assert "New recommendation" not in page.content.decode()
    before = snapshot(table)
    for url in object_urls(table, records)[1:5] + object_urls(table, records)[6:8]:
        assert worker.get(url).status_code == 403, url
        assert worker.post(url, HOSTILE).status_code == 403, url
    assert snapshot(table) == before


@pytest.mark.parametrize("where", ["other", "member", "anonymous_user"])
def test_outsiders_get_nothing_of_the_table(where, table, records, org_a, client_of, client):
    if where == "other":
        outsider = client_of(factories.member(factories.OrganizationFactory(), Role.DIRECTOR))
    elif where == "member":  # the chair organization's director: a seat, not the table's files
        outsider = client_of(factories.member(org_a, Role.DIRECTOR))
    else:
        outsider = client_of(factories.UserFactory())
    before = snapshot(table)
    for url in object_urls(table, records):
        # The member organization sees its own seat (403 there: visible, not theirs to change).
        expected = {403} if where == "member" and "/tables/members/" in url else {404}
        for response in (outsider.get(url), outsider.post(url, HOSTILE)):
            assert response.status_code in expected, url
            assert SECRET not in response.content.decode()
    assert snapshot(table) == before
    for url in object_urls(table, records):
        assert client.get(url).status_code == 302  # anonymous: to the login page
        assert client.post(url, HOSTILE).status_code == 302
    assert snapshot(table) == before


@pytest.mark.parametrize("forged", [999_999_999, 2**63 + 5])
def test_forged_ids_are_404(forged, browser):
    for name in (
        "surveys:table_detail",
        "surveys:table_member_add",
        "surveys:table_member_edit",
        "surveys:table_member_remove",
        "surveys:table_meeting_create",
        "surveys:table_meeting",
        "surveys:table_meeting_edit",
        "surveys:recommendation_create",
        "surveys:recommendation_detail",
        "surveys:recommendation_edit",
        "surveys:tracker",
    ):
        assert browser.get(reverse(name, args=[forged])).status_code == 404, name


def test_an_organization_that_is_not_a_table_has_no_table_page(client_of):
    organization = factories.OrganizationFactory()
    director = client_of(factories.member(organization, Role.DIRECTOR))
    assert director.get(reverse("surveys:table_detail", args=[organization.pk])).status_code == 404
    url = reverse("surveys:table_member_add", args=[organization.pk])
    assert director.post(url, {"member": organization.pk}).status_code == 404
    assert Client().get(reverse("surveys:tracker", args=[organization.pk])).status_code == 404


def test_the_list_of_tables(browser, table, client_of, org_a, records, institution):
    assert (
        "Table de quartier de LaSalle"
        in browser.get(reverse("surveys:table_list")).content.decode()
    )
    seated = in_english(client_of(factories.member(org_a, Role.INTAKE_WORKER)))
    page = seated.get(reverse("surveys:table_list")).content.decode()
    assert "seats at round tables" in page and "Table de quartier de LaSalle" in page
    speaker = in_english(client_of(factories.member(institution, Role.DIRECTOR)))
    page = speaker.get(reverse("surveys:table_list")).content.decode()
    assert "1 recommendation addressed to your organization" in page


# --- Members -------------------------------------------------------------------------------------


def test_add_a_member_then_refuse_it_twice(browser, table, org_a, org_b):
    url = reverse("surveys:table_member_add", args=[table.pk])
    data = {"member": org_b.pk, "role": "member", "joined_on": "2024-09-01"}
    assert browser.post(url, data).status_code == 302
    assert TableMember.objects.get(table=table).member == org_b
    again = browser.post(url, data)
    assert again.status_code == 200 and again.context["form"].errors["member"]
    assert TableMember.objects.count() == 1


@pytest.mark.parametrize("member", ["self", "99999999999999999999999", "abc", "-1", ""])
def test_bad_members_are_form_errors(member, browser, table):
    url = reverse("surveys:table_member_add", args=[table.pk])
    value = table.pk if member == "self" else member
    response = browser.post(url, {"member": value, "role": "member"})
    assert response.status_code == 200 and response.context["form"].errors["member"]
    assert not TableMember.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"joined_on": "2500-01-01"}, "joined_on"),
        ({"joined_on": "2026-02-30"}, "joined_on"),
        ({"role": "king"}, "role"),
    ],
)
def test_bad_member_details_are_form_errors(data, field, browser, table, org_a):
    url = reverse("surveys:table_member_add", args=[table.pk])
    response = browser.post(url, {"member": org_a.pk, "role": "member"} | data)
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert not TableMember.objects.exists()


def test_a_member_leaves_then_one_entered_by_mistake_is_removed(browser, table, records):
    seat = records["seat"]
    edit = reverse("surveys:table_member_edit", args=[seat.pk])
    refused = browser.post(
        edit, {"role": "chair", "joined_on": ago(10).isoformat(), "left_on": ago(20).isoformat()}
    )
    assert refused.status_code == 200 and refused.context["form"].errors["left_on"]
    assert (
        browser.post(
            edit,
            {"role": "member", "joined_on": ago(900).isoformat(), "left_on": ago(1).isoformat()},
        ).status_code
        == 302
    )
    page = browser.get(reverse("surveys:table_detail", args=[table.pk])).content.decode()
    assert "Former members" in page
    remove = reverse("surveys:table_member_remove", args=[seat.pk])
    assert "Remove Organisme A from the table?" in browser.get(remove).content.decode()
    assert browser.post(remove).status_code == 302
    assert not TableMember.objects.exists()


# --- Meetings and minutes ------------------------------------------------------------------------


def test_minutes_are_shown_as_text_with_their_line_breaks(browser, table):
    url = reverse("surveys:table_meeting_create", args=[table.pk])
    minutes = "Présences : 12.\n<script>alert('x')</script>\nDécision : relancer."
    response = browser.post(
        url, {"held_on": ago(2).isoformat(), "title": "<b>AGA</b>", "minutes": minutes}
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    page = browser.get(reverse("surveys:table_meeting", args=[meeting.pk])).content.decode()
    assert (
        "<script>alert" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    )
    assert "<b>AGA</b>" not in page and "&lt;b&gt;AGA&lt;/b&gt;" in page
    assert "Présences : 12.<br>" in page


def test_ten_megabytes_of_minutes_are_refused_and_change_nothing(browser, table):
    url = reverse("surveys:table_meeting_create", args=[table.pk])
    response = browser.post(
        url, {"held_on": ago(2).isoformat(), "title": "AGA", "minutes": "x" * 10_000_000}
    )
    assert response.status_code == 400
    assert not Meeting.objects.exists()


def test_minutes_over_fifty_kilobytes_are_a_clear_error(browser, table):
    url = reverse("surveys:table_meeting_create", args=[table.pk])
    response = browser.post(
        url, {"held_on": ago(2).isoformat(), "title": "AGA", "minutes": "é" * 30_000}
    )
    assert response.status_code == 200
    assert "50 kB" in " ".join(response.context["form"].errors["minutes"])
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("held_on", ["2500-01-01", "0001-01-01", "2026-13-01", "demain", ""])
def test_a_meeting_date_is_checked(held_on, browser, table):
    url = reverse("surveys:table_meeting_create", args=[table.pk])
    response = browser.post(url, {"held_on": held_on, "title": "AGA"})
    assert response.status_code == 200 and response.context["form"].errors["held_on"]
    assert not Meeting.objects.exists()


def test_internal_minutes_stay_with_the_table(table, meeting, client_of):
    city = factories.OrganizationFactory(kind=OrganizationKind.CITY_SERVICE)
    reader = in_english(client_of(factories.member(city, Role.COORDINATOR)))
    page = reader.get(reverse("surveys:table_meeting", args=[meeting.pk])).content.decode()
    assert "internal to the table" in page and "Décisions." not in page


# --- Recommendations -----------------------------------------------------------------------------


def draft_data(institution, **changes):
    return {
        "title": "Alléger la reddition de comptes",
        "text": "Que le Ministère accepte des rapports agrégés.",
        "addressed_to": institution.pk,
        "remind_after_days": "60",
        "is_public": "on",
    } | changes


def test_draft_a_recommendation(browser, table, institution, meeting):
    url = reverse("surveys:recommendation_create", args=[table.pk])
    response = browser.post(url, draft_data(institution, meeting=meeting.pk))
    recommendation = Recommendation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "surveys:recommendation_detail", args=[recommendation.pk]
    )
    assert (recommendation.state, recommendation.meeting) == ("drafted", meeting)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ("to_itself", "addressed_to"),
        ("foreign_meeting", "meeting"),
        ({"addressed_to": "99999999999999999999999"}, "addressed_to"),
        ({"title": ""}, "title"),
        ({"text": "t" * 4001}, "text"),
        ({"remind_after_days": "0"}, "remind_after_days"),
        ({"remind_after_days": "1e9"}, "remind_after_days"),
    ],
)
def test_bad_recommendations_are_form_errors(changes, field, browser, table, institution):
    if changes == "to_itself":
        changes = {"addressed_to": table.pk}
    elif changes == "foreign_meeting":
        other = make_table("Autre table")
        foreign = Meeting.objects.create(table=other, held_on=ago(3), title="Leur rencontre")
        changes = {"meeting": foreign.pk}
    url = reverse("surveys:recommendation_create", args=[table.pk])
    response = browser.post(url, draft_data(institution, **changes))
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert not Recommendation.objects.exists()


def detail(recommendation):
    return reverse("surveys:recommendation_detail", args=[recommendation.pk])


def test_a_recommendation_goes_through_its_steps(browser, table, institution):
    recommendation = recommendation_in(table, institution, "drafted")
    url = detail(recommendation)
    page = browser.get(url).content.decode()
    assert 'name="step" value="adopt"' in page and 'value="send"' not in page
    steps = [
        ({"step": "adopt", "adopt-version": "1", "adopt-on": ago(40).isoformat()}, "adopted"),
        ({"step": "send", "send-version": "2", "send-on": ago(30).isoformat()}, "sent"),
        ({"step": "acknowledge", "acknowledge-version": "3"}, "acknowledged"),
        (
            {
                "step": "partly_accept",
                "answer-version": "4",
                "answer-on": ago(3).isoformat(),
                "answer-answer": "Deux classes ouvriront en septembre.",
            },
            "partly_accepted",
        ),
    ]
    for data, state in steps:
        response = browser.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        recommendation.refresh_from_db()
        assert recommendation.state == state
    page = browser.get(url).content.decode()
    assert "Deux classes ouvriront en septembre." in page and "answered after 27 days" in page
    assert 'name="step"' not in page  # final
    assert RecommendationEvent.objects.filter(recommendation=recommendation).count() == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"step": "adopt", "adopt-version": "1", "adopt-on": "2500-01-01"}, "in the future"),
        ({"step": "adopt", "adopt-version": "1", "adopt-on": ""}, "Give the date"),
        ({"step": "adopt", "adopt-version": "1", "adopt-on": "31/31/2026"}, "valid date"),
        ({"step": "adopt", "adopt-version": "7", "adopt-on": "2026-01-05"}, "changed since"),
        ({"step": "adopt", "adopt-version": "x", "adopt-on": "2026-01-05"}, "whole number"),
        ({"step": "send", "send-version": "1", "send-on": "2026-01-05"}, "not possible"),
        ({"step": "drop_table", "adopt-version": "1"}, "not possible"),
    ],
)
def test_a_bad_step_is_a_clear_error_and_changes_nothing(
    data, message, browser, table, institution
):
    recommendation = recommendation_in(table, institution, "drafted")
    response = browser.post(detail(recommendation), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    recommendation.refresh_from_db()
    assert (recommendation.state, recommendation.version) == ("drafted", 1)
    assert not RecommendationEvent.objects.exists()


def test_an_answer_needs_its_date_and_text(browser, table, institution):
    recommendation = recommendation_in(table, institution, "sent")
    for data in (
        {"step": "accept", "answer-version": "1", "answer-on": ago(1).isoformat()},
        {"step": "accept", "answer-version": "1", "answer-answer": "Oui."},
        {
            "step": "reject",
            "answer-version": "1",
            "answer-on": (recommendation.sent_on - timedelta(days=1)).isoformat(),
            "answer-answer": "Non.",
        },
    ):
        response = browser.post(detail(recommendation), data)
        assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    recommendation.refresh_from_db()
    assert (recommendation.state, recommendation.answer) == ("sent", "")


def test_once_adopted_only_the_reminder_and_the_flag_are_edited(browser, table, institution):
    recommendation = recommendation_in(table, institution, "sent")
    url = reverse("surveys:recommendation_edit", args=[recommendation.pk])
    assert "no longer changes" in browser.get(url).content.decode()
    response = browser.post(
        url,
        draft_data(institution, title="Réécrite", remind_after_days="30", version="1")
        | {"is_public": ""},
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.title != "Réécrite"  # a disabled field keeps its value
    assert (recommendation.remind_after_days, recommendation.is_public) == (30, False)


def test_a_stale_edit_is_refused(browser, table, institution):
    recommendation = recommendation_in(table, institution, "drafted", version=3)
    url = reverse("surveys:recommendation_edit", args=[recommendation.pk])
    response = browser.post(url, draft_data(institution, title="Écrasée", version="2"))
    assert response.status_code == 200 and "changed since" in response.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.title != "Écrasée"


# --- The institution -----------------------------------------------------------------------------


def test_the_institution_reads_what_was_sent_and_answers(table, institution, records, client_of):
    speaker = in_english(client_of(factories.member(institution, Role.DIRECTOR)))
    received = speaker.get(reverse("surveys:recommendation_received")).content.decode()
    assert "Signer des ententes de trois ans" in received and SECRET not in received
    assert speaker.get(detail(records["draft"])).status_code == 404
    assert speaker.get(reverse("surveys:table_detail", args=[table.pk])).status_code == 404
    sent = records["sent"]
    page = speaker.get(detail(sent)).content.decode()
    assert 'value="accept"' in page and 'value="declare_no_answer"' not in page
    response = speaker.post(
        detail(sent),
        {
            "step": "accept",
            "answer-version": "1",
            "answer-on": ago(1).isoformat(),
            "answer-answer": "Le Ministère accepte.",
        },
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.state == "accepted"
    assert (
        speaker.post(
            detail(sent), {"step": "adopt", "adopt-version": "2", "adopt-on": ago(1).isoformat()}
        ).status_code
        == 400
    )


def test_an_institutions_employee_reads_but_does_not_answer(institution, records, client_of):
    intake = in_english(client_of(factories.member(institution, Role.INTAKE_WORKER)))
    sent = records["sent"]
    page = intake.get(detail(sent))
    assert page.status_code == 200 and 'name="step"' not in page.content.decode()
    data = {"step": "accept", "answer-version": "1", "answer-on": ago(1).isoformat()}
    assert intake.post(detail(sent), data | {"answer-answer": "Oui."}).status_code == 403
    sent.refresh_from_db()
    assert sent.state == "sent"


# --- The public tracker --------------------------------------------------------------------------


def test_the_public_tracker_needs_no_login_and_shows_public_sent_ones(table, institution, records):
    recommendation_in(table, institution, "accepted", title="Rapports agrégés acceptés")
    recommendation_in(table, institution, "rejected", title="Pas publique", is_public=False)
    recommendation_in(table, institution, "adopted", title="Adoptée pas envoyée")
    Meeting.objects.create(
        table=table,
        held_on=ago(5),
        title="AGA publique",
        minutes="Ordre du jour.",
        minutes_public=True,
    )
    response = in_english(Client()).get(reverse("surveys:tracker", args=[table.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Signer des ententes de trois ans" in page and "Rapports agrégés acceptés" in page
    assert "Ministère (test)" in page and "Waiting for 75 days." in page
    assert "Le Ministère indexera le programme de 3 %." in page  # the answer
    for hidden in (SECRET, "Pas publique", "Adoptée pas envoyée", "Décisions."):
        assert hidden not in page
    assert "AGA publique" in page and "Ordre du jour." in page


def test_the_public_tracker_speaks_the_readers_language(table, institution, records):
    reader = Client()
    reader.post(reverse("set_language"), {"language": "ar", "next": "/"})
    page = reader.get(reverse("surveys:tracker", args=[table.pk])).content.decode()
    assert 'lang="ar"' in page and 'dir="rtl"' in page
    assert 'value="uk"' in page  # every public language is offered
    reader.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert 'lang="es"' in reader.get(reverse("surveys:tracker", args=[table.pk])).content.decode()


def test_the_public_tracker_only_reads(table):
    url = reverse("surveys:tracker", args=[table.pk])
    assert Client().post(url).status_code == 405
    assert Client().head(url).status_code == 200
    empty = in_english(Client()).get(url).content.decode()
    assert "has not made any recommendation public yet" in empty
