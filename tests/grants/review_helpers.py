"""Helpers of the review and allocation tests: completed reviews written directly, messages."""

from django.utils import timezone

from ancrage.grants.models import ReviewAssignment, Score


def criteria_of(call):
    return list(call.criteria.order_by("position", "code"))


def completed_review(application, reviewer, scores, *, completed=True):
    """An assignment of `reviewer` with one score per criterion (in the call's order)."""
    assignment = ReviewAssignment.objects.create(
        application=application,
        reviewer=reviewer,
        completed_at=timezone.now() if completed else None,
    )
    for criterion, score in zip(criteria_of(application.call), scores, strict=True):
        Score.objects.create(assignment=assignment, criterion=criterion, score=score)
    return assignment


def messages_of(error) -> list[str]:
    exception = error.value if hasattr(error, "value") else error
    return [str(m) for m in exception.messages]
