"""The evaluator beyond the table: dates, impossible facts, versions, the result's shape, French."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from ancrage.core.models import AuditEvent
from ancrage.funding.eligibility import (
    NOT_ELIGIBLE,
    PersonFacts,
    add_years,
    evaluate,
    evaluate_conditions,
    whole_years,
    years_between,
)
from ancrage.funding.models import EligibilityRule
from tests.funding.conftest import MID_YEAR

pytestmark = pytest.mark.django_db

WORKER = PersonFacts(
    status_code="temporary-worker", arrived_quebec=date(2023, 5, 1), lives_in_quebec=True
)


# --- Dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (date(2021, 3, 10), 5, date(2026, 3, 10)),
        (date(2020, 2, 29), 5, date(2025, 3, 1)),  # common year: the year completes on 1 March
        (date(2020, 2, 29), 4, date(2024, 2, 29)),
        (date(2019, 12, 31), 1, date(2020, 12, 31)),
    ],
)
def test_add_years(start, years, expected):
    assert add_years(start, years) == expected


def test_whole_years_counts_the_anniversary_itself():
    assert whole_years(date(2009, 6, 1), date(2025, 5, 31)) == 15
    assert whole_years(date(2009, 6, 1), date(2025, 6, 1)) == 16
    assert whole_years(date(2008, 2, 29), date(2025, 2, 28)) == 16
    assert whole_years(date(2008, 2, 29), date(2025, 3, 1)) == 17


def test_years_between_is_exact_on_anniversaries():
    assert years_between(date(2021, 3, 10), date(2026, 3, 10)) == 5
    assert 5 < years_between(date(2021, 3, 10), date(2026, 3, 11)) < 5.01
    assert years_between(date(2024, 1, 1), date(2024, 7, 1)) == pytest.approx(182 / 366)


# --- Versions --------------------------------------------------------------------------------


def test_same_person_either_side_of_a_mid_year_change(programs, english):
    pasi = programs["pasi"]
    before = evaluate(pasi, WORKER, MID_YEAR - timedelta(days=1))
    after = evaluate(pasi, WORKER, MID_YEAR)
    assert (before.eligible, after.eligible) == (False, True)
    assert before.rule_version != after.rule_version
    assert before.rule_version.valid_to == MID_YEAR - timedelta(days=1)
    assert after.rule_version.valid_from == MID_YEAR and after.rule_version.valid_to is None


def test_a_version_is_never_applied_outside_its_period(programs, english):
    old = programs["pasi"].rules.get(valid_to__isnull=False)
    result = evaluate(old, WORKER, MID_YEAR)
    assert result.status == NOT_ELIGIBLE
    assert result.rule_version == old
    assert "not in force on 2024-07-01" in result.summary
    # Within its period, that version is judged as it was.
    assert "does not cover" in evaluate(old, WORKER, date(2024, 1, 15)).summary


def test_inactive_program_covers_nobody(programs, english):
    pasi = programs["pasi"]
    pasi.is_active = False
    pasi.save()
    result = evaluate(pasi, WORKER, MID_YEAR)
    assert not result.eligible and result.summary == "Not eligible: the program is not active."


def test_a_program_with_no_condition_is_open_to_everyone(english):
    result = evaluate_conditions({"all": []}, PersonFacts(), date(2025, 1, 1))
    assert result.eligible and result.summary == "Eligible: open to everyone."


def test_result_lists_reasons_in_the_rules_order_and_what_failed(programs, english):
    facts = PersonFacts(
        status_code="asylum-seeker", arrived_quebec=date(2015, 1, 1), lives_in_quebec=True
    )
    result = evaluate(programs["pasi"], facts, date(2025, 1, 1))
    assert result.reasons == [
        "Asylum seeker, a status this program does not cover",
        "arrived in Québec on 2015-01-01, 10.0 years ago (at most 5)",
        "lives in Québec",
    ]
    assert result.failed == result.reasons[:2]
    assert result.missing == []


def test_explanations_follow_the_active_language(programs):
    facts = PersonFacts(
        status_code="permanent-resident",
        status_since=date(2024, 3, 10),
        arrived_quebec=date(2024, 3, 10),
        lives_in_quebec=True,
    )
    with translation.override("fr-ca"):
        french = evaluate(programs["pasi"], facts, date(2026, 5, 1)).summary
    with translation.override("en"):
        english = evaluate(programs["pasi"], facts, date(2026, 5, 1)).summary
    assert "Résident permanent" in french and "2,1" in french
    assert "Permanent resident" in english and "2.1" in english


# --- Impossible facts: a clear error, nothing evaluated, nothing saved -------------------------

TODAY = timezone.localdate()


@pytest.mark.parametrize(
    ("facts", "on", "field", "words"),
    [
        (
            {"arrived_quebec": TODAY + timedelta(days=3)},
            TODAY + timedelta(days=10),
            "arrived_quebec",
            "in the future",
        ),
        (
            {"arrived_quebec": date(2025, 6, 2)},
            date(2025, 6, 1),
            "arrived_quebec",
            "after the service date",
        ),
        (
            {"birth_date": date(2000, 1, 1), "arrived_canada": date(1999, 12, 31)},
            date(2025, 6, 1),
            "arrived_canada",
            "before the date of birth",
        ),
        (
            {"birth_date": date(2000, 1, 1), "status_since": date(1990, 1, 1)},
            date(2025, 6, 1),
            "status_since",
            "before the date of birth",
        ),
        (
            {"arrived_canada": date(2022, 1, 1), "arrived_quebec": date(2021, 1, 1)},
            date(2025, 6, 1),
            "arrived_quebec",
            "before the arrival in Canada",
        ),
        ({"status_code": "martian"}, date(2025, 6, 1), "status_code", "Unknown immigration status"),
        (
            {"status_code": "<script>alert(1)</script>" * 100},
            date(2025, 6, 1),
            "status_code",
            "Unknown immigration status",
        ),
        ({"borough_code": "laval"}, date(2025, 6, 1), "borough_code", "Unknown borough"),
        ({"status_code": 42}, date(2025, 6, 1), "status_code", "Unknown immigration status: 42"),
        ({"arrived_quebec": date(1850, 1, 1)}, date(2025, 6, 1), "arrived_quebec", "before 1890"),
        ({}, date(9999, 12, 31), "on", "must fall between 1890-01-01 and 2100-12-31"),
        ({}, date(1, 1, 1), "on", "must fall between"),
        ({"birth_date": date(1891, 1, 1)}, date(2025, 6, 1), "birth_date", "more than 130"),
        ({"birth_date": TODAY + timedelta(days=1)}, TODAY, "birth_date", "in the future"),
        ({"age_range": (30, 20)}, date(2025, 6, 1), "age_range", "age range"),
        ({"age_range": (-1, 20)}, date(2025, 6, 1), "age_range", "age range"),
        ({"arrived_quebec": "2024-01-01"}, date(2025, 6, 1), "arrived_quebec", "not a date"),
        (
            {"borough_code": "lasalle", "lives_in_quebec": False},
            date(2025, 6, 1),
            "borough_code",
            "does not live in Montréal",
        ),
    ],
)
def test_impossible_facts_are_refused(programs, english, facts, on, field, words):
    events = AuditEvent.objects.count()
    versions = EligibilityRule.objects.count()
    with pytest.raises(ValidationError) as error:
        evaluate(programs["pasi"], PersonFacts(**facts), on)
    messages = error.value.message_dict[field]
    assert any(words in message for message in messages), messages
    assert len(" ".join(messages)) < 300  # a forged code is not echoed at length
    assert (AuditEvent.objects.count(), EligibilityRule.objects.count()) == (events, versions)


def test_a_datetime_is_not_a_service_date(programs):
    with pytest.raises(TypeError):
        evaluate(programs["pasi"], WORKER, timezone.now())


def test_only_programs_and_rules_are_evaluated(programs):
    with pytest.raises(TypeError):
        evaluate("pasi-1", WORKER, MID_YEAR)
