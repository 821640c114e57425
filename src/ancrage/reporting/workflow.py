"""The life of an accountability report, declared as data: states, steps, and who may take each.

    draft ──submit──▶ submitted ──acknowledge──▶ acknowledged
                          └──────return───────▶ returned ──submit──▶ submitted (figures frozen again)

`ORGANIZATION`: staff of the agreement's organization who prepare its reports
(`reporting.prepare`: director, coordinator, data steward). `FUNDER`: the funder's partnership
advisors (`funding.advise`, held in the funder's own organization: the program's funder).
Submitting freezes the figures, their parameters, the suppression log and the files; a return
always says why. An acknowledged report is final.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ancrage.core import tenancy
from ancrage.reporting.models import AccountabilityReport
from ancrage.reporting.models import ReportState as S

ORGANIZATION = "organization"
FUNDER = "funder"
ACTORS = (ORGANIZATION, FUNDER)

# Who holds which side, as data: the capability, and where the report says it must be held.
SIDES: dict[str, tuple[str, str]] = {
    ORGANIZATION: (tenancy.PREPARE_REPORTS, "agreement.organization_id"),
    FUNDER: (tenancy.ADVISE, "agreement.program.funder_id"),
}


@dataclass(frozen=True)
class Step:
    name: str
    source: frozenset[str]
    target: str
    actors: frozenset[str]
    label: str | Promise = ""
    comment_required: bool = False
    freezes: bool = False  # computes and stores the figures and files


STEPS: tuple[Step, ...] = (
    Step(
        "submit",
        frozenset({S.DRAFT, S.RETURNED}),
        S.SUBMITTED,
        frozenset({ORGANIZATION}),
        _("Submit to the funder"),
        freezes=True,
    ),
    Step(
        "acknowledge",
        frozenset({S.SUBMITTED}),
        S.ACKNOWLEDGED,
        frozenset({FUNDER}),
        _("Acknowledge receipt"),
    ),
    Step(
        "return",
        frozenset({S.SUBMITTED}),
        S.RETURNED,
        frozenset({FUNDER}),
        _("Return with comments"),
        comment_required=True,
    ),
)

STEP_NAMES = tuple(dict.fromkeys(step.name for step in STEPS))
# States where the figures shown are computed afresh (not yet sent, or sent back).
LIVE_STATES = frozenset({S.DRAFT, S.RETURNED})
# States the funder sees.
SENT_STATES = frozenset({S.SUBMITTED, S.ACKNOWLEDGED, S.RETURNED})


def _owner(report: AccountabilityReport, path: str) -> int:
    value: Any = report
    for name in path.split("."):
        value = getattr(value, name)
    return value


def actors_for(user: Any, report: AccountabilityReport) -> frozenset[str]:
    """The sides `user` may act for on this report."""
    return frozenset(
        side
        for side, (capability, path) in SIDES.items()
        if tenancy.has_capability(user, capability, _owner(report, path))
    )


def side_organization(report: AccountabilityReport, side: str) -> int:
    """The organization a side acts from (for the audit log)."""
    return _owner(report, SIDES[side][1])


def step_for(name: str, state: str, actors: frozenset[str]) -> Step | None:
    """The step `name` from `state` that someone acting as `actors` may take, or None."""
    for step in STEPS:
        if step.name == name and state in step.source and step.actors & actors:
            return step
    return None


def allowed_steps(state: str, actors: frozenset[str]) -> list[Step]:
    """The steps someone acting as `actors` may take from `state`."""
    return [step for step in STEPS if state in step.source and step.actors & actors]
