"""Reads of funding programs: which programs cover a person on a day, the catalogue of rules.

Programs and their rules are not secret: every organization of the network reads them to know
whom it may count. Changing them is scoped (see `core.tenancy.MANAGE_FUNDING`).
"""

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from ancrage.core import tenancy
from ancrage.funding.eligibility import (
    EligibilityResult,
    PersonFacts,
    Vocabulary,
    evaluate,
    facts_check,
)
from ancrage.funding.models import EligibilityRule, FundingProgram
from ancrage.network.models import Organization


def _active_programs_on(on: date) -> QuerySet[FundingProgram]:
    in_force = EligibilityRule.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on
    )
    return (
        FundingProgram.objects.filter(
            Exists(in_force.filter(program=OuterRef("pk"))), is_active=True
        )
        .select_related("funder")
        .prefetch_related(Prefetch("rules", queryset=in_force))
        .order_by("code")
    )


def eligibility_for(
    facts: PersonFacts, on: date, *, programs: QuerySet[FundingProgram] | None = None
) -> list[EligibilityResult]:
    """The verdict of every active program with a rule in force on `on` (eligible or not, with
    reasons), by code.

    Raises ValidationError for impossible facts, before evaluating anything.
    """
    reference = Vocabulary.load()
    facts_check(facts, on=on, reference=reference)
    if programs is None:
        programs = _active_programs_on(on)
    return [evaluate(program, facts, on, reference=reference) for program in programs]


def programs_for(facts: PersonFacts, on: date) -> list[FundingProgram]:
    """The programs that cover this person on that day (empty: serve them unfunded, or under
    another source; `eligibility_for` says why each program does not)."""
    return [result.program for result in eligibility_for(facts, on) if result.eligible]


def program_catalogue() -> QuerySet[FundingProgram]:
    """Every program with its funder and all its rule versions, newest version first."""
    return (
        FundingProgram.objects.select_related("funder")
        .prefetch_related(
            Prefetch(
                "rules",
                queryset=EligibilityRule.objects.select_related("created_by").order_by(
                    "-valid_from"
                ),
            )
        )
        .order_by("-is_active", "code")
    )


def manageable_programs(user: Any) -> QuerySet[FundingProgram]:
    """Programs whose rules `user` may change."""
    return tenancy.scoped(FundingProgram, user, tenancy.MANAGE_FUNDING).order_by("code")


def possible_funders(user: Any) -> QuerySet[Organization]:
    """Organizations for which `user` may create programs."""
    return tenancy.scoped(Organization, user, tenancy.MANAGE_FUNDING).order_by("name")
