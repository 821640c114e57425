"""The reviewer's pages (list, scoring form with server-side totals, conflict declaration) and the
committee's (assignments with automatic exclusions, ranking)."""

import pytest
from django.urls import reverse

from ancrage.core.choices import Role
from ancrage.grants.models import ReviewAssignment, Score
from tests import factories
from tests.grants.conftest import make_application, make_call
from tests.grants.review_helpers import completed_review, criteria_of

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies["ancrage_language"] = "en"
    return client


@pytest.fixture
def assignment(submitted_application, reviewer):
    return ReviewAssignment.objects.create(application=submitted_application, reviewer=reviewer)


@pytest.fixture
def reviewer_client(client_of, reviewer):
    return english(client_of(reviewer))


@pytest.fixture
def manager_client(client_of, call_manager):
    return english(client_of(call_manager))


def form_data(call, scores, comments=None, action="save"):
    data = {"action": action}
    for i, (criterion, score) in enumerate(zip(criteria_of(call), scores, strict=True)):
        data[f"score_{criterion.pk}"] = "" if score is None else str(score)
        data[f"comment_{criterion.pk}"] = (comments or {}).get(i, "")
    return data


# --- The reviewer ----------------------------------------------------------------------------------


def test_the_reviewer_sees_only_the_applications_assigned_to_them(
    reviewer_client, assignment, call, other_applicant_org, funder_org
):
    someone = factories.member(funder_org, Role.GRANT_REVIEWER)
    theirs = ReviewAssignment.objects.create(
        application=make_application(call, other_applicant_org, title="Projet d'un autre"),
        reviewer=someone,
    )
    page = reviewer_client.get(reverse("grants:review_list")).content.decode()
    assert assignment.application.title.replace("'", "&#x27;") in page
    assert "Projet d&#x27;un autre" not in page
    for pk in (theirs.pk, 999999, 2**63):
        for name in ("grants:review_detail", "grants:review_totals", "grants:review_conflict"):
            assert reviewer_client.get(reverse(name, args=[pk])).status_code == 404
            assert reviewer_client.post(reverse(name, args=[pk]), {}).status_code == 404
    assert not Score.objects.exists()


def test_people_who_do_not_review_are_refused(client_of, applicant, call_manager):
    for person in (applicant, call_manager):
        assert client_of(person).get(reverse("grants:review_list")).status_code == 403


def test_the_total_is_computed_by_the_server_then_the_review_completed(
    reviewer_client, assignment, call
):
    url = reverse("grants:review_detail", args=[assignment.pk])
    page = reviewer_client.get(url).content.decode()
    assert "Relevance" in page and "Weighted score (computed by the server)" in page
    assert 'id="review-total">0.00&nbsp;/&nbsp;100' in page
    # Without the script: "Compute the total" shows it and saves nothing.
    page = reviewer_client.post(url, form_data(call, [5, 4, None, 2], action="totals"))
    assert page.status_code == 200
    assert 'id="review-total">60.00&nbsp;/&nbsp;100' in page.content.decode()
    assert not Score.objects.exists()
    # With the script: the same totals, as a fragment.
    fragment = reviewer_client.post(
        reverse("grants:review_totals", args=[assignment.pk]), form_data(call, [5, 4, 3, 2])
    )
    assert 'id="review-total">72.00&nbsp;/&nbsp;100' in fragment.content.decode()
    assert (
        reviewer_client.get(reverse("grants:review_totals", args=[assignment.pk])).status_code
        == 405
    )
    response = reviewer_client.post(url, form_data(call, [5, 4, None, None]))
    assert response.status_code == 302 and response.url == url
    assert Score.objects.count() == 2
    response = reviewer_client.post(
        url, form_data(call, [5, 4, 3, 2], {0: "Très pertinent"}, action="complete")
    )
    assert response.status_code == 302 and response.url == reverse("grants:review_list")
    assignment.refresh_from_db()
    assert assignment.completed_at is not None and assignment.scores.count() == 4


@pytest.mark.parametrize(
    ("score", "message"),
    [
        ("6", "The score of “Relevance” is from 0 to 5: 6 is outside the scale."),
        ("-2", "The score of “Relevance” is from 0 to 5: -2 is outside the scale."),
        ("3.5", "Give a whole number from 0 to 5."),
        ("<script>", "Give a whole number from 0 to 5."),
    ],
)
def test_a_score_outside_the_scale_is_shown_next_to_its_field(
    reviewer_client, assignment, call, score, message
):
    url = reverse("grants:review_detail", args=[assignment.pk])
    response = reviewer_client.post(url, form_data(call, [score, 4, 3, 2], action="complete"))
    assert response.status_code == 400
    page = response.content.decode()
    assert message.replace("“", "&ldquo;") in page or message in page
    assert "<script>" not in page.split("<main")[1].split("<script src")[0]
    assert not Score.objects.exists()


