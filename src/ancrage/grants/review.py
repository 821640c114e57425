"""Review of applications: who may review which, scores per criterion, the committee's ranking.

Assignment: the funder's call managers (`grants.manage`) assign the funder's grant reviewers
(`grants.review`) to submitted applications. A reviewer is excluded automatically when they are a
current member of the applicant, of a co-applicant, of a partner of the project, or of an
organization in a current partnership with the applicant; a reviewer may also declare a conflict
themselves (their scores then no longer count). The check runs again when scores are saved: a
membership begun since the assignment still stops a reviewer from scoring their own organization.

Scores: every criterion of the call from 0 to its highest score, with a comment; a review is
completed when every criterion is scored. The weighted score of a review is
Σ weight × score / highest score (weights in %: 0 to 100); an application's score is the average
of its completed reviews without a declared conflict.

Reads (`reviews_of`, `assignment_for`, `ranking`) go through `core.tenancy`: a reviewer reaches
only the assignments that name them (a foreign or forged id is a 404).
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.core import tenancy
from ancrage.core.audit import audit_record
from ancrage.core.choices import Role
from ancrage.core.tenancy import BIGINT_MAX
from ancrage.grants.models import (
    TEXT_MAX,
    Application,
    ApplicationState,
    CoApplicant,
    Criterion,
    GrantCall,
    ProjectPartner,
    ReviewAssignment,
    Score,
)
from ancrage.network.models import Membership, Organization, Partnership

NOTE_MAX = 500
SCORE_PLACES = Decimal("0.0001")
# Reviews are assigned and scored while the application is in the running; a decided or
# withdrawn application keeps its scores, but they no longer change.
REVIEWABLE = frozenset({ApplicationState.SUBMITTED})
# What the committee ranks.
RANKED = (ApplicationState.SUBMITTED, ApplicationState.FUNDED, ApplicationState.DECLINED)


def _pk(value: Any) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk <= BIGINT_MAX:
        raise Http404
    return pk


def _today(on: date | None = None) -> date:
    return on or timezone.localdate()


# --- Conflicts of interest ----------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """Why a reviewer may not review an application: the organization and the tie."""

    tie: str  # applicant, co_applicant, project_partner, partnership
    organization: str

    def __str__(self) -> str:
        messages = {
            "applicant": _("member of the applicant, %(organization)s"),
            "co_applicant": _("member of a co-applicant, %(organization)s"),
            "project_partner": _("member of a partner of the project, %(organization)s"),
            "partnership": _("member of %(organization)s, in partnership with the applicant"),
        }
        return messages[self.tie] % {"organization": self.organization}


def _current_partnerships(on: date) -> QuerySet[Partnership]:
    return Partnership.objects.filter(
        Q(started_on__isnull=True) | Q(started_on__lte=on),
        Q(ended_on__isnull=True) | Q(ended_on__gte=on),
    )


TIE_ORDER = ("applicant", "co_applicant", "project_partner", "partnership")


def _ties(applications: list[Application], on: date) -> dict[int, dict[int, str]]:
    """{application id: {organization id: tie}} in four queries, whatever the number."""
    ids = [a.pk for a in applications]
    applicants = {a.pk: a.organization_id for a in applications}
    ties: dict[int, dict[int, str]] = {pk: {} for pk in ids}
    by_applicant: dict[int, list[int]] = defaultdict(list)
    for pk, organization_id in applicants.items():
        by_applicant[organization_id].append(pk)
    for organization_id, partner_id in (
        _current_partnerships(on)
        .filter(Q(organization_id__in=by_applicant) | Q(partner_id__in=by_applicant))
        .values_list("organization_id", "partner_id")
    ):
        for one, other in ((organization_id, partner_id), (partner_id, organization_id)):
            for pk in by_applicant.get(one, ()):
                ties[pk][other] = "partnership"
    for pk, organization_id in ProjectPartner.objects.filter(
        application_id__in=ids, organization__isnull=False
    ).values_list("application_id", "organization_id"):
        ties[pk][organization_id] = "project_partner"
    for pk, organization_id in CoApplicant.objects.filter(application_id__in=ids).values_list(
        "application_id", "organization_id"
    ):
        ties[pk][organization_id] = "co_applicant"
    for pk, organization_id in applicants.items():
        ties[pk][organization_id] = "applicant"
    return ties


def ties_of(application: Application, *, on: date | None = None) -> dict[int, str]:
    """{organization id: tie} of every organization whose members may not review the application."""
    return _ties([application], _today(on))[application.pk]


def exclusions(
    applications: Iterable[Application], reviewers: Iterable[Any], *, on: date | None = None
) -> dict[tuple[int, int], list[Conflict]]:
    """{(application id, reviewer id): conflicts} for every pair that has one, in five queries."""
    on = _today(on)
    applications = list(applications)
    ties = _ties(applications, on)
    organizations: dict[int, dict[int, str]] = defaultdict(dict)
    for user_id, organization_id, name in (
        Membership.objects.current(on)
        .filter(user_id__in=[r.pk for r in reviewers])
        .values_list("user_id", "organization_id", "organization__name")
    ):
        organizations[user_id][organization_id] = name
    found = {}
    for application in applications:
        mine = ties[application.pk]
        for user_id, names in organizations.items():
            conflicts = sorted(
                (Conflict(mine[pk], name) for pk, name in names.items() if pk in mine),
                key=lambda c: (TIE_ORDER.index(c.tie), c.organization),
            )
            if conflicts:
                found[(application.pk, user_id)] = conflicts
    return found


def conflicts_of(
    reviewer: Any, application: Application, *, on: date | None = None
) -> list[Conflict]:
    """The automatic conflicts: the reviewer's current memberships in an organization tied to the
    application (the applicant first)."""
    return exclusions([application], [reviewer], on=on).get((application.pk, reviewer.pk), [])


def reviewers_of(call: GrantCall, *, on: date | None = None) -> QuerySet[Any]:
    """The funder's current grant reviewers (those who may be assigned to the call)."""
    ids = (
        Membership.objects.current(_today(on))
        .filter(organization_id=call.funder_id, role=Role.GRANT_REVIEWER)
        .values("user_id")
    )
    return get_user_model().objects.filter(pk__in=ids).order_by("last_name", "first_name", "pk")


