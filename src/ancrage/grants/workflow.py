"""The life of an application, declared as data: states, steps, and who may take each.

    draft ──submit──▶ submitted ──fund────▶ funded
      │                   └──────decline──▶ declined
      └──withdraw──▶ withdrawn ◀──withdraw── submitted

`APPLICANT`: the applicant organization's director and coordinators (`grants.apply`).
`FUNDER`: who manages the funder's calls (`grants.manage`, held in the call's funder).
When a step may be taken is data too: submitting only while the call takes applications (from its
opening to its deadline included, server time); funding and declining only once the deadline has
passed (every application is in); withdrawing at any time before a decision. Only a draft can be
edited; a co-applicant organization confirms its part but takes no step.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ancrage.core import tenancy
from ancrage.grants.models import Application, GrantCall
from ancrage.grants.models import ApplicationState as S
from ancrage.grants.models import CallState as C

APPLICANT = "applicant"
FUNDER = "funder"
ACTORS = (APPLICANT, FUNDER)

# Who holds which side, as data: the capability, and where the application says it must be held.
SIDES: dict[str, tuple[str, str]] = {
    APPLICANT: (tenancy.APPLY_GRANTS, "organization_id"),
    FUNDER: (tenancy.MANAGE_CALLS, "call.funder_id"),
}

# When a step may be taken, relative to the call's dates.
ANY_TIME = "any_time"
WHILE_OPEN = "while_open"  # opens_at <= now <= closes_at, the call published
AFTER_DEADLINE = "after_deadline"  # now > closes_at


@dataclass(frozen=True)
class Step:
    name: str
    source: frozenset[str]
    target: str
    actors: frozenset[str]
    label: str | Promise = ""
    when: str = ANY_TIME


STEPS: tuple[Step, ...] = (
    Step(
        "submit",
        frozenset({S.DRAFT}),
        S.SUBMITTED,
        frozenset({APPLICANT}),
        _("Submit the application"),
        when=WHILE_OPEN,
    ),
    Step(
        "withdraw",
        frozenset({S.DRAFT, S.SUBMITTED}),
        S.WITHDRAWN,
        frozenset({APPLICANT}),
        _("Withdraw the application"),
    ),
    Step(
        "fund",
        frozenset({S.SUBMITTED}),
        S.FUNDED,
        frozenset({FUNDER}),
        _("Fund"),
        when=AFTER_DEADLINE,
    ),
    Step(
        "decline",
        frozenset({S.SUBMITTED}),
        S.DECLINED,
        frozenset({FUNDER}),
        _("Decline"),
        when=AFTER_DEADLINE,
    ),
)

STEP_NAMES = tuple(dict.fromkeys(step.name for step in STEPS))
# Only a draft is edited (budget, logic model, partners, co-applicants, documents).
EDITABLE_STATES = frozenset({S.DRAFT})
# What the funder (and its reviewers) may see: never a draft.
SENT_STATES = frozenset({S.SUBMITTED, S.FUNDED, S.DECLINED, S.WITHDRAWN})
DECIDED_STATES = frozenset({S.FUNDED, S.DECLINED})


def _owner(application: Application, path: str) -> int:
    value: Any = application
    for name in path.split("."):
        value = getattr(value, name)
    return value


def actors_for(user: Any, application: Application) -> frozenset[str]:
    """The sides `user` may act for on this application."""
    return frozenset(
        side
        for side, (capability, path) in SIDES.items()
        if tenancy.has_capability(user, capability, _owner(application, path))
    )


def side_organization(application: Application, side: str) -> int:
    """The organization a side acts from (for the audit log)."""
    return _owner(application, SIDES[side][1])


def takes_applications(call: GrantCall, now: datetime) -> bool:
    """The call is published and `now` is between its opening and its deadline (included)."""
    return call.state == C.PUBLISHED and call.opens_at <= now <= call.closes_at


def in_time(step: Step, call: GrantCall, now: datetime) -> bool:
    if step.when == WHILE_OPEN:
        return takes_applications(call, now)
    if step.when == AFTER_DEADLINE:
        return now > call.closes_at
    return True


def step_for(name: str, state: str, actors: frozenset[str]) -> Step | None:
    """The step `name` from `state` that someone acting as `actors` may take, or None."""
    for step in STEPS:
        if step.name == name and state in step.source and step.actors & actors:
            return step
    return None


def allowed_steps(application: Application, actors: frozenset[str], now: datetime) -> list[Step]:
    """The steps someone acting as `actors` may take on the application now."""
    return [
        step
        for step in STEPS
        if application.state in step.source
        and step.actors & actors
        and in_time(step, application.call, now)
    ]
