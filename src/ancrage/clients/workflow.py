"""The life of a referral, declared as data: states, steps, and who may take each.

    (new) ──send──▶ sent ──accept──▶ accepted ──complete──▶ completed
                         └─decline─▶ declined
    sent ──withdraw──▶ withdrawn            (the sending organization)
    accepted ──withdraw──▶ withdrawn        (only a director of the sending organization)

`SENDER`: staff of the sending organization who may change its clients (`clients.change`);
`SENDER_DIRECTOR`: who may act without consent there (`clients.consent_override`), e.g. to
withdraw a referral already accepted after the person withdrew their consent;
`RECEIVER`: staff of the receiving organization who may change clients there.
Sending needs the person's referral consent naming the receiving organization, or a director's
authorization with its reason (`services.consent_require`). A decline always says why.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ancrage.clients.models import ReferralState as S

SENDER = "sender"
SENDER_DIRECTOR = "sender_director"
RECEIVER = "receiver"
ACTORS = (SENDER, SENDER_DIRECTOR, RECEIVER)
NEW = ""  # the state before a referral exists


@dataclass(frozen=True)
class Step:
    name: str
    source: frozenset[str]
    target: str
    actors: frozenset[str]
    label: str | Promise = ""
    comment_required: bool = False


STEPS: tuple[Step, ...] = (
    Step("send", frozenset({NEW}), S.SENT, frozenset({SENDER}), _("Send")),
    Step("accept", frozenset({S.SENT}), S.ACCEPTED, frozenset({RECEIVER}), _("Accept")),
    Step(
        "decline",
        frozenset({S.SENT}),
        S.DECLINED,
        frozenset({RECEIVER}),
        _("Decline"),
        comment_required=True,
    ),
    Step(
        "complete",
        frozenset({S.ACCEPTED}),
        S.COMPLETED,
        frozenset({RECEIVER}),
        _("Mark as completed"),
    ),
    Step(
        "withdraw",
        frozenset({S.SENT}),
        S.WITHDRAWN,
        frozenset({SENDER, SENDER_DIRECTOR}),
        _("Withdraw"),
    ),
    Step(
        "withdraw",
        frozenset({S.ACCEPTED}),
        S.WITHDRAWN,
        frozenset({SENDER_DIRECTOR}),
        _("Withdraw"),
        comment_required=True,
    ),
)

STEP_NAMES = tuple(dict.fromkeys(step.name for step in STEPS))
# Waiting for the receiving organization's answer: what reminders are about.
UNANSWERED = frozenset({S.SENT})
OPEN_STATES = frozenset({S.SENT, S.ACCEPTED})


def step_for(name: str, state: str, actors: frozenset[str]) -> Step | None:
    """The step `name` from `state` that someone acting as `actors` may take, or None."""
    for step in STEPS:
        if step.name == name and state in step.source and step.actors & actors:
            return step
    return None


def allowed_steps(state: str, actors: frozenset[str]) -> list[Step]:
    """The steps (send excepted) someone acting as `actors` may take from `state`."""
    return [
        step
        for step in STEPS
        if step.name != "send" and state in step.source and step.actors & actors
    ]