# --- Assignments ----------------------------------------------------------------------------------


def _may_manage(actor: Any, call: GrantCall) -> None:
    if not tenancy.has_capability(actor, tenancy.MANAGE_CALLS, call.funder_id):
        raise PermissionDenied


def _conflict_error(conflicts: list[Conflict], field: str, *, own: bool) -> ValidationError:
    reasons = "; ".join(str(c) for c in conflicts)
    message = (
        _("You cannot score this application: you are %(reasons)s.")
        if own
        else _("This reviewer cannot review this application: %(reasons)s.")
    )
    return ValidationError({field: message % {"reasons": reasons}}, code="conflict")


@transaction.atomic
def review_assign(
    *, actor: Any, application: Application, reviewer: Any, on: date | None = None
) -> ReviewAssignment:
    """Assign a reviewer of the funder to a submitted application, unless a tie excludes them."""
    call = application.call
    _may_manage(actor, call)
    current = Application.objects.select_for_update().get(pk=application.pk)
    if current.state not in REVIEWABLE:
        raise ValidationError(
            _("This application is %(state)s: reviewers are assigned to submitted applications.")
            % {"state": current.get_state_display().lower()},
            code="wrong_state",
        )
    tenancy.forget_memberships(reviewer)
    if not tenancy.has_capability(reviewer, tenancy.REVIEW_GRANTS, call.funder_id):
        raise ValidationError(
            {"reviewer": _("This person is not a grant reviewer of the funder.")},
            code="not_reviewer",
        )
    conflicts = conflicts_of(reviewer, current, on=on)
    if conflicts:
        raise _conflict_error(conflicts, "reviewer", own=False)
    already = _("This reviewer is already assigned to this application.")
    if ReviewAssignment.objects.filter(application=current, reviewer=reviewer).exists():
        raise ValidationError({"reviewer": already}, code="exists")
    try:
        with transaction.atomic():
            assignment = ReviewAssignment.objects.create(application=current, reviewer=reviewer)
    except IntegrityError as error:  # assigned at the same moment by someone else
        raise ValidationError({"reviewer": already}, code="exists") from error
    audit_record(
        actor=actor,
        action="create",
        target=assignment,
        organization_id=call.funder_id,
        details={"application": current.pk, "reviewer": reviewer.pk},
    )
    return assignment


