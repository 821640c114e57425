"""Who a funding program covers on a given day, and why — in plain words.

The public entry point for other apps (clients records services with it):

    facts = PersonFacts(status_code="permanent-resident", status_since=date(2024, 3, 10),
                        arrived_quebec=date(2024, 3, 10), birth_date=date(1990, 5, 1),
                        lives_in_quebec=True, borough_code="montreal-nord")
    result = evaluate(program, facts, on=service_date)
    result.eligible, result.status, result.summary, result.reasons, result.missing,
    result.rule_version

`PersonFacts` is a plain description of the person *at the service date*, never a client model:
the caller decides what it knows. A fact left at None is "unknown": a condition that needs it
is neither met nor failed, and the result lists it under `missing` (status "unknown").

Dates are compared exactly. "At most N years since X" holds up to and including the N-th
anniversary of X (arrived 2021-03-10: within 5 years on 2026-03-10, not on 2026-03-11). Someone
who arrived (or was born) on 29 February completes a year on 1 March in common years.

Impossible facts — an arrival after the service date or in the future, before the birth date,
in Québec before Canada, an unknown status or borough — raise `ValidationError` keyed by the
`PersonFacts` field (`facts_check`), before anything is evaluated: the caller saves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ancrage.core.models import Borough, ImmigrationStatus
from ancrage.core.translated import pick
from ancrage.funding.conditions import MAX_AGE, kind_of

if TYPE_CHECKING:
    from ancrage.funding.models import EligibilityRule, FundingProgram

# Facts and service dates outside this span are typing mistakes (0202 for 2020).
EARLIEST_DAY = date(1890, 1, 1)
LATEST_DAY = date(2100, 12, 31)

ELIGIBLE = "eligible"
NOT_ELIGIBLE = "not_eligible"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class PersonFacts:
    """What is known of a person on the service date. None means "not known"."""

    status_code: str | None = None  # a core.ImmigrationStatus code
    status_since: date | None = None  # when the current status was obtained
    arrived_canada: date | None = None
    arrived_quebec: date | None = None
    birth_date: date | None = None
    # (youngest, oldest) possible age in whole years on the service date, for callers that keep
    # an age band rather than a date of birth; ignored when `birth_date` is given.
    age_range: tuple[int, int] | None = None
    lives_in_quebec: bool | None = None  # implied True by a borough
    lives_in_montreal: bool | None = None  # implied True by a borough
    borough_code: str | None = None  # a core.Borough code (Montréal)


@dataclass(frozen=True)
class EligibilityResult:
    """The verdict of one program's rule for one person on one day, with its reasons."""

    eligible: bool
    rule_version: EligibilityRule | None
    reasons: list[str]  # one plain-words fragment per condition, in the rule's order
    missing: list[str]  # facts the rule needed and did not get, in plain words
    program: FundingProgram | None = None
    on: date | None = None
    failed: list[str] = field(default_factory=list)  # the fragments of unmet conditions
    note: str = ""  # why there was nothing to evaluate (no rule in force, inactive program)

    @property
    def status(self) -> str:
        if self.eligible:
            return ELIGIBLE
        if self.failed or self.note or not self.missing:
            return NOT_ELIGIBLE
        return UNKNOWN

    @property
    def summary(self) -> str:
        """One sentence: "Eligible: …", "Not eligible: …" or "Unknown: … missing"."""
        if self.eligible:
            if not self.reasons:
                return _("Eligible: open to everyone.")
            return _("Eligible: %(reasons)s.") % {"reasons": "; ".join(self.reasons)}
        if self.note:
            return _("Not eligible: %(reasons)s.") % {"reasons": self.note}
        if self.failed:
            return _("Not eligible: %(reasons)s.") % {"reasons": "; ".join(self.failed)}
        return _("Unknown: %(missing)s.") % {"missing": "; ".join(self.missing)}


# ---------------------------------------------------------------------------------------------
# Dates


