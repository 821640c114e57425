"""Eligibility rules against a table of cases: statuses × dates × ages, boundaries, versions.

The programs (see conftest): "pasi" — permanent residents and refugees, ≤ 5 years in Québec,
living in Québec; from 2024-07-01 (mid-year) temporary workers too. "francization" — statuses
with or without protection (not people without status), 16 and over, living in Québec.
"liaison" — ≤ 5 years in Canada, living in one of the four pilot boroughs, any status.
"youth" — aged 16 to 29.
"""

from datetime import date

import pytest

from ancrage.funding.eligibility import ELIGIBLE, NOT_ELIGIBLE, UNKNOWN, PersonFacts, evaluate

pytestmark = pytest.mark.django_db

PR = {"status_code": "permanent-resident", "lives_in_quebec": True}
REFUGEE = {"status_code": "refugee", "lives_in_quebec": True}
WORKER = {"status_code": "temporary-worker", "lives_in_quebec": True}
ASYLUM = {"status_code": "asylum-seeker", "lives_in_quebec": True}
NO_STATUS = {"status_code": "without-status", "lives_in_quebec": True}

D = date

# (id, program, facts, service date, expected status, words the explanation must contain)
CASES = [
    # --- PASI: statuses -------------------------------------------------------------------
    (
        "pr-recent",
        "pasi",
        {**PR, "status_since": D(2024, 3, 10), "arrived_quebec": D(2024, 3, 10)},
        D(2026, 5, 1),
        ELIGIBLE,
        ["Eligible: Permanent resident since 2024-03-10", "2.1 years ago (at most 5)"],
    ),
    (
        "refugee-recent",
        "pasi",
        {**REFUGEE, "arrived_quebec": D(2023, 8, 20)},
        D(2025, 2, 1),
        ELIGIBLE,
        ["Refugee or protected person", "lives in Québec"],
    ),
    (
        "asylum-seeker",
        "pasi",
        {**ASYLUM, "arrived_quebec": D(2025, 1, 1)},
        D(2025, 6, 1),
        NOT_ELIGIBLE,
        ["Not eligible: Asylum seeker, a status this program does not cover."],
    ),
    (
        "without-status",
        "pasi",
        {**NO_STATUS, "arrived_quebec": D(2024, 1, 1)},
        D(2025, 6, 1),
        NOT_ELIGIBLE,
        ["Without status, a status this program does not cover"],
    ),
    (
        "citizen",
        "pasi",
        {"status_code": "citizen", "lives_in_quebec": True, "arrived_quebec": D(2023, 1, 1)},
        D(2025, 6, 1),
        NOT_ELIGIBLE,
        ["Canadian citizen, a status this program does not cover"],
    ),
    (
        "student-even-after-change",
        "pasi",
        {"status_code": "student", "lives_in_quebec": True, "arrived_quebec": D(2024, 9, 1)},
        D(2025, 1, 15),
        NOT_ELIGIBLE,
        ["International student, a status"],
    ),
    # --- PASI: the 5-year boundary, both sides ---------------------------------------------
    (
        "fifth-anniversary-still-within",
        "pasi",
        {**PR, "arrived_quebec": D(2021, 3, 10)},
        D(2026, 3, 10),
        ELIGIBLE,
        ["arrived in Québec on 2021-03-10, 5.0 years ago (at most 5)"],
    ),
    (
        "day-after-fifth-anniversary",
        "pasi",
        {**PR, "arrived_quebec": D(2021, 3, 10)},
        D(2026, 3, 11),
        NOT_ELIGIBLE,
        ["Not eligible: arrived in Québec on 2021-03-10, 5.1 years ago (at most 5)."],
    ),
    (
        "day-before-fifth-anniversary",
        "pasi",
        {**PR, "arrived_quebec": D(2021, 3, 10)},
        D(2026, 3, 9),
        ELIGIBLE,
        ["arrived in Québec on 2021-03-10"],
    ),
    (
        "six-years",
        "pasi",
        {**REFUGEE, "arrived_quebec": D(2019, 1, 15)},
        D(2025, 4, 1),
        NOT_ELIGIBLE,
        ["6.2 years ago (at most 5)"],
    ),
    (
        "arrived-29-february-anniversary-is-1-march",
        "pasi",
        {**PR, "arrived_quebec": D(2020, 2, 29)},
        D(2025, 3, 1),
        ELIGIBLE,
        ["5.0 years ago"],
    ),
    (
        "arrived-29-february-day-after",
        "pasi",
        {**PR, "arrived_quebec": D(2020, 2, 29)},
        D(2025, 3, 2),
        NOT_ELIGIBLE,
        ["5.1 years ago (at most 5)"],
    ),
    (
        "arrived-29-february-on-28-february",
        "pasi",
        {**PR, "arrived_quebec": D(2020, 2, 29)},
        D(2025, 2, 28),
        ELIGIBLE,
        ["arrived in Québec on 2020-02-29"],
    ),
    # --- PASI: the version changing mid-year (2024-07-01) ----------------------------------
    (
        "worker-day-before-new-version",
        "pasi",
        {**WORKER, "arrived_quebec": D(2023, 5, 1)},
        D(2024, 6, 30),
        NOT_ELIGIBLE,
        ["Temporary worker, a status this program does not cover"],
    ),
    (
        "worker-first-day-of-new-version",
        "pasi",
        {**WORKER, "arrived_quebec": D(2023, 5, 1)},
        D(2024, 7, 1),
        ELIGIBLE,
        ["Eligible: Temporary worker"],
    ),
    (
        "worker-end-of-next-year",
        "pasi",
        {**WORKER, "arrived_quebec": D(2023, 5, 1)},
        D(2025, 12, 31),
        ELIGIBLE,
        ["2.7 years ago"],
    ),
    (
        "before-any-version",
        "pasi",
        {**PR, "arrived_quebec": D(2019, 6, 1)},
        D(2020, 6, 30),
        NOT_ELIGIBLE,
        ["no eligibility rule of this program is in force on 2020-06-30"],
    ),
    # --- PASI: residence and missing facts -------------------------------------------------
    (
        "lives-outside-quebec",
        "pasi",
        {**PR, "lives_in_quebec": False, "arrived_quebec": D(2024, 1, 1)},
        D(2025, 1, 1),
        NOT_ELIGIBLE,
        ["Not eligible: does not live in Québec."],
    ),
    (
        "borough-means-lives-in-quebec",
        "pasi",
        {
            "status_code": "permanent-resident",
            "borough_code": "verdun",
            "arrived_quebec": D(2024, 1, 1),
        },
        D(2025, 1, 1),
        ELIGIBLE,
        ["lives in Québec"],
    ),
    (
        "arrival-missing",
        "pasi",
        {**PR},
        D(2025, 1, 1),
        UNKNOWN,
        ["Unknown: date of arrival in Québec missing."],
    ),
    (
        "status-missing",
        "pasi",
        {"lives_in_quebec": True, "arrived_quebec": D(2024, 1, 1)},
        D(2025, 1, 1),
        UNKNOWN,
        ["Unknown: immigration status missing."],
    ),
    (
        "status-missing-but-arrived-long-ago",
        "pasi",
        {"lives_in_quebec": True, "arrived_quebec": D(2015, 1, 1)},
        D(2025, 1, 1),
        NOT_ELIGIBLE,
        ["10.0 years ago (at most 5)"],
    ),
    (
        "residence-missing",
        "pasi",
        {"status_code": "refugee", "arrived_quebec": D(2024, 1, 1)},
        D(2025, 1, 1),
        UNKNOWN,
        ["place of residence missing"],
    ),
    # --- Francization: ages ----------------------------------------------------------------
    (
        "sixteenth-birthday",
        "francization",
        {"status_code": "student", "lives_in_quebec": True, "birth_date": D(2009, 6, 1)},
        D(2025, 6, 1),
        ELIGIBLE,
        ["aged 16 (at least 16)"],
    ),
    (
        "day-before-sixteenth-birthday",
        "francization",
        {"status_code": "student", "lives_in_quebec": True, "birth_date": D(2009, 6, 1)},
        D(2025, 5, 31),
        NOT_ELIGIBLE,
        ["Not eligible: aged 15 (at least 16)."],
    ),
    (
        "asylum-seeker-learns-french",
        "francization",
        {**ASYLUM, "birth_date": D(1990, 1, 1)},
        D(2025, 6, 1),
        ELIGIBLE,
        ["Asylum seeker", "aged 35 (at least 16)"],
    ),
    (
        "without-status-francization",
        "francization",
        {**NO_STATUS, "birth_date": D(1990, 1, 1)},
        D(2025, 6, 1),
        NOT_ELIGIBLE,
        ["Without status, a status this program does not cover"],
    ),
    (
        "age-missing",
        "francization",
        {**PR},
        D(2025, 6, 1),
        UNKNOWN,
        ["Unknown: age missing."],
    ),
    (
        "age-band-all-above-minimum",
        "francization",
        {**PR, "age_range": (18, 24)},
        D(2025, 6, 1),
        ELIGIBLE,
        ["aged 18 to 24 (at least 16)"],
    ),
    (
        "age-band-straddles-minimum",
        "francization",
        {**PR, "age_range": (15, 19)},
        D(2025, 6, 1),
        UNKNOWN,
        ["Unknown: exact age missing."],
    ),
    (
        "age-band-below-minimum",
        "francization",
        {**PR, "age_range": (10, 14)},
        D(2025, 6, 1),
        NOT_ELIGIBLE,
        ["aged 10 to 14 (at least 16)"],
    ),
    # --- Youth: maximum age, born on 29 February -------------------------------------------
    (
        "born-29-february-still-29-on-28-february",
        "youth",
        {"birth_date": D(1996, 2, 29)},
        D(2026, 2, 28),
        ELIGIBLE,
        ["aged 29 (at most 29)"],
    ),
    (
        "born-29-february-turns-30-on-1-march",
        "youth",
        {"birth_date": D(1996, 2, 29)},
        D(2026, 3, 1),
        NOT_ELIGIBLE,
        ["aged 30 (at most 29)"],
    ),
    # --- Liaison: boroughs, years in Canada, any status ------------------------------------
    (
        "asylum-seeker-in-pilot-borough",
        "liaison",
        {
            "status_code": "asylum-seeker",
            "borough_code": "montreal-nord",
            "arrived_canada": D(2023, 5, 1),
        },
        D(2025, 1, 1),
        ELIGIBLE,
        ["lives in Montréal-Nord", "arrived in Canada on 2023-05-01"],
    ),
    (
        "outside-pilot-boroughs",
        "liaison",
        {**PR, "borough_code": "verdun", "arrived_canada": D(2023, 5, 1)},
        D(2025, 1, 1),
        NOT_ELIGIBLE,
        ["lives in Verdun, outside the boroughs covered"],
    ),
    (
        "lives-in-quebec-outside-montreal",
        "liaison",
        {**PR, "lives_in_montreal": False, "arrived_canada": D(2023, 5, 1)},
        D(2025, 1, 1),
        NOT_ELIGIBLE,
        ["does not live in Montréal"],
    ),
    (
        "borough-missing",
        "liaison",
        {**PR, "arrived_canada": D(2023, 5, 1)},
        D(2025, 1, 1),
        UNKNOWN,
        ["Unknown: borough of residence missing."],
    ),
    (
        "long-in-canada-recent-in-quebec-liaison",
        "liaison",
        {
            **PR,
            "borough_code": "lasalle",
            "arrived_canada": D(2015, 1, 1),
            "arrived_quebec": D(2023, 1, 1),
        },
        D(2025, 1, 1),
        NOT_ELIGIBLE,
        ["arrived in Canada on 2015-01-01, 10.0 years ago (at most 5)"],
    ),
    (
        "long-in-canada-recent-in-quebec-pasi",
        "pasi",
        {
            **PR,
            "borough_code": "lasalle",
            "arrived_canada": D(2015, 1, 1),
            "arrived_quebec": D(2023, 1, 1),
        },
        D(2025, 1, 1),
        ELIGIBLE,
        ["arrived in Québec on 2023-01-01, 2.0 years ago"],
    ),
]


def test_the_table_is_large_enough():
    assert len(CASES) >= 30
    assert len({case[0] for case in CASES}) == len(CASES)


@pytest.mark.parametrize(
    ("program", "facts", "on", "expected", "words"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_eligibility_table(programs, english, program, facts, on, expected, words):
    result = evaluate(programs[program], PersonFacts(**facts), on)
    assert result.status == expected, result.summary
    assert result.eligible is (expected == ELIGIBLE)
    for word in words:
        assert word in result.summary
    if expected == UNKNOWN:
        assert result.missing
    if result.rule_version is not None:
        assert result.rule_version.in_force_on(on)
        assert result.rule_version.program == programs[program]