@transaction.atomic
def review_unassign(*, actor: Any, assignment: ReviewAssignment) -> None:
    """Take a reviewer off an application, as long as they have scored nothing."""
    call = assignment.application.call
    _may_manage(actor, call)
    current = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
    if current.completed_at is not None or current.scores.exists():
        raise ValidationError(
            _("This reviewer has already scored the application: the review stays on record."),
            code="scored",
        )
    audit_record(
        actor=actor,
        action="delete",
        target=current,
        organization_id=call.funder_id,
        details={"application": current.application_id, "reviewer": current.reviewer_id},
    )
    current.delete()


def _reviewer_checks(actor: Any, assignment: ReviewAssignment) -> None:
    if actor is None or assignment.reviewer_id != actor.pk:
        raise PermissionDenied
    if not tenancy.has_capability(
        actor, tenancy.REVIEW_GRANTS, assignment.application.call.funder_id
    ):
        raise PermissionDenied


def _clean_note(note: Any, field: str, *, limit: int, required: bool) -> str:
    if note is None:
        note = ""
    if not isinstance(note, str):
        raise ValidationError({field: _("Enter text.")})
    note = note.strip()
    if len(note) > limit:
        raise ValidationError(
            {field: _("This text is too long (%(limit)d characters at most).") % {"limit": limit}}
        )
    if "\x00" in note:
        raise ValidationError({field: _("This text contains a character that is not allowed.")})
    if required and not note:
        raise ValidationError({field: _("Say what the conflict of interest is.")})
    return note


@transaction.atomic
def review_declare_conflict(
    *, actor: Any, assignment: ReviewAssignment, note: str
) -> ReviewAssignment:
    """The reviewer declares a conflict of interest: their scores no longer count."""
    _reviewer_checks(actor, assignment)
    note = _clean_note(note, "conflict_note", limit=NOTE_MAX, required=True)
    current = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
    if current.application.state not in REVIEWABLE:
        raise ValidationError(
            _("This application is decided: the review is closed."), code="closed"
        )
    current.conflict_declared = True
    current.conflict_note = note
    current.completed_at = None
    current.save(update_fields=["conflict_declared", "conflict_note", "completed_at"])
    audit_record(
        actor=actor,
        action="change",
        target=current,
        organization_id=current.application.call.funder_id,
        details={"conflict_declared": True},
    )
    return current


def score_field(criterion: Criterion | int) -> str:
    return f"score_{criterion if isinstance(criterion, int) else criterion.pk}"


def comment_field(criterion: Criterion | int) -> str:
    return f"comment_{criterion if isinstance(criterion, int) else criterion.pk}"


def _clean_score(value: Any, criterion: Criterion) -> int | None:
    if value is None or value == "":
        return None
    invalid = _("Give a whole number from 0 to %(max)d.") % {"max": criterion.scale_max}
    if isinstance(value, bool):
        raise ValidationError({score_field(criterion): invalid}, code="invalid")
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise ValidationError({score_field(criterion): invalid}, code="invalid") from None
    if not 0 <= number <= criterion.scale_max:
        raise ValidationError(
            {
                score_field(criterion): _(
                    "The score of “%(criterion)s” is from 0 to %(max)d: %(value)s is outside the "
                    "scale."
                )
                % {"criterion": criterion, "max": criterion.scale_max, "value": str(number)[:12]}
            },
            code="out_of_scale",
        )
    return number