def add_years(day: date, years: int) -> date:
    """The `years`-th anniversary of `day`; 29 February rolls to 1 March in common years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def whole_years(start: date, on: date) -> int:
    """Completed years from `start` to `on` (an age, a time since arrival)."""
    years = on.year - start.year
    if add_years(start, years) > on:
        years -= 1
    return years


def years_between(start: date, on: date) -> float:
    """Exact years from `start` to `on`: whole years plus the fraction of the year under way."""
    whole = whole_years(start, on)
    anniversary = add_years(start, whole)
    year_length = (add_years(start, whole + 1) - anniversary).days
    return whole + (on - anniversary).days / year_length


def _years_text(years: float, *, limit: int, within: bool) -> str:
    # One decimal, never contradicting the verdict: one day past the 5th anniversary reads
    # "5.1 years (at most 5)", not "5.0".
    rounded = round(years, 1)
    if not within and rounded <= limit:
        rounded = limit + 0.1
    return ngettext("%(years)s year", "%(years)s years", int(rounded)) % {
        "years": number_format(rounded, decimal_pos=1)
    }


# ---------------------------------------------------------------------------------------------
# Checking the facts


@dataclass
class Vocabulary:
    """Codes and names of statuses and boroughs, loaded once per evaluation batch."""

    statuses: dict[str, dict[str, str]]
    boroughs: dict[str, dict[str, str]]

    @classmethod
    def load(cls) -> Vocabulary:
        return cls(
            dict(ImmigrationStatus.objects.values_list("code", "names")),
            dict(Borough.objects.values_list("code", "names")),
        )

    def status(self, code: str) -> str:
        return pick(self.statuses.get(code)) or code

    def borough(self, code: str) -> str:
        return pick(self.boroughs.get(code)) or code


def _normalized(facts: PersonFacts) -> PersonFacts:
    """A borough says where the person lives: in Montréal, hence in Québec."""
    in_montreal = facts.lives_in_montreal
    if facts.borough_code and in_montreal is None:
        in_montreal = True
    in_quebec = facts.lives_in_quebec
    if in_montreal and in_quebec is None:
        in_quebec = True
    return replace(facts, lives_in_quebec=in_quebec, lives_in_montreal=in_montreal)


def facts_check(facts: PersonFacts, *, on: date, reference: Vocabulary | None = None) -> None:
    """Refuse impossible facts with a ValidationError keyed by the PersonFacts field."""
    if not isinstance(on, date) or isinstance(on, datetime):
        raise TypeError("`on` must be a date (the service date).")
    reference = reference or Vocabulary.load()
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name, known, message in (
        ("status_code", reference.statuses, _("Unknown immigration status: %(code)s.")),
        ("borough_code", reference.boroughs, _("Unknown borough: %(code)s.")),
    ):
        code = getattr(facts, name)
        if code is not None and (not isinstance(code, str) or code not in known):
            refuse(name, message % {"code": str(code)[:40]})
    if not EARLIEST_DAY <= on <= LATEST_DAY:
        refuse(
            "on",
            _("The service date must fall between %(earliest)s and %(latest)s.")
            % {"earliest": EARLIEST_DAY.isoformat(), "latest": LATEST_DAY.isoformat()},
        )
        raise ValidationError(errors)

    today = timezone.localdate()
    dated = {
        "birth_date": (facts.birth_date, _("The date of birth")),
        "arrived_canada": (facts.arrived_canada, _("The date of arrival in Canada")),
        "arrived_quebec": (facts.arrived_quebec, _("The date of arrival in Québec")),
        "status_since": (facts.status_since, _("The date the status was obtained")),
    }
    for name, (day, label) in dated.items():
        if day is None:
            continue
        if not isinstance(day, date) or isinstance(day, datetime):
            refuse(name, _("%(what)s is not a date.") % {"what": label})
        elif day > today:
            refuse(name, _("%(what)s is in the future.") % {"what": label})
        elif day < EARLIEST_DAY:
            refuse(
                name,
                _("%(what)s is before %(earliest)s.")
                % {"what": label, "earliest": EARLIEST_DAY.isoformat()},
            )
        elif day > on:
            refuse(
                name,
                _("%(what)s is after the service date (%(on)s).")
                % {"what": label, "on": on.isoformat()},
            )
        elif name != "birth_date" and isinstance(facts.birth_date, date) and day < facts.birth_date:
            refuse(name, _("%(what)s is before the date of birth.") % {"what": label})
    if (
        isinstance(facts.birth_date, date)
        and "birth_date" not in errors
        and whole_years(facts.birth_date, on) > MAX_AGE
    ):
        refuse(
            "birth_date", _("The date of birth is more than %(max)s years ago.") % {"max": MAX_AGE}
        )
    if (
        isinstance(facts.arrived_canada, date)
        and isinstance(facts.arrived_quebec, date)
        and facts.arrived_quebec < facts.arrived_canada
        and "arrived_quebec" not in errors
    ):
        refuse(
            "arrived_quebec", _("The arrival in Québec cannot come before the arrival in Canada.")
        )
    if facts.age_range is not None:
        youngest, oldest = (tuple(facts.age_range) + (None, None))[:2]
        if not (
            len(facts.age_range) == 2
            and all(isinstance(a, int) and not isinstance(a, bool) for a in (youngest, oldest))
            and 0 <= youngest <= oldest <= MAX_AGE
        ):
            refuse(
                "age_range",
                _("The age range must go from a younger to an older age, 0 to %(max)s.")
                % {"max": MAX_AGE},
            )
    if facts.borough_code and (facts.lives_in_quebec is False or facts.lives_in_montreal is False):
        refuse(
            "borough_code",
            _("A Montréal borough is given for someone who does not live in Montréal."),
        )
    if facts.lives_in_montreal and facts.lives_in_quebec is False:
        refuse("lives_in_quebec", _("Someone who lives in Montréal lives in Québec."))
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------
# Evaluating conditions


@dataclass(frozen=True)
class _Outcome:
    met: bool | None  # None: a fact is missing
    text: str = ""
    missing: str = ""


def _age_bounds(facts: PersonFacts, on: date) -> tuple[int, int] | None:
    if facts.birth_date is not None:
        age = whole_years(facts.birth_date, on)
        return (age, age)
    if facts.age_range is not None:
        return (facts.age_range[0], facts.age_range[1])
    return None


def _age_text(bounds: tuple[int, int]) -> str:
    youngest, oldest = bounds
    if youngest == oldest:
        return ngettext("aged %(age)s", "aged %(age)s", youngest) % {"age": youngest}
    return _("aged %(youngest)s to %(oldest)s") % {"youngest": youngest, "oldest": oldest}


def _status(condition: dict, facts: PersonFacts, on: date, ref: Vocabulary) -> _Outcome:
    if facts.status_code is None:
        return _Outcome(None, missing=_("immigration status missing"))
    name = ref.status(facts.status_code)
    if facts.status_code not in condition["status_in"]:
        return _Outcome(
            False, _("%(status)s, a status this program does not cover") % {"status": name}
        )
    if facts.status_since is not None:
        return _Outcome(
            True,
            _("%(status)s since %(date)s")
            % {"status": name, "date": facts.status_since.isoformat()},
        )
    return _Outcome(True, name)


def _years_since(condition: dict, facts: PersonFacts, on: date, ref: Vocabulary) -> _Outcome:
    limit = condition["years_since_max"]
    since = condition.get("since", "arrived_quebec")
    start: date | None = getattr(facts, since)
    if start is None:
        missing = {
            "arrived_quebec": _("date of arrival in Québec missing"),
            "arrived_canada": _("date of arrival in Canada missing"),
            "status_since": _("date the status was obtained missing"),
        }
        return _Outcome(None, missing=missing[since])
    within = on <= add_years(start, limit)
    values = {
        "date": start.isoformat(),
        "years": _years_text(years_between(start, on), limit=limit, within=within),
        "max": limit,
    }
    texts = {
        "arrived_quebec": _("arrived in Québec on %(date)s, %(years)s ago (at most %(max)s)"),
        "arrived_canada": _("arrived in Canada on %(date)s, %(years)s ago (at most %(max)s)"),
        "status_since": _("status obtained on %(date)s, %(years)s ago (at most %(max)s)"),
    }
    return _Outcome(within, texts[since] % values)


def _age_min(condition: dict, facts: PersonFacts, on: date, ref: Vocabulary) -> _Outcome:
    bounds = _age_bounds(facts, on)
    if bounds is None:
        return _Outcome(None, missing=_("age missing"))
    text = _("%(age)s (at least %(min)s)") % {"age": _age_text(bounds), "min": condition["age_min"]}
    if bounds[0] >= condition["age_min"]:
        return _Outcome(True, text)
    if bounds[1] < condition["age_min"]:
        return _Outcome(False, text)
    return _Outcome(None, text, _("exact age missing"))


def _age_max(condition: dict, facts: PersonFacts, on: date, ref: Vocabulary) -> _Outcome:
    bounds = _age_bounds(facts, on)
    if bounds is None:
        return _Outcome(None, missing=_("age missing"))
    text = _("%(age)s (at most %(max)s)") % {"age": _age_text(bounds), "max": condition["age_max"]}
    if bounds[1] <= condition["age_max"]:
        return _Outcome(True, text)
    if bounds[0] > condition["age_max"]:
        return _Outcome(False, text)
    return _Outcome(None, text, _("exact age missing"))


def _lives_in_quebec(condition: dict, facts: PersonFacts, on: date, ref: Vocabulary) -> _Outcome:
    if facts.lives_in_quebec is None:
        return _Outcome(None, missing=_("place of residence missing"))
    if facts.lives_in_quebec:
        return _Outcome(True, _("lives in Québec"))
    return _Outcome(False, _("does not live in Québec"))


def _borough(condition: dict, facts: PersonFacts, on: date, ref: Vocabulary) -> _Outcome:
    if facts.borough_code:
        name = ref.borough(facts.borough_code)
        if facts.borough_code in condition["borough_in"]:
            return _Outcome(True, _("lives in %(borough)s") % {"borough": name})
        return _Outcome(
            False, _("lives in %(borough)s, outside the boroughs covered") % {"borough": name}
        )
    if facts.lives_in_montreal is False or facts.lives_in_quebec is False:
        return _Outcome(False, _("does not live in Montréal"))
    return _Outcome(None, missing=_("borough of residence missing"))


EVALUATORS = {
    "status_in": _status,
    "years_since_max": _years_since,
    "age_min": _age_min,
    "age_max": _age_max,
    "lives_in_quebec": _lives_in_quebec,
    "borough_in": _borough,
}


def evaluate_conditions(
    conditions: dict[str, Any],
    facts: PersonFacts,
    on: date,
    *,
    rule_version: EligibilityRule | None = None,
    program: FundingProgram | None = None,
    reference: Vocabulary | None = None,
) -> EligibilityResult:
    """Judge checked conditions (see `conditions.conditions_check`); facts must be checked."""
    reference = reference or Vocabulary.load()
    facts = _normalized(facts)
    reasons: list[str] = []
    failed: list[str] = []
    missing: list[str] = []
    for condition in conditions.get("all", []):
        outcome = EVALUATORS[kind_of(condition)](condition, facts, on, reference)
        if outcome.text:
            reasons.append(outcome.text)
        if outcome.met is False:
            failed.append(outcome.text)
        elif outcome.met is None:
            missing.append(outcome.missing)
    return EligibilityResult(
        eligible=not failed and not missing,
        rule_version=rule_version,
        reasons=reasons,
        missing=missing,
        program=program,
        on=on,
        failed=failed,
    )


def _rule_in_force(program: FundingProgram, on: date) -> EligibilityRule | None:
    cached = getattr(program, "_prefetched_objects_cache", {}).get("rules")
    if cached is not None:
        return next((rule for rule in cached if rule.in_force_on(on)), None)
    return program.rules.filter(valid_from__lte=on).exclude(valid_to__lt=on).first()


def evaluate(
    program_or_rule: FundingProgram | EligibilityRule,
    facts: PersonFacts,
    on: date,
    *,
    reference: Vocabulary | None = None,
) -> EligibilityResult:
    """Is the person covered by this program (the rule version in force on `on`), and why?

    Given a rule version rather than a program, that version is used — and a day outside its
    period is answered "not in force", never judged by a rule that did not apply.
    Raises ValidationError for impossible facts (see `facts_check`).
    """
    from ancrage.funding.models import EligibilityRule, FundingProgram

    reference = reference or Vocabulary.load()
    facts_check(facts, on=on, reference=reference)
    if isinstance(program_or_rule, EligibilityRule):
        rule: EligibilityRule | None = program_or_rule
        program = program_or_rule.program
        if not program_or_rule.in_force_on(on):
            return _not_evaluated(
                program,
                on,
                _("this version of the rule is not in force on %(date)s")
                % {"date": on.isoformat()},
                rule,
            )
    elif isinstance(program_or_rule, FundingProgram):
        program = program_or_rule
        rule = _rule_in_force(program, on)
        if rule is None:
            return _not_evaluated(
                program,
                on,
                _("no eligibility rule of this program is in force on %(date)s")
                % {"date": on.isoformat()},
            )
    else:
        raise TypeError("evaluate() takes a FundingProgram or an EligibilityRule.")
    if not program.is_active:
        return _not_evaluated(program, on, _("the program is not active"), rule)
    return evaluate_conditions(
        rule.conditions, facts, on, rule_version=rule, program=program, reference=reference
    )


def _not_evaluated(
    program: FundingProgram, on: date, note: str, rule: EligibilityRule | None = None
) -> EligibilityResult:
    return EligibilityResult(
        eligible=False, rule_version=rule, reasons=[], missing=[], program=program, on=on, note=note
    )
