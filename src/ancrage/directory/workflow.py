"""The life of a service edit, declared as data: states, transitions, and who may take them.

    draft ──publish──▶ published                (organization not under review)
    draft ──submit───▶ submitted ──approve──▶ published      (under review)
                                 └─return───▶ returned ──submit──▶ submitted
    draft / returned / submitted ──withdraw──▶ withdrawn

`EDITOR` holds `directory.edit` in the service's organization; `REVIEWER` holds `directory.review`
(the city's coordinators). `needs_review` says whether the organization is under review.

Two refinements of the first table: an edit still waiting when the review requirement is lifted
may be published by its organization (else it would wait for a review nobody asks for any more),
and nobody approves or returns an edit they wrote themselves (a review is a second pair of eyes).
A return always says why: the comment is what the editor works from.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import RevisionState as S

EDITOR = "editor"
REVIEWER = "reviewer"


@dataclass(frozen=True)
class Transition:
    name: str
    source: frozenset[str]
    target: str
    actors: frozenset[str]
    # None: allowed either way; True/False: only when the organization is (not) under review.
    when_review_required: bool | None = None
    label: str | Promise = ""
    comment_required: bool = False
    # Refused to the revision's author, whatever their capabilities.
    not_by_author: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "publish",
        frozenset({S.DRAFT, S.RETURNED, S.SUBMITTED}),
        S.PUBLISHED,
        frozenset({EDITOR}),
        False,
        label=_("Publish"),
    ),
    Transition(
        "submit",
        frozenset({S.DRAFT, S.RETURNED}),
        S.SUBMITTED,
        frozenset({EDITOR}),
        True,
        label=_("Submit for review"),
    ),
    Transition(
        "approve",
        frozenset({S.SUBMITTED}),
        S.PUBLISHED,
        frozenset({REVIEWER}),
        label=_("Approve and publish"),
        not_by_author=True,
    ),
    Transition(
        "return",
        frozenset({S.SUBMITTED}),
        S.RETURNED,
        frozenset({REVIEWER}),
        label=_("Return with comments"),
        comment_required=True,
        not_by_author=True,
    ),
    Transition(
        "withdraw",
        frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED}),
        S.WITHDRAWN,
        frozenset({EDITOR}),
        label=_("Withdraw the edit"),
    ),
)

OPEN_STATES = frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED})
# States in which the author may still change the content.
EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})


def transition_named(name: str) -> Transition:
    for transition in TRANSITIONS:
        if transition.name == name:
            return transition
    raise KeyError(name)


def allowed_transitions(
    state: str, actors: frozenset[str], review_required: bool, is_author: bool = False
) -> list[Transition]:
    """The transitions someone acting as `actors` may take from `state`."""
    return [
        t
        for t in TRANSITIONS
        if state in t.source
        and t.actors & actors
        and (t.when_review_required is None or t.when_review_required == review_required)
        and not (t.not_by_author and is_author)
    ]