def test_a_reviewer_of_the_applicant_cannot_score_it(
    reviewer_client, reviewer, assignment, call, applicant_org
):
    factories.MembershipFactory(user=reviewer, organization=applicant_org, role=Role.COORDINATOR)
    url = reverse("grants:review_detail", args=[assignment.pk])
    page = reviewer_client.get(url).content.decode()
    assert "You cannot score this application:" in page
    response = reviewer_client.post(url, form_data(call, [5, 5, 5, 5], action="complete"))
    assert response.status_code == 400
    assert "you are member of the applicant" in response.content.decode()
    assert not Score.objects.exists()


def test_a_conflict_is_declared_with_what_it_is(reviewer_client, assignment):
    url = reverse("grants:review_conflict", args=[assignment.pk])
    response = reviewer_client.post(url, {"conflict_note": ""})
    assert response.status_code == 400
    assert reviewer_client.get(url).status_code == 405
    response = reviewer_client.post(url, {"conflict_note": "J'ai travaillé sur ce projet."})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (
        assignment.conflict_declared and assignment.conflict_note == "J'ai travaillé sur ce projet."
    )
    page = reviewer_client.get(reverse("grants:review_detail", args=[assignment.pk])).content
    assert b"You declared a conflict of interest" in page


# --- The committee -----------------------------------------------------------------------------------


def test_the_committee_assigns_reviewers_and_sees_who_is_excluded(
    manager_client, call, funder_org, submitted_application, applicant_org
):
    free = factories.member(funder_org, Role.GRANT_REVIEWER, first_name="Rita", last_name="Libre")
    tied = factories.member(funder_org, Role.GRANT_REVIEWER, first_name="Tom", last_name="Lié")
    factories.MembershipFactory(user=tied, organization=applicant_org, role=Role.DIRECTOR)
    url = reverse("grants:call_reviewers", args=[call.pk])
    page = manager_client.get(url).content.decode()
    assert "Tom Lié: member of the applicant, Carrefour d&#x27;accueil (test)" in page
    response = manager_client.post(
        url, {"application": submitted_application.pk, "reviewer": tied.pk}
    )
    assert response.status_code == 400
    assert "This reviewer cannot review this application" in response.content.decode()
    assert not ReviewAssignment.objects.exists()
    for forged in ("abc", "99999999999999999999999", "-1"):
        response = manager_client.post(url, {"application": forged, "reviewer": free.pk})
        assert response.status_code == 400
    response = manager_client.post(
        url, {"application": submitted_application.pk, "reviewer": free.pk}
    )
    assert response.status_code == 302
    assignment = ReviewAssignment.objects.get()
    assert assignment.reviewer == free
    remove = reverse("grants:assignment_remove", args=[assignment.pk])
    assert manager_client.get(remove).status_code == 405
    assert manager_client.post(remove).status_code == 302
    assert not ReviewAssignment.objects.exists()


def test_the_ranking_shows_averages_per_criterion(
    manager_client, call, funder_org, submitted_application, other_applicant_org
):
    first = factories.member(funder_org, Role.GRANT_REVIEWER)
    second = factories.member(funder_org, Role.GRANT_REVIEWER)
    completed_review(submitted_application, first, [5, 5, 5, 5])
    completed_review(submitted_application, second, [4, 3, 5, 1])
    make_application(call, other_applicant_org, title="Sans évaluation")
    page = manager_client.get(reverse("grants:call_ranking", args=[call.pk])).content.decode()
    # (100 + 24 + 15 + 20 + 5 = 64) → average 82
    assert (
        "82.00" in page and "4.50" in page and "2/2" in page.replace("&nbsp;", "").replace(" ", "")
    )
    assert "1 of 2 applications have a completed review" in page
    assert page.index(submitted_application.title.replace("'", "&#x27;")) < page.index(
        "Sans évaluation"
    )


def test_the_committee_pages_are_the_funders_only(
    client_of, call, reviewer, applicant, submitted_application
):
    other_funder = factories.OrganizationFactory(kind="funder")
    stranger = factories.member(other_funder, Role.COORDINATOR)
    their_call = make_call(other_funder, code="leur-appel")
    for name in ("grants:call_reviewers", "grants:call_ranking"):
        assert client_of(stranger).get(reverse(name, args=[call.pk])).status_code == 404
        assert client_of(applicant).get(reverse(name, args=[call.pk])).status_code == 404
        assert client_of(reviewer).get(reverse(name, args=[call.pk])).status_code == 403
        assert client_of(stranger).get(reverse(name, args=[their_call.pk])).status_code == 200
    assignment = ReviewAssignment.objects.create(
        application=submitted_application, reviewer=reviewer
    )
    remove = reverse("grants:assignment_remove", args=[assignment.pk])
    assert client_of(stranger).post(remove).status_code == 404
    assert client_of(reviewer).post(remove).status_code == 403
    assert (
        client_of(stranger).post(reverse("grants:assignment_remove", args=[2**64])).status_code
        == 404
    )
    assert ReviewAssignment.objects.exists()
