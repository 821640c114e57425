"""The life of a round table's recommendation, declared as data: states, steps, and who may take each.

    drafted ──adopt──▶ adopted ──send──▶ sent ──acknowledge──▶ acknowledged
    sent, acknowledged ──accept / partly_accept / reject──▶ accepted / partly accepted / rejected
    sent, acknowledged ──declare_no_answer──▶ no answer    (only once the waiting time is over)
    no answer ──accept / partly_accept / reject──▶ …       (a late answer is still recorded)

`TABLE`: the round table's own people who run it (`surveys.round_table`, held in the table's
organization: director, coordinator, administrator). They record every step, the institution's
answer included: institutions are rarely users of Ancrage, and the table is who follows up.

`INSTITUTION`: those who speak for the organization the recommendation is addressed to
(`network.change` there: its director, coordinators, administrators — not every employee). When
the institution is a user, it may acknowledge and record its own answer, first hand, without
waiting for the table to copy it from a letter; it never adopts, sends or declares itself silent,
and it never sees the table's drafts (`INSTITUTION_STATES`).

Every step checks the version the person saw. A dated step takes its date (`DATED`: the field it
fills); an answer needs its date and its text. Dates are never in the future, nor before the
previous step's (`NOT_BEFORE`).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ancrage.core import tenancy
from ancrage.surveys.models import Recommendation
from ancrage.surveys.models import RecommendationState as S

TABLE = "table"
INSTITUTION = "institution"
ACTORS = (TABLE, INSTITUTION)

# Who holds which side, as data: the capability, and the field naming where it must be held.
SIDES: dict[str, tuple[str, str]] = {
    TABLE: (tenancy.RUN_ROUND_TABLE, "table_id"),
    INSTITUTION: (tenancy.CHANGE, "addressed_to_id"),
}


@dataclass(frozen=True)
class Step:
    name: str
    source: frozenset[str]
    target: str
    actors: frozenset[str]
    label: str | Promise = ""
    dated: str = ""  # the date field the step fills ("": none)
    answer: bool = False  # records the institution's answer: its text is required
    after_waiting: bool = False  # only once `remind_after_days` have passed since it was sent


BOTH = frozenset({TABLE, INSTITUTION})
WAITING = frozenset({S.SENT, S.ACKNOWLEDGED})
ANSWERABLE = WAITING | {S.NO_ANSWER}

STEPS: tuple[Step, ...] = (
    Step(
        "adopt",
        frozenset({S.DRAFTED}),
        S.ADOPTED,
        frozenset({TABLE}),
        _("Adopted by the table"),
        dated="adopted_on",
    ),
    Step(
        "send",
        frozenset({S.ADOPTED}),
        S.SENT,
        frozenset({TABLE}),
        _("Sent to the institution"),
        dated="sent_on",
    ),
    Step(
        "acknowledge",
        frozenset({S.SENT}),
        S.ACKNOWLEDGED,
        BOTH,
        _("Receipt acknowledged"),
    ),
    Step(
        "accept",
        ANSWERABLE,
        S.ACCEPTED,
        BOTH,
        _("Accepted"),
        dated="answered_on",
        answer=True,
    ),
    Step(
        "partly_accept",
        ANSWERABLE,
        S.PARTLY_ACCEPTED,
        BOTH,
        _("Partly accepted"),
        dated="answered_on",
        answer=True,
    ),
    Step(
        "reject",
        ANSWERABLE,
        S.REJECTED,
        BOTH,
        _("Rejected"),
        dated="answered_on",
        answer=True,
    ),
    Step(
        "declare_no_answer",
        WAITING,
        S.NO_ANSWER,
        frozenset({TABLE}),
        _("No answer received"),
        after_waiting=True,
    ),
)

STEP_NAMES = tuple(dict.fromkeys(step.name for step in STEPS))
# A dated step's date is not before the date of the step before it.
NOT_BEFORE = {"adopted_on": "", "sent_on": "adopted_on", "answered_on": "sent_on"}
# Not yet sent: the table's own work, seen by its people only (not by the institution, the
# city's network-wide readers or the public).
INTERNAL_STATES = frozenset({S.DRAFTED, S.ADOPTED})
# What the institution, and the public tracker, may see.
INSTITUTION_STATES = frozenset(S.values) - INTERNAL_STATES
PUBLIC_STATES = INSTITUTION_STATES
ANSWERED_STATES = frozenset({S.ACCEPTED, S.PARTLY_ACCEPTED, S.REJECTED})
# Waiting for the institution: what reminders and "days waiting" are about.
UNANSWERED = WAITING
# Only a draft's content is edited: once adopted, the text is what the table adopted.
EDITABLE_STATES = frozenset({S.DRAFTED})


def actors_for(user: Any, recommendation: Recommendation) -> frozenset[str]:
    """The sides `user` may act for on this recommendation."""
    return frozenset(
        side
        for side, (capability, field) in SIDES.items()
        if tenancy.has_capability(user, capability, getattr(recommendation, field))
    )


def side_organization(recommendation: Recommendation, side: str) -> int:
    """The organization a side acts from (for the audit log)."""
    return getattr(recommendation, SIDES[side][1])


def step_for(name: str, state: str, actors: frozenset[str]) -> Step | None:
    """The step `name` from `state` that someone acting as `actors` may take, or None."""
    for step in STEPS:
        if step.name == name and state in step.source and step.actors & actors:
            return step
    return None


def allowed_steps(state: str, actors: frozenset[str]) -> list[Step]:
    """The steps someone acting as `actors` may take from `state`."""
    return [step for step in STEPS if state in step.source and step.actors & actors]


def waited_enough(recommendation: Recommendation, today: date) -> bool:
    """True once the recommendation has waited its `remind_after_days` since it was sent."""
    sent_on = recommendation.sent_on
    return sent_on is not None and (today - sent_on).days >= recommendation.remind_after_days


def days_waiting(recommendation: Recommendation, today: date) -> int | None:
    """Days since it was sent: until today while no answer came, until the answer once there is
    one; None before it is sent."""
    if recommendation.sent_on is None or recommendation.state in INTERNAL_STATES:
        return None
    end = recommendation.answered_on or today
    return max(0, (end - recommendation.sent_on).days)
