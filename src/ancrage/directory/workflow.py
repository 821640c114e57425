"""The life of a service edit, declared as data: states, transitions, and who may take them.

    draft ──publish──▶ published                (organization not under review)
    draft ──submit───▶ submitted ──approve──▶ published      (under review)
                                 └─return───▶ returned ──submit──▶ submitted
    draft / returned / submitted ──withdraw──▶ withdrawn

`EDITOR` holds `directory.edit` in the service's organization; `REVIEWER` holds `directory.review`
(the city's coordinators). `needs_review` says whether the organization is under review.
"""

from dataclasses import dataclass

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


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "publish", frozenset({S.DRAFT, S.RETURNED}), S.PUBLISHED, frozenset({EDITOR}), False
    ),
    Transition("submit", frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, frozenset({EDITOR}), True),
    Transition("approve", frozenset({S.SUBMITTED}), S.PUBLISHED, frozenset({REVIEWER})),
    Transition("return", frozenset({S.SUBMITTED}), S.RETURNED, frozenset({REVIEWER})),
    Transition(
        "withdraw", frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED}), S.WITHDRAWN, frozenset({EDITOR})
    ),
)

OPEN_STATES = frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED})


def transition_named(name: str) -> Transition:
    for transition in TRANSITIONS:
        if transition.name == name:
            return transition
    raise KeyError(name)


def allowed_transitions(
    state: str, actors: frozenset[str], review_required: bool
) -> list[Transition]:
    """The transitions someone acting as `actors` may take from `state`."""
    return [
        t
        for t in TRANSITIONS
        if state in t.source
        and t.actors & actors
        and (t.when_review_required is None or t.when_review_required == review_required)
    ]
