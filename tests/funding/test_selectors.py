"""Which programs cover a person on a day — and, for those that do not, why."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from ancrage.funding.eligibility import ELIGIBLE, NOT_ELIGIBLE, UNKNOWN, PersonFacts
from ancrage.funding.selectors import eligibility_for, programs_for
from tests.funding.conftest import make_program

pytestmark = pytest.mark.django_db

ON = date(2025, 6, 1)


def test_permanent_resident_newcomer_in_a_pilot_borough(programs):
    facts = PersonFacts(
        status_code="permanent-resident",
        arrived_canada=date(2023, 1, 10),
        arrived_quebec=date(2023, 1, 10),
        birth_date=date(1988, 4, 2),
        borough_code="montreal-nord",
    )
    assert [p.code for p in programs_for(facts, ON)] == ["francization", "liaison", "pasi-1"]


@pytest.mark.parametrize("status", ["without-status", "asylum-seeker"])
def test_people_no_program_covers_are_served_unfunded_and_told_why(programs, english, status):
    facts = PersonFacts(
        status_code=status,
        arrived_canada=date(2019, 3, 1),
        arrived_quebec=date(2019, 3, 1),
        birth_date=date(1985, 1, 1),
        borough_code="verdun",
    )
    results = {r.program.code: r for r in eligibility_for(facts, ON)}
    if status == "without-status":
        assert programs_for(facts, ON) == []
    else:  # asylum seekers may learn French; PASI still does not cover them
        assert [p.code for p in programs_for(facts, ON)] == ["francization"]
    pasi = results["pasi-1"]
    assert pasi.status == NOT_ELIGIBLE
    assert "a status this program does not cover" in pasi.summary
    assert "arrived in Québec on 2019-03-01, 6.3 years ago (at most 5)" in pasi.summary
    assert "outside the boroughs covered" in results["liaison"].summary
    assert "aged 40 (at most 29)" in results["youth"].summary


def test_every_active_program_with_a_rule_that_day_is_judged(programs, funder):
    make_program(funder, "no-rule-yet")
    later = make_program(funder, "starts-later", (date(2030, 1, 1), []))
    retired = make_program(funder, "retired", (date(2015, 1, 1), []))
    retired.is_active = False
    retired.save()
    results = eligibility_for(PersonFacts(), ON)
    codes = [r.program.code for r in results]
    assert codes == ["francization", "liaison", "pasi-1", "youth"]
    assert {r.status for r in results} == {UNKNOWN}
    assert later.code not in codes
    in_2030 = {r.program.code: r for r in eligibility_for(PersonFacts(), date(2030, 1, 1))}
    assert in_2030["starts-later"].status == ELIGIBLE


def test_impossible_facts_are_refused_before_anything_is_judged(programs):
    with pytest.raises(ValidationError) as error:
        programs_for(PersonFacts(arrived_quebec=date(2025, 6, 2)), ON)
    assert "arrived_quebec" in error.value.message_dict


def test_programs_for_uses_few_queries(programs, django_assert_max_num_queries):
    facts = PersonFacts(
        status_code="refugee", arrived_quebec=date(2024, 1, 1), lives_in_quebec=True
    )
    with django_assert_max_num_queries(4):
        programs_for(facts, ON)
