"""Review: assignments with conflict-of-interest checks, scores per criterion, the committee's ranking.

Reviewer pages (`grants.review`) reach only the assignments that name the reviewer: another
reviewer's, or a forged id, is a 404. The committee's pages (`grants.manage` in the call's funder)
assign reviewers and rank the applications. Totals are always computed here, on the server: the
page's script only asks for them again as the reviewer types (without it, a button does).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.core import tenancy
from ancrage.core.tenancy import BIGINT_MAX, object_for
from ancrage.grants import review, selectors
from ancrage.grants.forms_review import ACTIONS, AssignForm, ConflictForm, ScoreForm
from ancrage.grants.models import ApplicationState, GrantCall, ReviewAssignment

MANAGE = tenancy.MANAGE_CALLS
OVERLAPS_SHOWN = 3
OVERLAPS_RANKED = 10  # the ranking shows what exists close to the first ten


def _not_allowed(request: HttpRequest, *methods: str) -> HttpResponse | None:
    """After the scoping: a foreign id is a 404 whatever the method."""
    if request.method in methods or (request.method == "HEAD" and "GET" in methods):
        return None
    return HttpResponseNotAllowed(methods)


def _overlaps(application: Any, limit: int = 8) -> list[Any]:
    return selectors.overlaps_for(application, limit=limit)


# --- The reviewer's pages -------------------------------------------------------------------------


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    if not tenancy.has_capability(request.user, tenancy.REVIEW_GRANTS):
        raise PermissionDenied
    if refused := _not_allowed(request, "GET"):
        return refused
    assignments = list(review.reviews_of(request.user))
    return render(
        request,
        "grants/review/review_list.html",
        {
            "to_do": [
                a
                for a in assignments
                if a.completed_at is None
                and not a.conflict_declared
                and a.application.state == ApplicationState.SUBMITTED
            ],
            "done": [a for a in assignments if a.completed_at is not None],
            "other": [
                a
                for a in assignments
                if a.completed_at is None
                and (a.conflict_declared or a.application.state != ApplicationState.SUBMITTED)
            ],
        },
    )


def _review_page(
    request: HttpRequest,
    assignment: ReviewAssignment,
    form: ScoreForm,
    conflict_form: ConflictForm | None = None,
    status: int = 200,
) -> HttpResponse:
    application = selectors.application_detail(assignment.application)
    criteria = form.criteria
    open_ = application.state == ApplicationState.SUBMITTED and not assignment.conflict_declared
    return render(
        request,
        "grants/review/review_detail.html",
        {
            "assignment": assignment,
            "application": application,
            "call": application.call,
            "form": form,
            "conflict_form": conflict_form or ConflictForm(),
            "totals": review.totals(criteria, form.typed()),
            "open": open_,
            "own_conflicts": review.conflicts_of(request.user, application),
            "budget": selectors.budget_table(application),
            "target_group_names": selectors.target_group_names(application),
            "overlaps": _overlaps(application),
        },
        status=status,
    )


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The application and the scoring form; totals computed on the server."""
    assignment = review.assignment_for(request.user, pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    criteria = list(assignment.application.call.criteria.all())
    values = review.values_of(assignment)
    form = ScoreForm(request.POST or None, criteria=criteria, values=values)
    if request.method != "POST":
        return _review_page(request, assignment, form)
    if not form.is_valid():
        return _review_page(request, assignment, form, status=400)
    action = request.POST.get("action")
    action = action if action in ACTIONS else "save"
    if action == "totals":  # only the totals, nothing saved (the page without its script)
        return _review_page(request, assignment, form)
    try:
        review.review_save(
            actor=request.user,
            assignment=assignment,
            scores=form.scores(),
            complete=action == "complete",
        )
    except ValidationError as error:
        form.add_service_errors(error)
        return _review_page(request, assignment, form, status=400)
    messages.success(
        request,
        _("Review completed: thank you.")
        if action == "complete"
        else _("Scores saved: complete the review when every criterion is scored."),
    )
    if action == "complete":
        return redirect("grants:review_list")
    return redirect("grants:review_detail", pk=assignment.pk)


@login_required
def review_totals(request: HttpRequest, pk: int) -> HttpResponse:
    """The totals of the scores typed so far (the page's script asks as the reviewer types)."""
    assignment = review.assignment_for(request.user, pk)
    if refused := _not_allowed(request, "POST"):
        return refused
    criteria = list(assignment.application.call.criteria.all())
    form = ScoreForm(request.POST, criteria=criteria, values={})
    return render(
        request,
        "grants/review/_totals.html",
        {"totals": review.totals(criteria, form.typed())},
    )


@login_required
def review_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = review.assignment_for(request.user, pk)
    if refused := _not_allowed(request, "POST"):
        return refused
    form = ConflictForm(request.POST)
    if form.is_valid():
        try:
            review.review_declare_conflict(
                actor=request.user,
                assignment=assignment,
                note=form.cleaned_data["conflict_note"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _(
                    "Conflict of interest recorded: your scores for this application no longer count."
                ),
            )
            return redirect("grants:review_list")
    criteria = list(assignment.application.call.criteria.all())
    score_form = ScoreForm(criteria=criteria, values=review.values_of(assignment))
    return _review_page(request, assignment, score_form, conflict_form=form, status=400)


# --- The committee's pages ------------------------------------------------------------------------


def _assignment_page(request: HttpRequest, call: GrantCall, form: AssignForm) -> HttpResponse:
    standings = review.standings(call)
    submitted = [
        s.application for s in standings if s.application.state == ApplicationState.SUBMITTED
    ]
    reviewers = list(review.reviewers_of(call))
    excluded = review.exclusions(submitted, reviewers)
    assignments = review.assignments_of(call)
    rows = []
    for standing in standings:
        application = standing.application
        rows.append(
            {
                "standing": standing,
                "assignments": assignments.get(application.pk, []),
                "excluded": [
                    {
                        "reviewer": r,
                        "reasons": "; ".join(str(c) for c in excluded[(application.pk, r.pk)]),
                    }
                    for r in reviewers
                    if (application.pk, r.pk) in excluded
                ],
            }
        )
    return render(
        request,
        "grants/review/assignments.html",
        {"call": call, "rows": rows, "form": form, "reviewers": reviewers},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def call_reviewers(request: HttpRequest, pk: int) -> HttpResponse:
    """Who reviews which application; ties that exclude a reviewer are shown and enforced."""
    call = object_for(GrantCall, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    form = AssignForm(
        request.POST or None,
        applications=call.applications.filter(state=ApplicationState.SUBMITTED).order_by("title"),
        reviewers=review.reviewers_of(call),
    )
    if request.method == "POST" and form.is_valid():
        try:
            assignment = review.review_assign(
                actor=request.user,
                application=form.cleaned_data["application"],
                reviewer=form.cleaned_data["reviewer"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("%(reviewer)s now reviews “%(title)s”.")
                % {
                    "reviewer": assignment.reviewer.get_full_name() or assignment.reviewer,
                    "title": assignment.application.title,
                },
            )
            return redirect("grants:call_reviewers", pk=call.pk)
    return _assignment_page(request, call, form)


@login_required
def assignment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    if not 0 < pk <= BIGINT_MAX:
        raise Http404
    calls = tenancy.scoped(GrantCall, request.user, MANAGE)
    assignment = (
        ReviewAssignment.objects.filter(application__call__in=calls, pk=pk)
        .select_related("application__call")
        .first()
    )
    if assignment is None:
        if tenancy.scoped(ReviewAssignment, request.user).filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404
    if refused := _not_allowed(request, "POST"):
        return refused
    call = assignment.application.call
    try:
        review.review_unassign(actor=request.user, assignment=assignment)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Assignment removed."))
    return redirect("grants:call_reviewers", pk=call.pk)


@login_required
def call_ranking(request: HttpRequest, pk: int) -> HttpResponse:
    """The committee's view: applications ranked by their average score, with what already
    exists close to each."""
    call = object_for(GrantCall, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    standings = review.standings(call)
    criteria = list(call.criteria.all())
    rows = [
        {
            "standing": s,
            "by_criterion": [s.by_criterion.get(c.pk) for c in criteria],
            # The check reads the directory and encodes texts: for the best ranked only (those
            # the allocation weighs first); the others link to their page, where it is shown.
            "overlaps": _overlaps(s.application, OVERLAPS_SHOWN)
            if position < OVERLAPS_RANKED
            else None,
        }
        for position, s in enumerate(standings)
    ]
    return render(
        request,
        "grants/review/ranking.html",
        {
            "call": call,
            "criteria": criteria,
            "rows": rows,
            "reviewed": sum(1 for s in standings if s.average is not None),
            "overlaps_ranked": OVERLAPS_RANKED,
            "now": timezone.now(),
        },
    )


urlpatterns = [
    path("reviews/", review_list, name="review_list"),
    path("reviews/<int:pk>/", review_detail, name="review_detail"),
    path("reviews/<int:pk>/totals/", review_totals, name="review_totals"),
    path("reviews/<int:pk>/conflict/", review_conflict, name="review_conflict"),
    path("calls/<int:pk>/reviewers/", call_reviewers, name="call_reviewers"),
    path("review-assignments/<int:pk>/remove/", assignment_remove, name="assignment_remove"),
    path("calls/<int:pk>/ranking/", call_ranking, name="call_ranking"),
]