@transaction.atomic
def review_save(
    *,
    actor: Any,
    assignment: ReviewAssignment,
    scores: Mapping[int, tuple[Any, Any]],
    complete: bool,
    now: datetime | None = None,
) -> ReviewAssignment:
    """Save the reviewer's scores and comments ({criterion id: (score, comment)}); `complete`
    requires every criterion scored. Everything is checked before anything is written."""
    _reviewer_checks(actor, assignment)
    current = (
        ReviewAssignment.objects.select_for_update()
        .select_related("application__call")
        .get(pk=assignment.pk)
    )
    application = current.application
    if current.conflict_declared:
        raise ValidationError(
            _("You declared a conflict of interest with this application: you cannot score it."),
            code="conflict",
        )
    conflicts = conflicts_of(actor, application)
    if conflicts:
        raise _conflict_error(conflicts, "__all__", own=True)
    if application.state not in REVIEWABLE:
        raise ValidationError(
            _("This application is %(state)s: its scores no longer change.")
            % {"state": application.get_state_display().lower()},
            code="closed",
        )
    criteria = {c.pk: c for c in application.call.criteria.all()}
    unknown = [key for key in scores if key not in criteria]
    if unknown:
        raise ValidationError(_("These scores are not for this call's criteria."), code="unknown")
    errors: dict[str, list[str]] = {}
    cleaned: dict[int, tuple[int | None, str]] = {}
    for pk, criterion in criteria.items():
        value, comment = scores.get(pk, (None, ""))
        try:
            number = _clean_score(value, criterion)
            text = _clean_note(comment, comment_field(criterion), limit=TEXT_MAX, required=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
            continue
        if number is None and text:
            errors.setdefault(score_field(criterion), []).append(
                _("Give a score with this comment.")
            )
        if number is None and complete:
            errors.setdefault(score_field(criterion), []).append(
                _("Score every criterion to complete the review.")
            )
        cleaned[pk] = (number, text)
    if errors:
        raise ValidationError(errors)
    existing = {s.criterion_id: s for s in current.scores.all()}
    for pk, (number, text) in cleaned.items():
        row = existing.get(pk)
        if number is None:
            if row is not None:
                row.delete()
        elif row is None:
            Score.objects.create(assignment=current, criterion_id=pk, score=number, comment=text)
        elif (row.score, row.comment) != (number, text):
            row.score, row.comment = number, text
            row.save(update_fields=["score", "comment"])
    current.completed_at = (now or timezone.now()) if complete else None
    current.save(update_fields=["completed_at"])
    audit_record(
        actor=actor,
        action="change",
        target=current,
        organization_id=application.call.funder_id,
        details={
            "completed": complete,
            "scored": sum(1 for n, _t in cleaned.values() if n is not None),
        },
    )
    return current


# --- Weighted scores ------------------------------------------------------------------------------


def weighted(criteria: Iterable[Criterion], values: Mapping[int, int | None]) -> Decimal | None:
    """Σ weight × score / highest score over the criteria (None until every one is scored)."""
    total = Decimal(0)
    for criterion in criteria:
        value = values.get(criterion.pk)
        if value is None:
            return None
        total += Decimal(criterion.weight) * Decimal(value) / Decimal(criterion.scale_max)
    return total.quantize(SCORE_PLACES, ROUND_HALF_UP)


@dataclass
class Line:
    criterion: Criterion
    score: int | None
    points: Decimal | None  # weight × score / highest score


@dataclass
class Totals:
    """The totals a reviewer sees beside the form, computed here (never trusted from the page)."""

    lines: list[Line]
    total: Decimal | None  # every criterion scored
    partial: Decimal  # the criteria scored so far
    scored: int
    possible: int  # Σ weights

    @property
    def complete(self) -> bool:
        return self.total is not None


def totals(criteria: Iterable[Criterion], values: Mapping[int, Any]) -> Totals:
    """Totals of the values typed so far; a value outside the scale counts as not scored."""
    lines = []
    for criterion in criteria:
        raw = values.get(criterion.pk)
        try:
            number = _clean_score(raw, criterion)
        except ValidationError:
            number = None
        points = (
            (Decimal(criterion.weight) * number / criterion.scale_max).quantize(Decimal("0.01"))
            if number is not None
            else None
        )
        lines.append(Line(criterion, number, points))
    scored = [line for line in lines if line.points is not None]
    exact = sum(
        (Decimal(line.criterion.weight) * line.score / line.criterion.scale_max for line in scored),
        Decimal(0),
    )
    return Totals(
        lines=lines,
        total=exact.quantize(Decimal("0.01")) if len(scored) == len(lines) and lines else None,
        partial=exact.quantize(Decimal("0.01")),
        scored=len(scored),
        possible=sum(line.criterion.weight for line in lines),
    )


@dataclass
class Standing:
    """An application's reviews: its average and what each criterion got."""

    application: Application
    average: Decimal | None  # over completed reviews without a declared conflict
    completed: int
    assigned: int
    conflicts: int
    by_criterion: dict[int, Decimal] = field(default_factory=dict)  # average score per criterion
    spread: Decimal | None = None  # highest − lowest weighted score of the completed reviews
    rank: int | None = None
    requested: dict[int, Decimal] = field(default_factory=dict)

    @property
    def requested_total(self) -> Decimal:
        return sum(self.requested.values(), Decimal(0))


def requested_of(application: Application) -> dict[int, Decimal]:
    return {
        int(year): Decimal(str(amount))
        for year, amount in sorted((application.requested or {}).items())
    }


def standings(call: GrantCall, applications: Iterable[Application] | None = None) -> list[Standing]:
    """Every ranked application of the call with its average, best first (ties share a rank;
    applications without a completed review come last, unranked). A few queries in all."""
    if applications is None:
        applications = (
            call.applications.filter(state__in=RANKED)
            .select_related("organization")
            .prefetch_related("objectives")
            .order_by("pk")
        )
    applications = list(applications)
    criteria = list(call.criteria.all())
    assignments = defaultdict(list)
    for assignment in ReviewAssignment.objects.filter(
        application__in=[a.pk for a in applications]
    ).order_by("pk"):
        assignments[assignment.application_id].append(assignment)
    values: dict[int, dict[int, int]] = defaultdict(dict)
    for assignment_id, criterion_id, score in Score.objects.filter(
        assignment__application__in=[a.pk for a in applications]
    ).values_list("assignment_id", "criterion_id", "score"):
        values[assignment_id][criterion_id] = score
    result = []
    for application in applications:
        mine = assignments[application.pk]
        counted = [a for a in mine if a.completed_at is not None and not a.conflict_declared]
        reviews = [weighted(criteria, values[a.pk]) for a in counted]
        reviews = [r for r in reviews if r is not None]
        by_criterion = {}
        for criterion in criteria:
            given = [values[a.pk][criterion.pk] for a in counted if criterion.pk in values[a.pk]]
            if given:
                by_criterion[criterion.pk] = (Decimal(sum(given)) / len(given)).quantize(
                    Decimal("0.01"), ROUND_HALF_UP
                )
        result.append(
            Standing(
                application=application,
                average=(sum(reviews, Decimal(0)) / len(reviews)).quantize(
                    SCORE_PLACES, ROUND_HALF_UP
                )
                if reviews
                else None,
                completed=len(reviews),
                assigned=len(mine),
                conflicts=sum(1 for a in mine if a.conflict_declared),
                by_criterion=by_criterion,
                spread=(max(reviews) - min(reviews)) if len(reviews) > 1 else None,
                requested=requested_of(application),
            )
        )
    result.sort(
        key=lambda s: (s.average is None, -(s.average or 0), s.application.title, s.application.pk)
    )
    rank, previous = 0, None
    for position, standing in enumerate(result, start=1):
        if standing.average is None:
            break
        if standing.average != previous:
            rank, previous = position, standing.average
        standing.rank = rank
    return result


def scores_of(call: GrantCall) -> dict[int, Decimal | None]:
    """{application id: average weighted score} of the call's ranked applications."""
    return {s.application.pk: s.average for s in standings(call)}


# --- Reads for the pages --------------------------------------------------------------------------


def reviews_of(user: Any) -> QuerySet[ReviewAssignment]:
    """The reviewer's own assignments, on the funders where they review."""
    return (
        tenancy.scoped(ReviewAssignment, user, tenancy.REVIEW_GRANTS)
        .filter(reviewer_id=user.pk)
        .select_related("application", "application__organization", "application__call")
        .order_by("completed_at", "application__call__closes_at", "application__title", "pk")
    )


def assignment_for(user: Any, pk: Any) -> ReviewAssignment:
    """One of the reviewer's own assignments, or 404 (someone else's is a 404 too)."""
    found = reviews_of(user).filter(pk=_pk(pk)).first()
    if found is None:
        raise Http404
    return found


def values_of(assignment: ReviewAssignment) -> dict[int, tuple[int, str]]:
    return {s.criterion_id: (s.score, s.comment) for s in assignment.scores.all()}


def assignments_of(call: GrantCall) -> dict[int, list[ReviewAssignment]]:
    """{application id: its assignments with their reviewer} for the committee's pages."""
    found: dict[int, list[ReviewAssignment]] = defaultdict(list)
    for assignment in (
        ReviewAssignment.objects.filter(application__call=call)
        .select_related("reviewer")
        .order_by("reviewer__last_name", "reviewer__first_name", "pk")
    ):
        found[assignment.application_id].append(assignment)
    return found


def organizations_tied(application: Application) -> QuerySet[Organization]:
    return Organization.objects.filter(pk__in=list(ties_of(application))).order_by("name")
