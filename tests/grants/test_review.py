"""Review: who may review what (ties to the applicant exclude a reviewer), scores within the scale,
weighted scores and the committee's ranking."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from ancrage.core.choices import Role
from ancrage.core.models import AuditEvent
from ancrage.grants import review
from ancrage.grants.models import (
    ApplicationState,
    CoApplicant,
    ProjectPartner,
    ReviewAssignment,
    Score,
)
from tests import factories
from tests.grants.conftest import make_application
from tests.grants.review_helpers import completed_review, criteria_of, messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- Assignment and conflicts of interest ---------------------------------------------------------


def test_a_reviewer_of_the_funder_is_assigned(call_manager, reviewer, submitted_application):
    assignment = review.review_assign(
        actor=call_manager, application=submitted_application, reviewer=reviewer
    )
    assert assignment.reviewer == reviewer and assignment.completed_at is None
    assert AuditEvent.objects.filter(
        target_type="grants.reviewassignment", target_id=str(assignment.pk), action="create"
    ).exists()
    with pytest.raises(ValidationError) as error:
        review.review_assign(
            actor=call_manager, application=submitted_application, reviewer=reviewer
        )
    assert messages_of(error) == ["This reviewer is already assigned to this application."]


def test_only_the_funders_call_managers_assign(reviewer, submitted_application, applicant):
    for actor in (applicant, reviewer):
        with pytest.raises(PermissionDenied):
            review.review_assign(actor=actor, application=submitted_application, reviewer=reviewer)
    assert not ReviewAssignment.objects.exists()


def test_only_a_grant_reviewer_of_the_funder_is_assigned(
    funder_org, call_manager, submitted_application
):
    advisor = factories.member(funder_org, Role.FUNDER_ADVISOR)
    elsewhere = factories.member(factories.OrganizationFactory(), Role.GRANT_REVIEWER)
    for person in (advisor, elsewhere):
        with pytest.raises(ValidationError) as error:
            review.review_assign(
                actor=call_manager, application=submitted_application, reviewer=person
            )
        assert messages_of(error) == ["This person is not a grant reviewer of the funder."]
    assert not ReviewAssignment.objects.exists()


@pytest.mark.parametrize(
    "tie", ["applicant", "co_applicant", "project_partner", "partnership", "partner_of"]
)
def test_a_reviewer_tied_to_the_applicant_is_excluded(
    tie, funder_org, call_manager, call, applicant_org
):
    reviewer = factories.member(funder_org, Role.GRANT_REVIEWER)
    application = make_application(call, applicant_org)
    other = factories.OrganizationFactory(name="Organisme lié")
    if tie == "applicant":
        factories.MembershipFactory(user=reviewer, organization=applicant_org, role=Role.DIRECTOR)
        expected = "member of the applicant, Carrefour d'accueil (test)"
    else:
        factories.MembershipFactory(user=reviewer, organization=other, role=Role.COORDINATOR)
        if tie == "co_applicant":
            CoApplicant.objects.create(application=application, organization=other)
            expected = "member of a co-applicant, Organisme lié"
        elif tie == "project_partner":
            ProjectPartner.objects.create(
                application=application, organization=other, role="Locaux", agreed=True
            )
            expected = "member of a partner of the project, Organisme lié"
        elif tie == "partnership":
            factories.PartnershipFactory(organization=applicant_org, partner=other)
            expected = "member of Organisme lié, in partnership with the applicant"
        else:  # the partnership recorded by the other organization
            factories.PartnershipFactory(organization=other, partner=applicant_org)
            expected = "member of Organisme lié, in partnership with the applicant"
    with pytest.raises(ValidationError) as error:
        review.review_assign(actor=call_manager, application=application, reviewer=reviewer)
    assert messages_of(error) == [f"This reviewer cannot review this application: {expected}."]
    assert not ReviewAssignment.objects.exists()
    # The committee's page reads the same conflicts for every pair at once.
    pairs = review.exclusions([application], [reviewer])
    assert [str(c) for c in pairs[(application.pk, reviewer.pk)]] == [expected]


def test_past_ties_do_not_exclude(funder_org, call_manager, call, applicant_org):
    reviewer = factories.member(funder_org, Role.GRANT_REVIEWER)
    other = factories.OrganizationFactory()
    today = timezone.localdate()
    factories.MembershipFactory(
        user=reviewer,
        organization=applicant_org,
        role=Role.DIRECTOR,
        started_on=today - timedelta(days=900),
        ended_on=today - timedelta(days=400),
    )
    factories.MembershipFactory(user=reviewer, organization=other, role=Role.COORDINATOR)
    factories.PartnershipFactory(
        organization=applicant_org, partner=other, ended_on=today - timedelta(days=1)
    )
    application = make_application(call, applicant_org)
    assert review.review_assign(actor=call_manager, application=application, reviewer=reviewer)


def test_reviewers_are_assigned_to_submitted_applications_only(
    call_manager, reviewer, draft_application
):
    with pytest.raises(ValidationError) as error:
        review.review_assign(actor=call_manager, application=draft_application, reviewer=reviewer)
    assert "reviewers are assigned to submitted applications" in messages_of(error)[0]


def test_an_assignment_without_scores_is_removed_else_kept(
    call_manager, reviewer, submitted_application
):
    assignment = review.review_assign(
        actor=call_manager, application=submitted_application, reviewer=reviewer
    )
    review.review_unassign(actor=call_manager, assignment=assignment)
    assert not ReviewAssignment.objects.exists()
    scored = completed_review(submitted_application, reviewer, [4, 4, 4, 4])
    with pytest.raises(ValidationError):
        review.review_unassign(actor=call_manager, assignment=scored)
    assert ReviewAssignment.objects.count() == 1


# --- Scoring ---------------------------------------------------------------------------------------


@pytest.fixture
def assignment(call_manager, reviewer, submitted_application):
    return review.review_assign(
        actor=call_manager, application=submitted_application, reviewer=reviewer
    )


def values(assignment, scores, comments=None):
    criteria = criteria_of(assignment.application.call)
    comments = comments or [""] * len(criteria)
    return {c.pk: (s, t) for c, s, t in zip(criteria, scores, comments, strict=True)}


def test_scores_are_saved_then_the_review_completed(assignment, reviewer):
    review.review_save(
        actor=reviewer,
        assignment=assignment,
        scores=values(assignment, [5, 4, None, None]),
        complete=False,
    )
    assignment.refresh_from_db()
    assert assignment.completed_at is None and assignment.scores.count() == 2
    with pytest.raises(ValidationError) as error:
        review.review_save(
            actor=reviewer,
            assignment=assignment,
            scores=values(assignment, [5, 4, None, 2]),
            complete=True,
        )
    assert messages_of(error) == ["Score every criterion to complete the review."]
    review.review_save(
        actor=reviewer,
        assignment=assignment,
        scores=values(assignment, [5, 4, 3, 2], ["Très pertinent", "", "", "Retombées floues"]),
        complete=True,
    )
    assignment.refresh_from_db()
    assert assignment.completed_at is not None
    assert sorted(assignment.scores.values_list("score", flat=True)) == [2, 3, 4, 5]
    assert assignment.scores.get(score=2).comment == "Retombées floues"
    # 30 × 5/5 + 25 × 4/5 + 20 × 3/5 + 25 × 2/5 = 30 + 20 + 12 + 10
    assert review.standings(assignment.application.call)[0].average == Decimal("72")


@pytest.mark.parametrize(
    ("score", "message"),
    [
        (6, "The score of “Relevance” is from 0 to 5: 6 is outside the scale."),
        (-1, "The score of “Relevance” is from 0 to 5: -1 is outside the scale."),
        ("2.5", "Give a whole number from 0 to 5."),
        ("abc", "Give a whole number from 0 to 5."),
        (True, "Give a whole number from 0 to 5."),
        (
            "99999999999999999999",
            "The score of “Relevance” is from 0 to 5: 999999999999 is outside the scale.",
        ),
    ],
)
def test_a_score_outside_the_scale_changes_nothing(assignment, reviewer, score, message):
    with pytest.raises(ValidationError) as error:
        review.review_save(
            actor=reviewer,
            assignment=assignment,
            scores=values(assignment, [score, 4, 3, 2]),
            complete=True,
        )
    assert messages_of(error) == [message]
    assert not Score.objects.exists()
    assignment.refresh_from_db()
    assert assignment.completed_at is None


def test_bad_comments_and_criteria_change_nothing(assignment, reviewer, call):
    for comments, message in [
        (["x" * 4001, "", "", ""], "This text is too long (4000 characters at most)."),
        (["a\x00b", "", "", ""], "This text contains a character that is not allowed."),
    ]:
        with pytest.raises(ValidationError) as error:
            review.review_save(
                actor=reviewer,
                assignment=assignment,
                scores=values(assignment, [1, 2, 3, 4], comments),
                complete=True,
            )
        assert messages_of(error) == [message]
    with pytest.raises(ValidationError) as error:
        review.review_save(
            actor=reviewer,
            assignment=assignment,
            scores=values(assignment, [None, 2, 3, 4], ["Pourquoi ?", "", "", ""]),
            complete=False,
        )
    assert messages_of(error) == ["Give a score with this comment."]
    from tests.grants.conftest import make_call

    other_call = make_call(call.funder, code="autre-appel")
    foreign = criteria_of(other_call)[0]
    with pytest.raises(ValidationError):
        review.review_save(
            actor=reviewer, assignment=assignment, scores={foreign.pk: (3, "")}, complete=False
        )
    assert not Score.objects.exists()


def test_nobody_scores_in_someone_elses_name(assignment, funder_org, call_manager):
    other_reviewer = factories.member(funder_org, Role.GRANT_REVIEWER)
    for actor in (other_reviewer, call_manager):
        with pytest.raises(PermissionDenied):
            review.review_save(
                actor=actor,
                assignment=assignment,
                scores=values(assignment, [1, 1, 1, 1]),
                complete=True,
            )
    assert not Score.objects.exists()


def test_a_reviewer_cannot_score_their_own_organization(assignment, reviewer, applicant_org):
    # They joined the applicant after being assigned: the check runs again at scoring.
    factories.MembershipFactory(user=reviewer, organization=applicant_org, role=Role.COORDINATOR)
    with pytest.raises(ValidationError) as error:
        review.review_save(
            actor=reviewer,
            assignment=assignment,
            scores=values(assignment, [5, 5, 5, 5]),
            complete=True,
        )
    assert messages_of(error) == [
        "You cannot score this application: you are member of the applicant, "
        "Carrefour d'accueil (test)."
    ]
    assert not Score.objects.exists()


def test_a_declared_conflict_stops_scoring_and_its_scores_no_longer_count(
    assignment, reviewer, funder_org, call_manager
):
    application = assignment.application
    review.review_save(
        actor=reviewer,
        assignment=assignment,
        scores=values(assignment, [5, 5, 5, 5]),
        complete=True,
    )
    second = factories.member(funder_org, Role.GRANT_REVIEWER)
    completed_review(application, second, [1, 1, 1, 1])
    assert review.standings(application.call)[0].average == Decimal("60")
    with pytest.raises(ValidationError) as error:
        review.review_declare_conflict(actor=reviewer, assignment=assignment, note="  ")
    assert messages_of(error) == ["Say what the conflict of interest is."]
    review.review_declare_conflict(
        actor=reviewer, assignment=assignment, note="Je siège au conseil d'administration."
    )
    assignment.refresh_from_db()
    assert assignment.conflict_declared and assignment.completed_at is None
    standing = review.standings(application.call)[0]
    assert standing.average == Decimal("20") and standing.conflicts == 1
    with pytest.raises(ValidationError) as error:
        review.review_save(
            actor=reviewer,
            assignment=assignment,
            scores=values(assignment, [5, 5, 5, 5]),
            complete=True,
        )
    assert "declared a conflict of interest" in messages_of(error)[0]


def test_a_decided_application_is_no_longer_scored(assignment, reviewer):
    application = assignment.application
    application.state = ApplicationState.FUNDED
    application.save()
    with pytest.raises(ValidationError) as error:
        review.review_save(
            actor=reviewer,
            assignment=assignment,
            scores=values(assignment, [5, 5, 5, 5]),
            complete=True,
        )
    assert messages_of(error) == ["This application is funded: its scores no longer change."]


# --- Totals and ranking ----------------------------------------------------------------------------


def test_totals_are_computed_from_what_was_typed(call):
    criteria = criteria_of(call)
    typed = {criteria[0].pk: "5", criteria[1].pk: "9", criteria[2].pk: "", criteria[3].pk: "2"}
    totals = review.totals(criteria, typed)
    assert [line.points for line in totals.lines] == [
        Decimal("30.00"),
        None,
        None,
        Decimal("10.00"),
    ]
    assert totals.total is None and totals.partial == Decimal("40.00") and totals.scored == 2
    assert totals.possible == 100
    full = review.totals(criteria, {c.pk: "4" for c in criteria})
    assert full.complete and full.total == Decimal("80.00")


def test_the_ranking_averages_completed_reviews_and_shares_ranks(
    call, funder_org, applicant_org, other_applicant_org
):
    first = factories.member(funder_org, Role.GRANT_REVIEWER)
    second = factories.member(funder_org, Role.GRANT_REVIEWER)
    a = make_application(call, applicant_org, title="A")
    b = make_application(call, other_applicant_org, title="B")
    c = make_application(call, factories.OrganizationFactory(), title="C")
    d = make_application(call, factories.OrganizationFactory(), title="D (pas encore évalué)")
    completed_review(a, first, [5, 5, 5, 5])  # 100
    completed_review(a, second, [3, 3, 3, 3])  # 60 → average 80
    completed_review(b, first, [4, 4, 4, 4])  # 80
    completed_review(c, first, [2, 2, 2, 2])  # 40
    ReviewAssignment.objects.create(application=c, reviewer=second)  # not completed
    ReviewAssignment.objects.create(application=d, reviewer=second)
    standings = review.standings(call)
    assert [(s.application.title, s.average, s.rank) for s in standings] == [
        ("A", Decimal("80"), 1),
        ("B", Decimal("80"), 1),
        ("C", Decimal("40"), 3),
        ("D (pas encore évalué)", None, None),
    ]
    assert standings[0].spread == Decimal("40") and standings[0].completed == 2
    assert standings[2].assigned == 2 and standings[2].completed == 1
    assert standings[0].by_criterion == {c.pk: Decimal("4.00") for c in criteria_of(call)}
    assert review.scores_of(call)[d.pk] is None


def test_a_reviewer_reads_only_their_own_assignments(assignment, reviewer, funder_org):
    other = factories.member(funder_org, Role.GRANT_REVIEWER)
    assert list(review.reviews_of(reviewer)) == [assignment]
    assert list(review.reviews_of(other)) == []
    assert review.assignment_for(reviewer, assignment.pk) == assignment
    from django.http import Http404

    for pk in (assignment.pk, "abc", 2**70, -1):
        with pytest.raises(Http404):
            review.assignment_for(other, pk)
